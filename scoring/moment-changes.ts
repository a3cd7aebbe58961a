/**
 * From facts to announcements: what changed between the moments already announced and the
 * facts of the state now. A fact not yet announced is announced with the stamp of the event
 * that made it (its seq and ts, hence its id); an announced moment the state no longer holds is
 * taken back with a retraction naming its id. A moment still held is never announced again,
 * even when a correction elsewhere changed its figures, so every id is announced once.
 */
import { apply } from "./apply.ts";
import type { ProviderEvent } from "./events.ts";
import type { Moment, MomentFact, MomentStamp, RetractionMoment } from "./moment-types.ts";
import { momentsOf } from "./moments.ts";
import { emptyState, type MatchState } from "./state.ts";

export interface MomentChanges {
  /** Retractions of announced moments the state no longer holds, in the order they were announced. */
  retracted: RetractionMoment[];
  /** Facts announced now, in the order they happened. */
  added: Moment[];
}

/** `<kind>:<subject>`: what a moment is about, read back from its id (`<matchId>:<seq>:<kind>:<subject>`). */
export function momentKey(m: Moment): string {
  return m.id.slice(`${m.matchId}:${m.seq}:`.length);
}

/** The moment `fact` as announced by the event `at`. */
export function stampMoment(fact: MomentFact, at: MomentStamp): Moment {
  return {
    id: `${at.matchId}:${at.seq}:${fact.key}`,
    matchId: at.matchId,
    seq: at.seq,
    ts: at.ts,
    ...fact.body,
  } as Moment;
}

function retraction(m: Exclude<Moment, RetractionMoment>, at: MomentStamp): RetractionMoment {
  return {
    id: `${at.matchId}:${at.seq}:retraction:${m.id}`,
    kind: "retraction",
    matchId: at.matchId,
    seq: at.seq,
    ts: at.ts,
    innings: m.innings,
    retracts: m.id,
    retractedKind: m.kind,
  };
}

/**
 * The changes that take the announced moments `live` (announced and not retracted) to the
 * facts of a state, announced by the event `at`. Keys decide sameness, not ids.
 */
export function momentChanges(
  live: readonly Moment[],
  facts: readonly MomentFact[],
  at: MomentStamp,
): MomentChanges {
  const held = new Set(facts.map((f) => f.key));
  const announced = new Set<string>();
  const retracted: RetractionMoment[] = [];
  for (const m of live) {
    if (m.kind === "retraction") continue;
    const key = momentKey(m);
    announced.add(key);
    if (!held.has(key)) retracted.push(retraction(m, at));
  }
  const added = facts.filter((f) => !announced.has(f.key)).map((f) => stampMoment(f, at));
  return { retracted, added };
}

/**
 * The announced moments of a match and the step that moves them on: keeps the moments that
 * stand, by key, so each step costs a pass over the state's facts.
 */
export class MomentTracker {
  private readonly standing = new Map<string, Moment>();

  constructor(live: Iterable<Moment> = []) {
    for (const m of live) if (m.kind !== "retraction") this.standing.set(momentKey(m), m);
  }

  /** The moments announced and not retracted, in the order they were announced. */
  live(): Moment[] {
    return [...this.standing.values()];
  }

  /**
   * What the state `after`, reached by the event `at`, announces and takes back; remembered.
   * The same answer as `momentChanges`, without its sets in the usual case: when every standing
   * moment is among the facts, nothing is taken back, and one lookup per fact tells what is new.
   */
  step(after: MatchState, at: MomentStamp): Moment[] {
    const facts = momentsOf(after);
    const fresh: MomentFact[] = [];
    let held = 0;
    for (const f of facts) {
      if (this.standing.has(f.key)) held += 1;
      else fresh.push(f);
    }
    const out: Moment[] = [];
    if (held < this.standing.size) {
      const { retracted } = momentChanges(this.live(), facts, at);
      const gone = new Set(retracted.map((r) => r.retracts));
      for (const [key, m] of this.standing) if (gone.has(m.id)) this.standing.delete(key);
      out.push(...retracted);
    }
    for (const f of fresh) {
      const m = stampMoment(f, at);
      this.standing.set(f.key, m);
      out.push(m);
    }
    return out;
  }
}

/**
 * Every moment a log announces, event by event, retractions included: the history's moments
 * as a live feed would have announced them. Deterministic: the same log, the same moments and ids.
 */
export function momentsOfLog(events: Iterable<ProviderEvent>): Moment[] {
  const tracker = new MomentTracker();
  const out: Moment[] = [];
  let state: MatchState | undefined;
  for (const event of events) {
    state = apply(state ?? emptyState(event.matchId), event);
    out.push(...tracker.step(state, { matchId: event.matchId, seq: event.seq, ts: event.ts }));
  }
  return out;
}
