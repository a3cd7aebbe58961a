/**
 * The parts of a Cricsheet match file (https://cricsheet.org/format/json/) the adapter reads.
 *
 * Objects are not strict: Cricsheet files carry much more (officials, registry, reviews,
 * replacements, powerplays) and new fields appear between data versions; what we do not
 * read we do not police. What we do read is checked, so a bad file fails with the path
 * of the field that is wrong rather than with a `TypeError` deep inside the adapter.
 */
import { z } from "zod";

const name = z.string().min(1).max(100);
const count = z.number().int().min(0);

const extras = z.object({
  wides: count.optional(),
  noballs: count.optional(),
  byes: count.optional(),
  legbyes: count.optional(),
  penalty: count.optional(),
});

const wicket = z.object({
  player_out: name,
  kind: z.string().min(1),
  // A substitute whose name the scorers did not know has no `name`: `{"substitute": true}`.
  fielders: z.array(z.object({ name: name.optional(), substitute: z.boolean().optional() })).optional(),
});

const delivery = z.object({
  batter: name,
  non_striker: name,
  bowler: name,
  runs: z.object({
    batter: count,
    extras: count,
    total: count,
    non_boundary: z.boolean().optional(),
  }),
  extras: extras.optional(),
  wickets: z.array(wicket).optional(),
});

const over = z.object({
  over: count,
  deliveries: z.array(delivery).min(1),
});

const innings = z.object({
  team: name,
  // A forfeited innings has no overs at all.
  overs: z.array(over).default([]),
  declared: z.boolean().optional(),
  forfeited: z.boolean().optional(),
  super_over: z.boolean().optional(),
  // Batters who could not bat because they were hurt: the innings closed without them.
  absent_hurt: z.array(name).optional(),
  target: z.object({ runs: count, overs: z.number().min(0).optional() }).optional(),
  penalty_runs: z.object({ pre: count.optional(), post: count.optional() }).optional(),
  // Over number -> the legal balls the umpire allowed in it (Law 17.5.1). Files write the count
  // as a number or as a string of digits, so both are read.
  miscounted_overs: z
    .record(
      z.string().regex(/^\d+$/, "expected an over number"),
      z.object({
        balls: z.union([count, z.string().regex(/^\d+$/, "expected a ball count").transform(Number)]),
      }),
    )
    .optional(),
});

const outcome = z.object({
  winner: name.optional(),
  by: z.object({ runs: count.optional(), wickets: count.optional(), innings: count.optional() }).optional(),
  method: z.string().min(1).optional(),
  result: z.string().min(1).optional(),
  eliminator: name.optional(),
  bowl_out: name.optional(),
});

export const cricsheetMatchSchema = z.object({
  info: z.object({
    teams: z.tuple([name, name]),
    match_type: z.string().min(1),
    balls_per_over: z.number().int().min(1).max(10).optional(),
    overs: z.number().int().min(1).optional(),
    dates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a YYYY-MM-DD date")).min(1),
    event: z
      .object({
        name: z.string().min(1).optional(),
        match_number: z.number().int().optional(),
        stage: z.string().min(1).optional(),
      })
      .optional(),
    venue: z.string().min(1).optional(),
    toss: z.object({ winner: name, decision: z.enum(["bat", "field"]) }).optional(),
    outcome,
  }),
  innings: z.array(innings),
});

export type CricsheetMatch = z.infer<typeof cricsheetMatchSchema>;
export type CricsheetInnings = CricsheetMatch["innings"][number];
export type CricsheetDelivery = CricsheetInnings["overs"][number]["deliveries"][number];
export type CricsheetFielder = NonNullable<
  NonNullable<CricsheetDelivery["wickets"]>[number]["fielders"]
>[number];
