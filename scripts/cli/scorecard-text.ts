/**
 * The engine's scorecard as a cricket site lays it out in text: per innings a heading, the
 * batting card with extras and total, did not bat, fall of wickets and the bowling card; then
 * the result. Pure: no colours, no terminal, so the same text is right in a pipe or a file.
 */
import { assertNever } from "../../scoring/assert-never.ts";
import type { InningsCard, MatchFormat, MatchInfo, MatchStatus, Scorecard } from "../../scoring/index.ts";
import { resultText } from "../../scoring/result-text.ts";
import { textTable, wrapList } from "./text-table.ts";

export interface ScorecardTextContext {
  /** The match facts the scorecard does not repeat: the overs limit and the toss. */
  match: MatchInfo | null;
  /** Each team's players, when the source lists them; without them there is no "Did not bat" line. */
  squads?: Readonly<Record<string, readonly string[]>>;
}

/** The whole card as lines of text, ending in a newline. */
export function scorecardText(card: Scorecard, context: ScorecardTextContext): string {
  const blocks = [
    matchHeader(card, context.match),
    ...card.innings.map((inn) => inningsBlock(inn, card.innings, context)),
    [`Result: ${card.result ? resultText(card.result) : statusText(card.status)}`],
  ];
  return `${blocks.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

function matchHeader(card: Scorecard, match: MatchInfo | null): string[] {
  const teams = card.teams ? `${card.teams[0]} v ${card.teams[1]}` : card.matchId;
  const facts = [card.title, card.format && formatName(card.format), card.venue].filter((f) => f);
  const toss = match?.toss ? `Toss: ${match.toss.winner}, elected to ${match.toss.decision}` : null;
  return [teams, facts.join(", "), toss].filter((line): line is string => !!line);
}

function inningsBlock(
  inn: InningsCard,
  all: readonly InningsCard[],
  context: ScorecardTextContext,
): string[] {
  const title = inningsTitle(inn, all, context.match);
  if (inn.forfeited) return [title, "", "Innings forfeited"];
  const lines = [title, "", ...battingTable(inn)];
  const dnb = didNotBat(inn, context.squads);
  if (dnb.length > 0) lines.push("", ...wrapList(`${dnbLabel(inn)}: `, dnb));
  if (inn.fallOfWickets.length > 0) {
    const falls = inn.fallOfWickets.map((w) => `${w.wicket}-${w.runs} (${w.player}, ${w.over} ov)`);
    lines.push("", ...wrapList("Fall of wickets: ", falls));
  }
  lines.push("", ...bowlingTable(inn));
  return lines;
}

/**
 * "Kings XI Punjab innings (20 overs maximum)", "New Zealand innings (11 overs maximum)" (reduced),
 * "England 2nd innings (target 258)", "India super over". A rain-affected chase whose target the
 * source did not give says neither a target nor a maximum: nothing rather than a guess.
 */
function inningsTitle(inn: InningsCard, all: readonly InningsCard[], match: MatchInfo | null): string {
  // Which of this team's innings (or super overs) it is: Tests number them, super overs may repeat.
  const nth = all.filter(
    (i) => i.team === inn.team && i.superOver === inn.superOver && i.number <= inn.number,
  ).length;
  const limit = inn.superOver || inn.targetUnknown ? null : (inn.oversLimit ?? match?.oversLimit ?? null);
  const notes: string[] = [];
  if (inn.followOn) notes.push("following on");
  const targetOvers = inn.target?.overs ?? null;
  if (limit !== null && (targetOvers === null || targetOvers === limit)) notes.push(`${limit} overs maximum`);
  if (inn.target) {
    const changed = targetOvers !== null && targetOvers !== limit && !inn.superOver;
    notes.push(`target ${inn.target.runs}${changed ? ` from ${targetOvers} overs` : ""}`);
  }
  const name = inn.superOver
    ? `${inn.team} super over${nth > 1 ? ` ${nth}` : ""}`
    : match !== null && match.oversLimit === null
      ? `${inn.team} ${ordinal(nth)} innings`
      : `${inn.team} innings`;
  return notes.length > 0 ? `${name} (${notes.join(", ")})` : name;
}

function battingTable(inn: InningsCard): string[] {
  const rows = inn.batters.map((b) => [
    b.name,
    b.howOut,
    String(b.runs),
    String(b.balls),
    String(b.fours),
    String(b.sixes),
    b.strikeRate === null ? "-" : b.strikeRate.toFixed(2),
  ]);
  // A batter absent hurt never came in: named under the batters, with no figures, as cards do.
  const batted = new Set(inn.batters.map((b) => b.name));
  for (const name of inn.absentHurt) if (!batted.has(name)) rows.push([name, "absent hurt"]);
  rows.push(["Extras", extrasBreakdown(inn.extras), String(inn.extras.total)]);
  rows.push(["Total", totalText(inn)]);
  return textTable(
    [
      { header: "Batter", align: "left" },
      { header: "", align: "left" },
      { header: "R", align: "right" },
      { header: "B", align: "right" },
      { header: "4s", align: "right" },
      { header: "6s", align: "right" },
      { header: "SR", align: "right" },
    ],
    rows,
  );
}

function bowlingTable(inn: InningsCard): string[] {
  return textTable(
    [
      { header: "Bowler", align: "left" },
      { header: "O", align: "right" },
      { header: "M", align: "right" },
      { header: "R", align: "right" },
      { header: "W", align: "right" },
      { header: "Econ", align: "right" },
      { header: "WD", align: "right" },
      { header: "NB", align: "right" },
    ],
    inn.bowlers.map((b) => [
      b.name,
      shortOvers(b.overs),
      String(b.maidens),
      String(b.runs),
      String(b.wickets),
      b.economy === null ? "-" : b.economy.toFixed(2),
      String(b.wides),
      String(b.noballs),
    ]),
  );
}

/** "(b 4, lb 4, w 8)": only the kinds that happened, in the order scorecards print them. */
function extrasBreakdown(extras: InningsCard["extras"]): string {
  const parts = [
    ["b", extras.byes],
    ["lb", extras.legbyes],
    ["w", extras.wides],
    ["nb", extras.noballs],
    ["p", extras.penalty],
  ] as const;
  const shown = parts.filter(([, n]) => n > 0).map(([label, n]) => `${label} ${n}`);
  return shown.length > 0 ? `(${shown.join(", ")})` : "";
}

/** "184/4 (20 Ov, RR 9.20)", "209 all out (53.2 Ov, RR 3.92)", "435/8d (87.1 Ov, RR 4.99)". */
function totalText(inn: InningsCard): string {
  const rate = inn.runRate === null ? "" : `, RR ${inn.runRate.toFixed(2)}`;
  return `${scoreText(inn)} (${shortOvers(inn.overs)} Ov${rate})`;
}

function scoreText(inn: InningsCard): string {
  switch (inn.endReason) {
    case "all out":
      return `${inn.runs} all out`;
    case "declared":
      return `${inn.runs}/${inn.wickets}d`;
    case "forfeited":
    case "overs complete":
    case "target reached":
    case "abandoned":
    case null:
      return `${inn.runs}/${inn.wickets}`;
    default:
      return assertNever(inn.endReason);
  }
}

/**
 * The team's players who have not batted and were not absent hurt, in the source's order; never
 * for a super over, where most never do.
 */
function didNotBat(inn: InningsCard, squads: ScorecardTextContext["squads"]): string[] {
  const squad = squads && Object.hasOwn(squads, inn.team) ? squads[inn.team] : undefined;
  if (inn.superOver || squad === undefined) return [];
  const listed = new Set([...inn.batters.map((b) => b.name), ...inn.absentHurt]);
  return squad.filter((p) => !listed.has(p));
}

function dnbLabel(inn: InningsCard): string {
  switch (inn.status) {
    case "complete":
      return "Did not bat";
    case "in progress":
      return "Yet to bat";
    default:
      return assertNever(inn.status);
  }
}

/** Whole overs print without ".0", as cards do: "20", "3.4". */
function shortOvers(overs: string): string {
  return overs.endsWith(".0") ? overs.slice(0, -2) : overs;
}

/** A team bats at most twice in a match (super overs are counted apart), so no need for "11th". */
function ordinal(n: number): string {
  return ["1st", "2nd", "3rd"][n - 1] ?? `${n}th`;
}

function formatName(format: MatchFormat): string {
  switch (format) {
    case "T20":
    case "ODI":
    case "Test":
    case "T10":
      return format;
    case "Hundred":
      return "The Hundred";
    case "FirstClass":
      return "first-class";
    case "ListA":
      return "List A";
    default:
      return assertNever(format);
  }
}

/** What the last line says before there is a result. */
function statusText(status: MatchStatus): string {
  switch (status) {
    case "scheduled":
      return "not started";
    case "live":
      return "in progress";
    case "innings break":
      return "in progress (innings break)";
    case "finished":
      return "none recorded";
    default:
      return assertNever(status);
  }
}
