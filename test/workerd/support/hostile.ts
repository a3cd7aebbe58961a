import { signPayload } from "../../../origin/signature.ts";
import { ADMIN, SECRETS, worker } from "./ingest.ts";

const encoder = new TextEncoder();

export interface RawPost {
  /** The bytes sent. A string is sent as its UTF-8 bytes, so the runtime adds no Content-Type of its own. */
  body: string | Uint8Array;
  /** Extra headers; `null` drops one the helper would otherwise send (e.g. `content-type`). */
  headers?: Record<string, string | null>;
  /** The bytes the signature covers, when it should not be `body` (a signature moved to another body). */
  signedBody?: string | Uint8Array;
}

/** POSTs raw bytes to the webhook, signed like a provider would over exactly the bytes given. */
export async function postRaw({ body, headers = {}, signedBody }: RawPost): Promise<Response> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const signature = await signPayload(SECRETS[0], signedBody ?? bytes, Math.floor(Date.now() / 1000));
  const sent = new Headers({ "content-type": "application/json", "x-crease-signature": signature });
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) sent.delete(name);
    else sent.set(name, value);
  }
  return worker("/v1/ingest", { method: "POST", headers: sent, body: bytes });
}

/**
 * POSTs a streamed body of unknown length (chunked on the wire), `chunks` pieces of
 * `chunkBytes` spaces each; `chunks: Infinity` never ends, so only a reader that stops at
 * the limit gets a reply.
 */
export async function postStream(chunks: number, chunkBytes: number): Promise<Response> {
  const chunk = encoder.encode(" ".repeat(chunkBytes));
  // A native stream: when the Worker stops reading, the next write rejects here, where it is
  // caught, instead of inside the runtime's pump (an "uncaught exception" in the test output).
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  void (async () => {
    try {
      for (let sent = 0; sent < chunks; sent++) await writer.write(chunk);
      await writer.close();
    } catch {
      // the Worker stopped reading at its limit
    }
  })();
  const signature = await signPayload(SECRETS[0], "", Math.floor(Date.now() / 1000));
  return worker("/v1/ingest", {
    method: "POST",
    headers: { "content-type": "application/json", "x-crease-signature": signature },
    body: readable,
  });
}

/** What "stored data" means for one match: its state, its whole log and the ledger's counters, as read over HTTP. */
export interface StoredMatch {
  state: string;
  log: string;
  ledger: {
    receivedSeq: number;
    appliedSeq: number;
    buffered: number;
    gaps: unknown;
    deadLetters: number;
    conflictsTotal: number;
  };
}

export async function readStored(matchId: string): Promise<StoredMatch> {
  const [state, log, lag] = await Promise.all([
    worker(`/v1/matches/${matchId}`),
    worker(`/v1/matches/${matchId}/events?after=0&limit=1000`),
    worker(`/v1/admin/matches/${matchId}/lag`, { headers: ADMIN }),
  ]);
  if (state.status !== 200 || log.status !== 200 || lag.status !== 200) {
    throw new Error(`reading ${matchId} answered ${state.status}/${log.status}/${lag.status}`);
  }
  const { receivedSeq, appliedSeq, buffered, gaps, deadLetters, conflictsTotal } =
    (await lag.json()) as StoredMatch["ledger"];
  return {
    state: await state.text(),
    log: await log.text(),
    ledger: { receivedSeq, appliedSeq, buffered, gaps, deadLetters, conflictsTotal },
  };
}

/**
 * Text that should never reach a client: V8 stack frames, source file locations, and a
 * hostile body echoed back (an error reply stays small whatever was sent).
 */
export function internalsIn(text: string): string[] {
  const found: string[] = [];
  if (text.length > 16_384) found.push(`a ${text.length}-byte error reply`);
  if (/\n\s+at /.test(text) || /\\n\s+at /.test(text)) found.push("a stack trace");
  if (/\.(ts|js|mjs):\d+/.test(text)) found.push("a source location");
  if (/\/(work|home|tmp|src)\//.test(text) || text.includes("node_modules")) found.push("a file path");
  return found;
}

/** `depth` nested empty arrays, balanced: valid JSON that recursive code cannot walk. */
export function nestedArrays(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

const RAW = "@@raw-json@@";

/**
 * JSON for `value` with raw JSON text spliced in where the marker `RAW_SLOT` stands, for
 * inputs a JavaScript value cannot hold (nesting deeper than `JSON.stringify` can write).
 */
export function withRawJson(value: unknown, raw: string): string {
  const text = JSON.stringify(value);
  if (!text.includes(`"${RAW}"`)) throw new Error("withRawJson: no RAW_SLOT in the value");
  return text.replace(`"${RAW}"`, () => raw);
}
export const RAW_SLOT = RAW;
