import { Hono } from "hono";
import { readConfig } from "../../config/crease-config.ts";
import { type InvalidEvent, parseBatch } from "../../origin/ingest/parse-batch.ts";
import { readBodyLimited } from "../../origin/ingest/read-body.ts";
import type { IngestOutcome } from "../../origin/ledger/sequencer.ts";
import { parseSecrets, verifySignature } from "../../origin/signature.ts";
import { quote } from "../../protocol/schema-issues.ts";
import { ledgerStub } from "../../rpc/ledger.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { HttpError } from "../http-error.ts";
import { enforce } from "../rate-limit.ts";

/** Most events one request may carry: bounds one ledger transaction and the reply. */
export const MAX_BATCH_EVENTS = 1000;

type ResultRow =
  | ({ index: number; matchId: string } & IngestOutcome)
  | ({ status: "invalid" } & InvalidEvent)
  | { index: number; matchId: string; seq: number; status: "unavailable"; message: string };

export const ingest = new Hono<{ Bindings: Env }>();

/**
 * POST /v1/ingest: the signed webhook. Replies only after every accepted event is
 * durable in its ledger; the per-event results say what happened to each.
 */
ingest.post("/", async (c) => {
  const config = readConfig(c.env).ingest;
  const body = await readBodyLimited(c.req.raw, config.maxBodyBytes);
  if (!body.ok) {
    throw new HttpError(413, "body_too_large", `the body is over the ${config.maxBodyBytes}-byte limit`);
  }

  const verdict = await verifySignature({
    header: c.req.header("x-crease-signature") ?? null,
    body: body.bytes,
    secrets: parseSecrets(c.env.INGEST_SECRET),
    nowSeconds: Math.floor(Date.now() / 1000),
    toleranceSeconds: config.signatureToleranceS,
  });
  if (!verdict.ok) {
    // No configured secret is our misconfiguration, not the caller's fault.
    const status = verdict.reason === "no-secrets" ? 503 : 401;
    throw new HttpError(status, `signature_${verdict.reason.replace("-", "_")}`, verdict.message);
  }

  // Per provider key (the secret that verified). Fails open: a dead limiter must never cost
  // the feed its events; the ledgers' own limits and Retry-After protect them.
  await enforce(c.env, "ingest", `provider-${verdict.secretIndex}`, "open");

  const contentType = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Content-Type must be application/json, not ${quote(contentType)}`,
    );
  }

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body.bytes));
  } catch (error) {
    const reason =
      error instanceof RangeError
        ? "nesting too deep"
        : error instanceof Error
          ? error.message
          : "unreadable";
    throw new HttpError(400, "invalid_json", `the body is not valid JSON (${reason})`);
  }

  const batch = parseBatch(json, MAX_BATCH_EVENTS);
  if (!batch.ok) throw new HttpError(batch.code === "batch_too_large" ? 413 : 400, batch.code, batch.message);

  const rows: ResultRow[] = batch.invalid.map((invalid) => ({ status: "invalid" as const, ...invalid }));
  const byMatch = new Map<string, { index: number; event: ProviderEvent }[]>();
  for (const item of batch.valid) {
    const list = byMatch.get(item.event.matchId) ?? [];
    list.push(item);
    byMatch.set(item.event.matchId, list);
  }
  // Matches are independent partitions: their ledgers write in parallel.
  await Promise.all(
    [...byMatch].map(async ([matchId, items]) => {
      try {
        const outcomes = await ledgerStub(c.env, matchId).ingest(
          matchId,
          items.map((i) => i.event),
        );
        outcomes.forEach((outcome, k) => {
          rows.push({ index: items[k]?.index ?? -1, matchId, ...outcome });
        });
      } catch (error) {
        console.error("ledger unavailable", matchId, error);
        for (const item of items) {
          rows.push({
            index: item.index,
            matchId,
            seq: item.event.seq,
            status: "unavailable",
            message: "the match ledger did not confirm this event; retry it (retries are safe)",
          });
        }
      }
    }),
  );
  rows.sort((a, b) => a.index - b.index);

  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  const status = replyStatus(counts);
  const headers: Record<string, string> = status === 503 ? { "Retry-After": "1" } : {};
  return c.json({ ok: status === 200, counts, results: rows }, status, headers);
});

/**
 * The worst per-event outcome decides the status; the body always carries every row. 503 (with
 * Retry-After) when something must be sent again (`unavailable`, or `retry`: beyond what the
 * ledger buffers); a retry of the whole batch is safe, since what was stored answers `duplicate`.
 * A `dead-lettered` event is kept for an operator (sending it again changes nothing), so it
 * does not fail the request: its row, not the status, says it was not applied.
 */
function replyStatus(counts: Record<string, number>): 200 | 409 | 422 | 503 {
  if (counts.unavailable || counts.retry) return 503;
  if (counts.invalid) return 422;
  if (counts.conflict) return 409;
  return 200;
}
