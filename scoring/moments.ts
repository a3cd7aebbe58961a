/**
 * The moments a match state holds, read off its history: every ball record of every innings
 * (with the penalty awards between them, by seq), the over summaries, the innings' ends and
 * targets, and the result. Pure and deterministic: the same state gives the same facts, in
 * the order they happened.
 *
 * A fact has no seq or ts of its own: a moment is announced by the event that made it true
 * (`moment-changes.ts` stamps it), so a correction that turns a dot into a four announces the
 * four at the correction's seq, where a consumer reading onwards will see it. Each fact's `key`
 * says what it is about and not where it fell: a fifty stays the same fifty when a correction
 * earlier in the innings moves the ball it came on, so it is not taken back and announced again.
 */
import { type BallRecord, ballRuns, bowlerRuns, isBallFaced, isFour, isLegal, isSix } from "./ball.ts";
import { fielderName, howOut } from "./how-out.ts";
import { countsAsWicket, isCreditedToBowler } from "./laws.ts";
import type { MomentBody, MomentFact } from "./moment-types.ts";
import { ballNotation, formatOvers } from "./overs.ts";
import { isMaiden } from "./per-over.ts";
import { resultText } from "./result-text.ts";
import type { InningsState, MatchState } from "./state.ts";

/** The batter milestones of the contract (issue 14). */
export const BATTER_MILESTONES = [50, 100, 150, 200] as const;
/** A five-for. */
export const BOWLER_MILESTONE_WICKETS = 5;
/** Partnerships and team totals: every multiple of this many runs. */
export const RUNS_MILESTONE_STEP = 50;

/**
 * Every moment of `state`, in the order they happened: per innings, its target, then ball by
 * ball (on one ball: wickets, the boundary, milestones of batter, bowler, stand and team, the
 * end of the over), then its end; the result last. Retractions are not facts of a state; they
 * come from comparing two (`momentChanges`).
 */
export function momentsOf(state: MatchState): MomentFact[] {
  const bpo = state.match?.ballsPerOver ?? 6;
  const facts: MomentFact[] = [];
  for (const inn of state.innings) facts.push(...inningsMoments(inn, bpo));
  if (state.result !== null) {
    facts.push(
      fact("match", {
        kind: "result",
        innings: state.innings.length,
        result: state.result,
        text: resultText(state.result),
      }),
    );
  }
  return facts;
}

/**
 * An innings' facts depend on nothing but the innings (and the balls per over, fixed for the
 * match), and `apply` shares every innings it did not change: so an innings not in play is
 * never walked again.
 */
const byInnings = new WeakMap<InningsState, { bpo: number; facts: MomentFact[] }>();

function inningsMoments(inn: InningsState, bpo: number): MomentFact[] {
  const cached = byInnings.get(inn);
  if (cached !== undefined && cached.bpo === bpo) return cached.facts;
  const facts = unique(walkInnings(inn, bpo));
  byInnings.set(inn, { bpo, facts });
  return facts;
}

function fact(subject: string, body: MomentBody): MomentFact {
  return { key: `${body.kind}:${subject}`, body };
}

/** A provider's log can name the same thing twice (an over number reused); later ones get `#2`, `#3`. */
function unique(facts: MomentFact[]): MomentFact[] {
  const seen = new Map<string, number>();
  return facts.map((f) => {
    const n = (seen.get(f.key) ?? 0) + 1;
    seen.set(f.key, n);
    return n === 1 ? f : { ...f, key: `${f.key}#${n}` };
  });
}

function crossed(before: number, after: number, step: number): number[] {
  const out: number[] = [];
  for (let m = (Math.floor(before / step) + 1) * step; m <= after; m += step) if (m > 0) out.push(m);
  return out;
}

interface Stand {
  batters: [string, string];
  wicket: number;
  runs: number;
  balls: number;
  ended: boolean;
}

/** The over being bowled, as `per-over.ts` opens and closes them (Law 17.5.1: the umpire's call stands). */
interface OverInPlay {
  over: number;
  index: number;
  legal: number;
  complete: boolean;
}

/** Where a walk over an innings' balls stands after some of them: enough to go on from there. */
interface Walk {
  /** The balls walked: a prefix of the innings' balls, the very same records. */
  balls: readonly BallRecord[];
  /** How many of the innings' penalty awards came before the last ball walked. */
  penalties: number;
  total: number;
  wickets: number;
  batters: Map<string, { runs: number; balls: number }>;
  bowlers: Map<string, { wickets: number; runs: number }>;
  stand: Stand | null;
  over: OverInPlay | null;
  /** Legal balls, as the umpire counted them, of the overs before `over`. */
  countedBefore: number;
  /** The facts of the balls (and penalties between them) walked, in order. */
  facts: MomentFact[];
}

/**
 * The last few walks of an innings, kept by its first ball record (which every version of the
 * innings shares until a correction replaces it). In play, each version adds a ball to the
 * same records (or none), so the next goes on from the newest walk over its new balls only:
 * the cost of a version is its new balls, not the innings. A walk whose balls are not the
 * innings' own records (a correction replaced one) is not used: the innings is walked from its
 * first ball again. A few are kept, not one, because a batch of events is walked twice in the
 * ledger (event by event, then the committed state, see `origin/ledger/moment-store.ts`);
 * not all, because each holds its facts.
 */
