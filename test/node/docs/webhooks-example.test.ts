import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signDelivery } from "../../../origin/webhooks/outbound-signature.ts";
import { freePort } from "../../../scripts/local-stack.ts";

const ROOT = join(import.meta.dirname, "../../..");
const doc = readFileSync(join(ROOT, "docs/webhooks.md"), "utf8");
/** The first js block after "### Verifying it": the receiver partners are told to run. */
const example = /### Verifying it[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";

describe("docs/webhooks.md's Node receiver", () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill();
  });

  it("accepts a delivery signed with its secret (either of a rotation's two) and refuses tampered, stale or unsigned ones", async () => {
    expect(example).toContain("createHmac");
    const dir = mkdtempSync(join(tmpdir(), "crease-receiver-"));
    writeFileSync(join(dir, "receiver.mjs"), example);
    const port = await freePort();
    child = spawn(process.execPath, [join(dir, "receiver.mjs")], {
      env: { ...process.env, WEBHOOK_SECRET: "whsec_current", PORT: String(port) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = `http://127.0.0.1:${port}/crease`;
    const body = JSON.stringify({ id: "m:1:wicket:x", kind: "wicket", matchId: "m", seq: 1 });
    const now = Math.floor(Date.now() / 1000);
    const post = async (signature: string | null, payload = body) => {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-crease-delivery": "m:1:wicket:x",
      };
      if (signature !== null) headers["x-crease-signature"] = signature;
      for (let i = 0; ; i++) {
        try {
          return (await fetch(url, { method: "POST", headers, body: payload })).status;
        } catch (error) {
          if (i > 50) throw error;
          await new Promise((r) => setTimeout(r, 100)); // still starting
        }
      }
    };
    expect(await post(await signDelivery(["whsec_current"], body, now))).toBe(204);
    expect(await post(await signDelivery(["whsec_new", "whsec_current"], body, now))).toBe(204);
    expect(await post(await signDelivery(["whsec_current"], body, now), `${body} `)).toBe(400);
    expect(await post(await signDelivery(["whsec_other"], body, now))).toBe(400);
    expect(await post(await signDelivery(["whsec_current"], body, now - 3600))).toBe(400);
    expect(await post(null)).toBe(400);
    expect(await post("t=abc,v1=zz")).toBe(400);
  });
});
