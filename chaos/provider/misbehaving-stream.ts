/**
 * The stream a misbehaving provider means to send, built from a real match: a correction
 * inserted mid-innings (later seqs renumbered), and event times jumping backwards and
 * forwards by hours. Replaying it in seq order is the truth the ledger must end at.
 */
import type { CorrectionEvent, DeliveryEvent, ProviderEvent } from "../../scoring/index.ts";

const HOUR_MS = 3_600_000;

export interface MisbehavingStream {
  events: ProviderEvent[];
  correction: CorrectionEvent;
  /** Seqs whose `ts` was moved by hours (either way). */
  skewed: number[];
}

export function misbehavingStream(base: ProviderEvent[], random: () => number): MisbehavingStream {
  // A plain first-innings delivery (no extras, no wicket) corrected by +2 runs: the parity of
  // the runs, and so the strike, stays as the later deliveries name it.
  const target = base.find(
    (e): e is DeliveryEvent =>
      e.type === "delivery" &&
      e.seq > 20 &&
      e.payload.innings === 1 &&
      !e.payload.extras &&
      !e.payload.wickets &&
      e.payload.batterRuns <= 1,
  );
  if (!target) throw new Error("the fixture has no plain first-innings delivery to correct");
  const at = target.seq + 6;
  const correction: CorrectionEvent = {
    matchId: target.matchId,
    seq: at + 1,
    ts: target.ts,
    type: "correction",
    payload: {
      targetSeq: target.seq,
      delivery: { ...target.payload, batterRuns: target.payload.batterRuns + 2 },
    },
  };
  const events: ProviderEvent[] = [
    ...base.slice(0, at),
    correction,
    ...base.slice(at).map((e) => ({ ...e, seq: e.seq + 1 })),
  ];
  // Clock skew: a fifth of the events carry a source time hours off, backwards or forwards.
  const skewed: number[] = [];
  const out = events.map((e) => {
    if (e.seq <= 2 || random() >= 0.2) return e;
    const hours = (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 6));
    skewed.push(e.seq);
    return { ...e, ts: new Date(Date.parse(e.ts) + hours * HOUR_MS).toISOString() };
  });
  return { events: out, correction, skewed };
}
