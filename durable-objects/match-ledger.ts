import { DurableObject } from "cloudflare:workers";

/** The single writer for one match. Filled in by the ingestion issue. */
export class MatchLedger extends DurableObject<Env> {
  async status(): Promise<{ seq: number }> {
    return { seq: 0 };
  }
}
