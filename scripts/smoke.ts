/**
 * `npm run smoke -- URL [--secret S] [--admin-token T]`: checks a deployment end to end, as a
 * viewer and a provider would meet it: /health answers, a signed event is accepted, and a
 * WebSocket viewer receives the next one. It feeds a throwaway match (`smoke-<time>`, the first
 * two events of a bundled real match); with an admin token it removes that match afterwards.
 * The ingest secret comes from --secret or INGEST_SECRET (the development secret by default,
 * for a local stack). One line per step; exit status 0 when every step passed, 1 otherwise.
 */
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { parseServerMessage, SUBPROTOCOL } from "../protocol/live-wire.ts";
import { DEV_SECRET, postSignedBatch } from "./local-stack.ts";
import { DEFAULT_MATCH, fixtureEvents } from "./replay.ts";

const USAGE = `usage: npm run smoke -- URL [--secret S] [--admin-token T] [--timeout SECONDS]
  URL               the deployment, e.g. https://crease.example.workers.dev or http://127.0.0.1:8787
  --secret S        an ingest secret (default: $INGEST_SECRET, else the development secret)
  --admin-token T   removes the smoke match afterwards (default: $ADMIN_TOKEN; without it, it stays listed)
  --timeout S       seconds each step may take; default 15`;

function options() {
  const fail = (message: string): never => {
    console.error(`npm run smoke: ${message}\n${USAGE}`);
    process.exit(2);
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    return fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const raw = positionals[0];
  if (!raw || positionals.length > 1) return fail("give exactly one URL");
  let base: URL;
  try {
    base = new URL(raw);
  } catch {
    return fail(`not a URL: ${raw}`);
  }
  const timeoutS = Number(values.timeout ?? "15");
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) return fail("--timeout must be a positive number");
  return {
    base: base.origin,
    secret: values.secret ?? process.env.INGEST_SECRET ?? DEV_SECRET,
    adminToken: values["admin-token"] ?? process.env.ADMIN_TOKEN,
    timeoutMs: timeoutS * 1000,
  };
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      secret: { type: "string" },
      "admin-token": { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** Resolves with the first frame `wanted` accepts; rejects on close, error or timeout. */
function nextFrame(ws: WebSocket, wanted: (type: string, seq: number | undefined) => boolean, ms: number) {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no such frame within ${ms / 1000} s`)), ms);
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return; // a gzipped snapshot; the client asked for JSON
      const parsed = parseServerMessage(data.toString());
      if (!parsed.ok) return done(new Error(`a frame the protocol does not know: ${parsed.reason}`));
      const message = parsed.message;
      const seq = "seq" in message && typeof message.seq === "number" ? message.seq : undefined;
      if (wanted(message.type, seq)) done(undefined, `${message.type} ${seq ?? ""}`.trim());
    };
    const onClose = (code: number, reason: Buffer) => done(new Error(`closed ${code} ${reason.toString()}`));
    const onError = (err: Error) => done(err);
    const done = (err?: Error, frame?: string) => {
      clearTimeout(timer);
      ws.off("message", onMessage).off("close", onClose).off("error", onError);
      if (err) reject(err);
      else resolve(frame ?? "");
    };
    ws.on("message", onMessage).on("close", onClose).on("error", onError);
  });
}

async function main(): Promise<number> {
  const opts = options();
  const matchId = `smoke-${Date.now().toString(36)}`;
  const [first, second] = fixtureEvents(DEFAULT_MATCH, matchId);
  if (!first || !second) throw new Error(`the bundled match ${DEFAULT_MATCH} has fewer than two events`);
  const signal = () => AbortSignal.timeout(opts.timeoutMs);
  const step = async (name: string, run: () => Promise<string>): Promise<boolean> => {
    try {
      console.log(`ok    ${name}: ${await run()}`);
      return true;
    } catch (err) {
      console.log(`FAIL  ${name}: ${(err as Error).message}`);
      return false;
    }
  };

  console.log(`smoke check of ${opts.base} (match ${matchId})`);
  const healthy = await step("health", async () => {
    const res = await fetch(`${opts.base}/health`, { signal: signal() });
    const body = (await res.json().catch(() => null)) as {
      ok?: boolean;
      fastRead?: { mode?: string };
    } | null;
    if (!res.ok || body?.ok !== true) throw new Error(`GET /health answered ${res.status}`);
    return `fast-read layer ${body.fastRead?.mode ?? "?"}`;
  });
  if (!healthy) return 1;

  const ingest = (event: typeof first) => async () => {
    const res = await postSignedBatch(opts.base, [event], { secret: opts.secret, signal: signal() });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST /v1/ingest answered ${res.status}: ${text.slice(0, 200)}`);
    return `seq ${event.seq} ${event.type} accepted`;
  };
  if (!(await step("signed event", ingest(first)))) return 1;

  const url = `${opts.base.replace(/^http/, "ws")}/v1/matches/${encodeURIComponent(matchId)}/ws`;
  const ws = new WebSocket(url, [SUBPROTOCOL], { perMessageDeflate: false });
  let passed = false;
  try {
    passed =
      (await step("socket snapshot", () =>
        nextFrame(ws, (type, seq) => type === "snapshot" && seq === 1, opts.timeoutMs),
      )) &&
      (await step("socket receives the next signed event", async () => {
        const patch = nextFrame(ws, (type, seq) => type === "patch" && seq === second.seq, opts.timeoutMs);
        await ingest(second)();
        return await patch;
      }));
  } finally {
    ws.close(1000, "smoke check done");
  }

  if (opts.adminToken) {
    await step("remove the smoke match", async () => {
      const res = await fetch(`${opts.base}/v1/admin/matches/${encodeURIComponent(matchId)}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${opts.adminToken}` },
        signal: signal(),
      });
      if (!res.ok) throw new Error(`DELETE answered ${res.status}`);
      return "removed";
    });
  } else console.log(`note  ${matchId} stays listed (give --admin-token to remove it)`);
  console.log(passed ? "smoke check passed" : "smoke check FAILED");
  return passed ? 0 : 1;
}

process.exitCode = await main();
