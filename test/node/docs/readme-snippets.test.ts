import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";

const ROOT = join(import.meta.dirname, "../../..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/**
 * The README's TypeScript snippets that talk to a stack over a WebSocket (the client library's
 * subscribe() and subscribeTicker()), run as written on this Node with tsx, pointed at a WebSocket
 * server on loopback instead of a stack on 8787. The point is what a reader meets first: the
 * imports resolve, `WebSocket` exists on Node 20, and the socket opens.
 */
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1] ?? "")
  .filter((code) => code.includes('from "./client/index.ts"'));

describe("the README's client snippets run on Node as written", () => {
  let server: WebSocketServer;
  let port = 0;
  let dir: string;

  beforeAll(async () => {
    server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      handleProtocols: (protocols) => [...protocols][0] ?? false,
    });
    await new Promise((resolve) => server.once("listening", resolve));
    server.on("connection", () => connectionsSeen.count++);
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
    // Inside the repository (the snippets import its files), in the git-ignored .tmp/.
    mkdirSync(join(ROOT, ".tmp"), { recursive: true });
    dir = mkdtempSync(join(ROOT, ".tmp", "readme-snippets-"));
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds the live feed's and the ticker's snippets", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
  });

  it.each(snippets.map((code, i) => [i, code]))("snippet %i opens its socket", async (i, code) => {
    const before = connectionsSeen.count;
    const file = join(dir, `snippet-${i}.ts`);
    // The snippet's relative imports are from the repository root; the file sits two folders down.
    const runnable = `${code.replaceAll('from "./', 'from "../../').replaceAll("http://127.0.0.1:8787", `http://127.0.0.1:${port}`)}
setTimeout(() => process.exit(0), 1500);
`;
    writeFileSync(file, runnable);
    const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [file], { cwd: ROOT });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    const code_ = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(out).not.toMatch(/Error|not defined/);
    expect(code_, out).toBe(0);
    // Its socket reached the server (no frame is sent back: what a feed says is the other tiers').
    expect(connectionsSeen.count - before).toBeGreaterThan(0);
  });
});

const connectionsSeen = { count: 0 };
