import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDelivery } from "../../../origin/webhooks/outbound-signature.ts";
import { freePort } from "../../../scripts/local-stack.ts";

const ROOT = join(import.meta.dirname, "../../..");
const doc = readFileSync(join(ROOT, "docs/webhooks.md"), "utf8");
/** The first js block after "### Verifying it": the receiver partners are told to run. */
const example = /### Verifying it[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";

describe("docs/webhooks.md's Node receiver", () => {
  let child: ChildProcess | null = null;
  let url = "";
  /** What the example handed to "your app": the lines it printed, one per moment. */
  const handed: string[] = [];

  beforeAll(async () => {
    expect(example).toContain("createHmac");
    const dir = mkdtempSync(join(tmpdir(), "crease-receiver-"));
    writeFileSync(join(dir, "receiver.mjs"), example);
    const port = await freePort();
    child = spawn(process.execPath, [join(dir, "receiver.mjs")], {
      env: { ...process.env, WEBHOOK_SECRET: "whsec_current", PORT: String(port) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      handed.push(...lines);
    });
    url = `http://127.0.0.1:${port}/crease`;
  });
  afterAll(() => {
    child?.kill();
  });

  /** POSTs a delivery as Crease would, with whatever X-Crease-Delivery header (or none) is given. */
  const post = async (signature: string | null, body: string, delivery: string | null): Promise<number> => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (delivery !== null) headers["x-crease-delivery"] = delivery;
    if (signature !== null) headers["x-crease-signature"] = signature;
    for (let i = 0; ; i++) {
      try {
        return (await fetch(url, { method: "POST", headers, body })).status;
      } catch (error) {
        if (i > 50) throw error;
        await new Promise((r) => setTimeout(r, 100)); // still starting
      }
    }
  };

  /** Lines are written in order: once a later moment's line is in, every earlier one is too. */
  const settle = async (): Promise<void> => {
    const id = `marker:${Date.now()}:${Math.random()}`;
    const marker = JSON.stringify({ id, kind: "four", matchId: "marker", seq: 0 });
    const now = Math.floor(Date.now() / 1000);
    expect(await post(await signDelivery(["whsec_current"], marker, now), marker, id)).toBe(204);
    const deadline = Date.now() + 5000;
    while (!handed.includes("four marker 0")) {
      if (Date.now() > deadline) throw new Error("the receiver printed nothing for the marker");
      await new Promise((r) => setTimeout(r, 20));
    }
    handed.splice(handed.indexOf("four marker 0"), 1);
  };

  it("accepts a delivery signed with its secret (either of a rotation's two) and refuses tampered, stale or unsigned ones", async () => {
    const body = JSON.stringify({ id: "m:1:wicket:x", kind: "wicket", matchId: "m", seq: 1 });
    const now = Math.floor(Date.now() / 1000);
    const post1 = (signature: string | null, payload = body) => post(signature, payload, "m:1:wicket:x");
    expect(await post1(await signDelivery(["whsec_current"], body, now))).toBe(204);
    expect(await post1(await signDelivery(["whsec_new", "whsec_current"], body, now))).toBe(204);
    expect(await post1(await signDelivery(["whsec_current"], body, now), `${body} `)).toBe(400);
    expect(await post1(await signDelivery(["whsec_other"], body, now))).toBe(400);
    expect(await post1(await signDelivery(["whsec_current"], body, now - 3600))).toBe(400);
    expect(await post1(null)).toBe(400);
    expect(await post1("t=abc,v1=zz")).toBe(400);
  });

  it("hands a captured delivery to the app once, however its X-Crease-Delivery header is changed (issue 18, point 5)", async () => {
    const body = JSON.stringify({ id: "m:2:six:x", kind: "six", matchId: "m", seq: 2 });
    const now = Math.floor(Date.now() / 1000);
    const captured = await signDelivery(["whsec_current"], body, now);
    expect(await post(captured, body, "m:2:six:x")).toBe(204);
    // The same bytes and signature, replayed within the signature's window under other headers:
    // each one verifies (the header is not signed) and each one is acknowledged, but none is new.
    for (const forged of ["m:2:six:x-replay", "m:99:wicket:someone-else", "", null]) {
      expect(await post(captured, body, forged)).toBe(204);
    }
    // Crease's own retry of the same moment is signed afresh; it is not new either.
    expect(await post(await signDelivery(["whsec_current"], body, now + 1), body, "m:2:six:x")).toBe(204);
    // A different moment is, even under the first one's header.
    const other = JSON.stringify({ id: "m:3:wicket:y", kind: "wicket", matchId: "m", seq: 3 });
    expect(await post(await signDelivery(["whsec_current"], other, now), other, "m:2:six:x")).toBe(204);
    await settle();
    expect(handed.filter((line) => line === "six m 2")).toHaveLength(1);
    expect(handed.filter((line) => line === "wicket m 3")).toHaveLength(1);
  });
});
