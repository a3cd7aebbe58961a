/**
 * Builds small, valid provider event logs for the engine's tests: seq and timestamps are assigned
 * in order, and over/ball numbers follow the overs as the umpire calls them (after `ballsPerOver`
 * legal balls, or where a ball says `overEnd`), so a test states only the cricket.
 */
import type {
  DeliveryPayload,
  InningsEndReason,
  InningsStartPayload,
  MatchResult,
  MatchStartPayload,
  ProviderEvent,
  Wicket,
} from "../../../scoring/index.ts";

export type BallSpec = Partial<Omit<DeliveryPayload, "innings" | "over" | "ball">>;

export class EventLog {
  readonly events: ProviderEvent[] = [];
  private seq = 0;
  private bpo = 6;
  private inningsNo = 0;
  private over = 0;
  private legalInOver = 0;
  private ballInOver = 0;
  /** Defaults for the next ball's batters and bowler, so tests only say what changes. */
  batter = "A";
  nonStriker = "B";
  bowler = "X";

  constructor(readonly matchId = "m1") {}

  private push<T extends ProviderEvent["type"]>(
    type: T,
    payload: Extract<ProviderEvent, { type: T }>["payload"],
  ): Extract<ProviderEvent, { type: T }> {
    this.seq += 1;
    const ts = new Date(Date.UTC(2024, 0, 1) + this.seq * 1000).toISOString();
    const event = { matchId: this.matchId, seq: this.seq, ts, type, payload } as Extract<
      ProviderEvent,
      { type: T }
    >;
    this.events.push(event);
    return event;
  }

  start(p: Partial<MatchStartPayload> = {}): this {
    this.bpo = p.ballsPerOver ?? 6;
    this.push("match.start", {
      teams: ["Home", "Away"],
      format: "T20",
      ballsPerOver: 6,
      oversLimit: 20,
      ...p,
    });
    return this;
  }

  innings(battingTeam = "Home", bowlingTeam = "Away", p: Partial<InningsStartPayload> = {}): this {
    this.inningsNo += 1;
    this.over = 0;
    this.legalInOver = 0;
    this.ballInOver = 0;
    this.push("innings.start", { battingTeam, bowlingTeam, superOver: false, ...p });
    return this;
  }

  /** The next delivery's payload (without appending it), numbered from the balls bowled so far. */
  next(spec: BallSpec = {}): DeliveryPayload {
    return {
      innings: this.inningsNo,
      over: this.over,
      ball: this.ballInOver + 1,
      batter: spec.batter ?? this.batter,
      nonStriker: spec.nonStriker ?? this.nonStriker,
      bowler: spec.bowler ?? this.bowler,
      batterRuns: 0,
      ...spec,
    };
  }

  ball(spec: BallSpec = {}): this {
    const d = this.next(spec);
    this.push("delivery", d);
    const legal = !d.extras?.wides && !d.extras?.noballs;
    this.ballInOver += 1;
    if (legal) this.legalInOver += 1;
    if (d.overEnd ?? (legal && this.legalInOver >= this.bpo)) {
      this.over += 1;
      this.legalInOver = 0;
      this.ballInOver = 0;
    }
    return this;
  }

  /** `n` dot balls (or copies of `spec`). */
  balls(n: number, spec: BallSpec = {}): this {
    for (let i = 0; i < n; i++) this.ball(spec);
    return this;
  }

  out(wicket: Wicket, spec: BallSpec = {}): this {
    return this.ball({ ...spec, wickets: [...(spec.wickets ?? []), wicket] });
  }

  penalty(innings: number, runs: number, reason?: string): this {
    this.push("penalty", reason === undefined ? { innings, runs } : { innings, runs, reason });
    return this;
  }

  correct(targetSeq: number, delivery: DeliveryPayload): this {
    this.push("correction", { targetSeq, delivery });
    return this;
  }

  end(reason: InningsEndReason): this {
    this.push("innings.end", { innings: this.inningsNo, reason });
    return this;
  }

  finish(result: MatchResult): this {
    this.push("match.end", { result });
    return this;
  }

  /** Seq of the last event appended. */
  get lastSeq(): number {
    return this.seq;
  }
}

/** Deep-freezes a value so any mutation of it throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
