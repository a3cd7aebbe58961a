import { postSignedBatch } from "../../scripts/local-stack.ts";

/** One row of the webhook's reply: what happened to the event at `index` of the batch. */
export interface IngestRow {
  index: number;
  seq: number | null;
  status: string;
  late?: boolean;
  errors?: { path: string; message: string }[];
}

/**
 * POSTs a batch of anything (malformed events included, which `LocalStack.ingest`'s types
 * rule out) to the webhook, signed with the development secret; returns status and rows.
 */
export async function postRaw(
  base: string,
  events: unknown[],
): Promise<{ status: number; rows: IngestRow[] }> {
  const res = await postSignedBatch(base, events);
  const json = (await res.json()) as { results?: IngestRow[] };
  return { status: res.status, rows: json.results ?? [] };
}