const walks = new WeakMap<BallRecord, { bpo: number; walk: Walk }[]>();
const KEPT_WALKS = 8;

function startingWalk(inn: InningsState, bpo: number): Walk {
  const first = inn.balls[0];
  const kept = (first && walks.get(first)) ?? [];
  for (let k = kept.length - 1; k >= 0; k--) {
    const { bpo: walkedBpo, walk } = kept[k] as { bpo: number; walk: Walk };
    let same =
      walkedBpo === bpo && walk.balls.length <= inn.balls.length && walk.penalties <= inn.penalties.length;
    for (let i = walk.balls.length - 1; i >= 0 && same; i--) same = walk.balls[i] === inn.balls[i];
    if (!same) continue;
    // Go on from a copy: the kept walk may be the start of another version too.
    return {
      ...walk,
      batters: new Map([...walk.batters].map(([key, v]) => [key, { ...v }])),
      bowlers: new Map([...walk.bowlers].map(([key, v]) => [key, { ...v }])),
      stand: walk.stand && { ...walk.stand, batters: [walk.stand.batters[0], walk.stand.batters[1]] },
      over: walk.over && { ...walk.over },
      facts: walk.facts.slice(),
    };
  }
  return {
    balls: [],
    penalties: 0,
    total: 0,
    wickets: 0,
    batters: new Map(),
    bowlers: new Map(),
    stand: null,
    over: null,
    countedBefore: 0,
    facts: [],
  };
}

function keepWalk(inn: InningsState, bpo: number, walk: Walk): void {
  const first = inn.balls[0];
  if (first === undefined) return;
  const kept = walks.get(first) ?? [];
  kept.push({ bpo, walk: { ...walk, balls: inn.balls } });
  if (kept.length > KEPT_WALKS) kept.shift();
  walks.set(first, kept);
}

