import { exports } from "cloudflare:workers";
import { signPayload } from "../../../origin/signature.ts";
import type { ProviderEvent } from "../../../scoring/index.ts";

/** The secrets vitest.config.ts gives the Worker; the second one exercises rotation. */
export const SECRETS = ["test-secret-a", "test-secret-b"] as const;
export const ADMIN = { authorization: "Bearer test-admin-token" };

export function worker(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(`http://crease.test${path}`, init);
}

/** POSTs a raw body to the webhook, signed like a provider would (unless told otherwise). */
export async function postIngest(
  body: string,
  opts: { secret?: string; at?: number; contentType?: string; signature?: string | null } = {},
): Promise<Response> {
  const at = opts.at ?? Math.floor(Date.now() / 1000);
  const signature =
    opts.signature === undefined ? await signPayload(opts.secret ?? SECRETS[0], body, at) : opts.signature;
  const headers: Record<string, string> = { "content-type": opts.contentType ?? "application/json" };
  if (signature !== null) headers["x-crease-signature"] = signature;
  return worker("/v1/ingest", { method: "POST", headers, body });
}

export interface IngestReply {
  ok: boolean;
  counts: Record<string, number>;
  results: {
    index: number;
    seq: number | null;
    status: string;
    late?: boolean;
    errors?: { path: string; message: string }[];
  }[];
}

export async function ingestEvents(events: ProviderEvent[]): Promise<IngestReply> {
  const res = await postIngest(JSON.stringify({ events }));
  const reply = (await res.json()) as IngestReply;
  if (res.status !== 200 && res.status !== 409)
    throw new Error(`ingest answered ${res.status}: ${JSON.stringify(reply).slice(0, 500)}`);
  return reply;
}

export async function matchState(
  matchId: string,
  at?: number,
): Promise<{ matchId: string; seq: number; epoch: string; state: unknown }> {
  // Straight from the ledger: these tests assert read-your-writes, which the read model does not promise.
  const res = await worker(`/v1/matches/${matchId}${at === undefined ? "" : `?at=${at}`}`, {
    headers: { "cache-control": "no-cache" },
  });
  if (res.status !== 200) throw new Error(`GET match answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { matchId: string; seq: number; epoch: string; state: unknown };
}
