import { Hono } from "hono";
import { fastReadFor } from "../../fast-read/fast-read-config.ts";
import type { GuardedFastRead } from "../../fast-read/guarded-fast-read.ts";
import type { LedgerStatus } from "../../protocol/admin-types.ts";
import { type LedgerLag, ledgerStub } from "../../rpc/ledger.ts";
import { matchIndexStub } from "../../rpc/match-index.ts";
import { requireAdmin } from "../auth.ts";

/** How many of the most recently active matches /metrics reports on (one RPC each). */
const METRICS_MATCHES = 100;
const LAG_STATUSES = ["OK", "WARNING", "STALLED", "STOPPED"] as const;
const LEDGER_STATUSES = [
  "OK",
  "CONFLICT",
  "INCOMPLETE",
  "WARNING",
  "STALLED",
  "STOPPED",
] as const satisfies readonly LedgerStatus[];
/** Open holes listed one series each per match; the gauges above count all of them. */
const HOLES_LISTED = 20;

export const metrics = new Hono<{ Bindings: Env }>();
metrics.use("*", requireAdmin);

/** GET /metrics: Prometheus text exposition of every recent ledger's lag. */
metrics.get("/", async (c) => {
  const list = (await matchIndexStub(c.env).list()).slice(0, METRICS_MATCHES);
  const reports = await Promise.all(
    list.map((m) =>
      ledgerStub(c.env, m.matchId)
        .lagReport()
        .catch(() => null),
    ),
  );
  const known: LedgerLag[] = [];
  for (const report of reports) if (report) known.push(report);
  const { fastRead } = fastReadFor(c.env);
  return c.text(renderMetrics(known) + renderBreaker(fastRead), 200, {
    "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
  });
});

export function renderMetrics(reports: LedgerLag[]): string {
  const families: [name: string, help: string, value: (r: LedgerLag) => number][] = [
    ["crease_ledger_received_seq", "Newest seq received by the match ledger.", (r) => r.receivedSeq],
    [
      "crease_ledger_applied_seq",
      "Seq up to which the ledger has applied (or parked/skipped) events.",
      (r) => r.appliedSeq,
    ],
    ["crease_ledger_lag_events", "received_seq - applied_seq.", (r) => r.consumer.lag],
    [
      "crease_ledger_lag_slope",
      "Least-squares slope of the lag over the window, events per second.",
      (r) => r.consumer.slopePerSecond,
    ],
    ["crease_ledger_buffered_events", "Events stored ahead of a missing seq.", (r) => r.buffered],
    [
      "crease_ledger_gap_missing_events",
      "Seqs skipped after the gap timeout and still missing.",
      (r) => r.gaps.reduce((n, g) => n + g.missing, 0),
    ],
    [
      "crease_ledger_unacknowledged_missing_seqs",
      "Seqs skipped after the gap timeout, still missing and not acknowledged by an operator.",
      (r) => r.unacknowledgedMissing,
    ],
    [
      "crease_ledger_open_holes",
      "Skipped gaps still missing seqs and not acknowledged by an operator.",
      (r) => r.holes.length,
    ],
    ["crease_ledger_dead_letters", "Events parked in the dead-letter table.", (r) => r.deadLetters],
    [
      "crease_ledger_waiting_missing_seqs",
      "Seqs missing at the hole the ledger is waiting at (too large to skip), with events buffered behind it.",
      (r) => r.waiting?.missing ?? 0,
    ],
    [
      "crease_ledger_open_conflicts",
      "Seqs received with two different bodies that no operator has resolved (above the cursor, they hold the match).",
      (r) => r.conflicts,
    ],
    [
      "crease_ledger_conflicts_total",
      "Events refused for reusing a seq with different content.",
      (r) => r.conflictsTotal,
    ],
  ];
  const lines: string[] = [];
  for (const [name, help, value] of families) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const r of reports) lines.push(`${name}{match="${escapeLabel(r.matchId)}"} ${value(r)}`);
  }
  lines.push(
    "# HELP crease_ledger_lag_status 1 for the ledger's current Burrow-style lag status.",
    "# TYPE crease_ledger_lag_status gauge",
  );
  for (const r of reports) {
    for (const s of LAG_STATUSES) {
      lines.push(
        `crease_ledger_lag_status{match="${escapeLabel(r.matchId)}",status="${s}"} ${r.consumer.status === s ? 1 : 0}`,
      );
    }
  }
  lines.push(
    "# HELP crease_ledger_status 1 for the ledger's health: the lag status, CONFLICT while two bodies for one seq await an operator, or INCOMPLETE while holes or dead letters do.",
    "# TYPE crease_ledger_status gauge",
  );
  for (const r of reports) {
    for (const s of LEDGER_STATUSES) {
      lines.push(
        `crease_ledger_status{match="${escapeLabel(r.matchId)}",status="${s}"} ${r.status === s ? 1 : 0}`,
      );
    }
  }
  lines.push(
    "# HELP crease_ledger_hole_missing_seqs Missing seqs of one open hole, by its first and last seq.",
    "# TYPE crease_ledger_hole_missing_seqs gauge",
  );
  for (const r of reports) {
    for (const h of r.holes.slice(0, HOLES_LISTED)) {
      lines.push(
        `crease_ledger_hole_missing_seqs{match="${escapeLabel(r.matchId)}",from_seq="${h.fromSeq}",to_seq="${h.toSeq}"} ${h.missing}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The fast-read breaker as this isolate sees it (each isolate and object has its own). */
export function renderBreaker(fastRead: GuardedFastRead): string {
  const state = fastRead.breakerState();
  const { calls, failures, timeouts, rejected } = fastRead.breaker.stats;
  const mode = fastRead.mode;
  return [
    "# HELP crease_fast_read_breaker_state 1 for the fast-read circuit breaker's current state.",
    "# TYPE crease_fast_read_breaker_state gauge",
    ...(["closed", "open", "half-open"] as const).map(
      (s) => `crease_fast_read_breaker_state{mode="${mode}",state="${s}"} ${state === s ? 1 : 0}`,
    ),
    "# HELP crease_fast_read_calls_total Fast-read calls by outcome, in this isolate.",
    "# TYPE crease_fast_read_calls_total counter",
    `crease_fast_read_calls_total{mode="${mode}",outcome="attempted"} ${calls}`,
    `crease_fast_read_calls_total{mode="${mode}",outcome="failed"} ${failures}`,
    `crease_fast_read_calls_total{mode="${mode}",outcome="timed_out"} ${timeouts}`,
    `crease_fast_read_calls_total{mode="${mode}",outcome="rejected_open"} ${rejected}`,
    "",
  ].join("\n");
}