function walkInnings(inn: InningsState, bpo: number): MomentFact[] {
  const n = inn.number;
  const team = inn.battingTeam;
  const walk = startingWalk(inn, bpo);
  const { batters, bowlers, facts } = walk;

  const addRuns = (runs: number) => {
    for (const m of crossed(walk.total, walk.total + runs, RUNS_MILESTONE_STEP)) {
      facts.push(
        fact(`${n}:${m}`, { kind: "team-milestone", innings: n, team, runs: m, wickets: walk.wickets }),
      );
    }
    walk.total += runs;
  };

  for (let b = walk.balls.length; b < inn.balls.length; b++) {
    const ball = inn.balls[b] as BallRecord;
    for (
      let p = inn.penalties[walk.penalties];
      p !== undefined && p.seq < ball.seq;
      p = inn.penalties[++walk.penalties]
    ) {
      addRuns(p.runs);
    }
    const legal = isLegal(ball);
    // The over: a ball opens a new one when the last was called or it carries another number.
    let over = walk.over;
    if (over === null || over.complete || over.over !== ball.over) {
      const index: number = over === null ? 0 : over.index + 1;
      if (over !== null) walk.countedBefore += over.complete ? bpo : Math.min(over.legal, bpo);
      over = { over: ball.over, index, legal: 0, complete: false };
      walk.over = over;
    }
    over.legal += legal ? 1 : 0;
    over.complete = ball.overEnd ?? (legal && over.legal >= bpo);
    const at = legal
      ? ballNotation(Math.floor(walk.countedBefore / bpo), over.legal)
      : formatOvers(walk.countedBefore + (over.complete ? bpo : Math.min(over.legal, bpo)), bpo);

    const totalAfter = walk.total + ballRuns(ball);
    const striker = batters.get(ball.batter) ?? { runs: 0, balls: 0 };
    const strikerBefore = striker.runs;
    striker.runs += ball.batterRuns;
    striker.balls += isBallFaced(ball) ? 1 : 0;
    batters.set(ball.batter, striker);
    if (!batters.has(ball.nonStriker)) batters.set(ball.nonStriker, { runs: 0, balls: 0 });
    const bowler = bowlers.get(ball.bowler) ?? { wickets: 0, runs: 0 };
    const bowlerWicketsBefore = bowler.wickets;
    bowler.runs += bowlerRuns(ball);
    bowlers.set(ball.bowler, bowler);
    const wicketsBefore = walk.wickets;

    // 1. wickets
    for (const w of ball.wickets) {
      if (isCreditedToBowler(w.kind)) bowler.wickets += 1;
      if (!countsAsWicket(w.kind)) continue;
      walk.wickets += 1;
      const credited = isCreditedToBowler(w.kind) ? ball.bowler : null;
      const out = batters.get(w.playerOut) ?? { runs: 0, balls: 0 };
      facts.push(
        fact(`${ball.seq}:${w.playerOut}`, {
          kind: "wicket",
          innings: n,
          team,
          batter: w.playerOut,
          howOut: howOut({ kind: w.kind, bowler: credited, fielders: w.fielders }),
          dismissal: w.kind,
          bowler: credited,
          // Names only: the howOut says who was a substitute, and an unnamed one has no name to give.
          fielders: w.fielders.flatMap((f) => fielderName(f) ?? []),
          wicket: walk.wickets,
          score: { runs: totalAfter, wickets: walk.wickets },
          over: at,
          batterRuns: out.runs,
          batterBalls: out.balls,
        }),
      );
    }
    // 2. the boundary
    const boundary = isFour(ball) ? "four" : isSix(ball) ? "six" : null;
    if (boundary !== null) {
      facts.push(
        fact(`${ball.seq}:${ball.batter}`, {
          kind: boundary,
          innings: n,
          team,
          batter: ball.batter,
          bowler: ball.bowler,
          over: at,
          score: { runs: totalAfter, wickets: walk.wickets },
        }),
      );
    }
    // 3. the batter
    for (const m of BATTER_MILESTONES) {
      if (strikerBefore < m && striker.runs >= m) {
        facts.push(
          fact(`${n}:${ball.batter}:${m}`, {
            kind: "batter-milestone",
            innings: n,
            team,
            batter: ball.batter,
            runs: m,
            balls: striker.balls,
          }),
        );
      }
    }
    // 4. the bowler
    if (bowlerWicketsBefore < BOWLER_MILESTONE_WICKETS && bowler.wickets >= BOWLER_MILESTONE_WICKETS) {
      facts.push(
        fact(`${n}:${ball.bowler}:${BOWLER_MILESTONE_WICKETS}`, {
          kind: "bowler-milestone",
          innings: n,
          team: inn.bowlingTeam,
          bowler: ball.bowler,
          wickets: BOWLER_MILESTONE_WICKETS,
          runs: bowler.runs,
        }),
      );
    }
    // 5. the stand (as partnerships.ts keeps them: a new pair, or either batter gone, is a new stand)
    const stand = standAfter(walk.stand, ball, wicketsBefore);
    walk.stand = stand;
    for (const m of crossed(stand.runs - ballRuns(ball), stand.runs, RUNS_MILESTONE_STEP)) {
      const pair = [...stand.batters].sort().join("&");
      facts.push(
        fact(`${n}:${pair}:${m}`, {
          kind: "partnership-milestone",
          innings: n,
          team,
          batters: [stand.batters[0], stand.batters[1]],
          runs: m,
          balls: stand.balls,
          wicket: stand.wicket,
        }),
      );
    }
    // 6. the team (wickets on this ball already down: the total passed 50 on the ball they fell)
    addRuns(ballRuns(ball));
    // 7. the end of the over
    const summary = inn.perOver[over.index];
    if (over.complete && summary !== undefined) {
      facts.push(
        fact(`${n}:${over.over}`, {
          kind: "over",
          innings: n,
          team,
          over: over.over + 1,
          bowler: summary.bowler,
          runs: summary.runs,
          wickets: summary.wickets,
          maiden: isMaiden(summary),
          score: { runs: walk.total, wickets: walk.wickets },
        }),
      );
    }
  }
  keepWalk(inn, bpo, walk);

  // Around the balls: the target first, then penalties after the last ball, then the end.
  const out: MomentFact[] = [];
  if (inn.target !== null) {
    const { runs, overs } = inn.target;
    out.push(fact(`${n}:${runs}:${overs ?? "-"}`, { kind: "target", innings: n, team, runs, overs }));
  }
  out.push(...facts);
  let { total, wickets } = walk;
  for (let p = walk.penalties; p < inn.penalties.length; p++) {
    const runs = inn.penalties[p]?.runs ?? 0;
    for (const m of crossed(total, total + runs, RUNS_MILESTONE_STEP)) {
      out.push(fact(`${n}:${m}`, { kind: "team-milestone", innings: n, team, runs: m, wickets }));
    }
    total += runs;
  }
  if (inn.status === "complete") {
    out.push(
      fact(`${n}`, {
        kind: "innings-end",
        innings: n,
        team,
        score: { runs: inn.runs, wickets: inn.wickets },
        overs: inn.overs,
        reason: inn.endReason,
      }),
    );
  }
  return out;
}

function standAfter(stand: Stand | null, ball: BallRecord, wicketsBefore: number): Stand {
  const [x, y] = stand?.batters ?? ["", ""];
  const samePair =
    (x === ball.batter && y === ball.nonStriker) || (x === ball.nonStriker && y === ball.batter);
  const current: Stand =
    stand === null || stand.ended || !samePair
      ? {
          batters: [ball.batter, ball.nonStriker],
          wicket: wicketsBefore + 1,
          runs: 0,
          balls: 0,
          ended: false,
        }
      : stand;
  current.runs += ballRuns(ball);
  current.balls += isLegal(ball) ? 1 : 0;
  current.ended = ball.wickets.some((w) => w.playerOut === ball.batter || w.playerOut === ball.nonStriker);
  return current;
}
