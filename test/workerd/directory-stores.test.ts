/**
 * The match index's and the ledger's SQLite stores (storage/), each on a fresh object's
 * storage: the tree's root (registration, reports, expiry of silent regions, publishing to
 * hubs), the directory's rows read back, and the ticker's feed fed summaries by its caller.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { MatchSummary } from "../../protocol/admin-types.ts";
import { DirectoryStore } from "../../storage/directory-store.ts";
import { TickerFeed } from "../../storage/ticker-feed.ts";
import { type HubAnswer, TreeRoot } from "../../storage/tree-root.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

/** Runs `body` on the storage of an object no other test touches (a ledger with no match). */
function onFreshStorage<T>(name: string, body: (sql: SqlStorage) => T): Promise<T> {
  const stub = env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(`storage-test/${name}`));
  return runInDurableObject(stub, (_instance, state) => body(state.storage.sql));
}

function summary(matchId: string, seq: number, extra: Partial<MatchSummary> = {}): MatchSummary {
  return {
    matchId,
    seq,
    status: "live",
    teams: ["Kings", "Royals"],
    title: "Kings v Royals",
    innings: [{ team: "Kings", runs: seq, wickets: 1, overs: "2.3" }],
    result: null,
    lastEventTs: "2024-04-01T10:00:00Z",
    viewers: 3,
    chase: null,
    ...extra,
  };
}

const TICKER = { minIntervalMs: 300, finishedForMs: 10_000, ringSize: 8 };

interface FakeHub {
  region: string;
  made: number;
}

describe("the tree's root (storage/tree-root.ts)", () => {
  it("forgets a region whose hub stopped reporting, keeps one that reports", () =>
    onFreshStorage("expire", (sql) => {
      const root = new TreeRoot(sql, "edge_regions", (region) => ({ region }));
      root.register("weur", 1_000);
      root.report("weur", 4, 7, 1_000);
      root.report("apac", 2, 5, 9_000);
      expect(root.regions().map((r) => r.region)).toEqual(["apac", "weur"]);
      // Counts expire before registrations: only apac's report is fresh at 10 s.
      expect(root.viewers(10_000, 2_000)).toBe(2);
      expect(root.viewers(10_000, 20_000)).toBe(6);
      const kept = root.expire(10_000, 5_000);
      expect(kept).toEqual([{ region: "apac", viewers: 2, confirmedSeq: 5, reportedAt: 9_000 }]);
      expect(root.regions().map((r) => r.region)).toEqual(["apac"]);
    }));

  it("keeps a region's registration time across reports, and a report re-registers a forgotten region", () =>
    onFreshStorage("reports", (sql) => {
      const root = new TreeRoot(sql, "edge_regions", (region) => ({ region }));
      root.register("weur", 1_000);
      root.report("weur", 9, 3, 2_000);
      root.register("weur", 3_000); // a hub registering again keeps its last report
      expect(root.regions()).toEqual([{ region: "weur", viewers: 9, confirmedSeq: 3, reportedAt: 2_000 }]);
      expect(root.forgetAll()).toBe(1);
      expect(root.regions()).toEqual([]);
      root.report("weur", 1, 4, 4_000);
      expect(root.regions()).toEqual([{ region: "weur", viewers: 1, confirmedSeq: 4, reportedAt: 4_000 }]);
    }));

  it("reads the index's older ticker_regions table (region, reported_at) and adds the columns", () =>
    onFreshStorage("migrate", (sql) => {
      sql.exec("CREATE TABLE ticker_regions (region TEXT PRIMARY KEY, reported_at INTEGER NOT NULL)");
      sql.exec("INSERT INTO ticker_regions (region, reported_at) VALUES ('enam', 500)");
      const root = new TreeRoot(sql, "ticker_regions", (region) => ({ region }));
      expect(root.regions()).toEqual([{ region: "enam", viewers: 0, confirmedSeq: 0, reportedAt: 500 }]);
      root.report("enam", 0, 0, 600);
      root.register("wnam", 700);
      expect(root.regions().map((r) => [r.region, r.reportedAt])).toEqual([
        ["enam", 600],
        ["wnam", 700],
      ]);
    }));

  it("publishes through one kept stub per hub, drops a region whose hub is inactive, keeps one that failed", () =>
    onFreshStorage("publish", async (sql) => {
      const made: FakeHub[] = [];
      const root = new TreeRoot<FakeHub>(sql, "edge_regions", (region) => {
        const hub = { region, made: made.filter((h) => h.region === region).length + 1 };
        made.push(hub);
        return hub;
      });
      for (const region of ["apac", "enam", "weur"]) root.register(region, 1_000);
      const answers: Record<string, () => Promise<HubAnswer>> = {
        apac: async () => ({ active: true }),
        enam: async () => ({ active: false }),
        weur: async () => {
          throw new Error("hub unreachable");
        },
      };
      const sent: string[] = [];
      const send = (hub: FakeHub) => {
        sent.push(`${hub.region}#${hub.made}`);
        return answers[hub.region]?.() ?? Promise.reject(new Error("no such hub"));
      };
      const regions = () => root.regions().map((r) => r.region);
      await root.publishToHubs(regions(), send, "test");
      expect(regions()).toEqual(["apac", "weur"]);
      await root.publishToHubs(regions(), send, "test");
      // apac's stub is the one made first; weur's failed call got it a new stub.
      expect(sent.sort()).toEqual(["apac#1", "apac#1", "enam#1", "weur#1", "weur#2"]);
    }));
});

describe("the directory (storage/directory-store.ts)", () => {
  it("keeps the newest seq, lists newest first, and answers has/remove/summaries", () =>
    onFreshStorage("directory", (sql) => {
      const directory = new DirectoryStore(sql, 5_000);
      directory.upsert(summary("m1", 10), 1_000);
      directory.upsert(summary("m1", 8, { status: "finished" }), 2_000); // older, out of order
      directory.upsert(summary("m2", 3), 3_000);
      expect(directory.list(3_000).map((m) => [m.matchId, m.seq, m.status])).toEqual([
        ["m2", 3, "live"],
        ["m1", 10, "live"],
      ]);
      expect(directory.has("m1")).toBe(true);
      expect([...directory.summaries(["m1", "m1", "gone"], 3_000).keys()]).toEqual(["m1"]);
      expect(directory.summaries(["m1"], 3_000).get("m1")).toEqual({
        ...summary("m1", 10),
        updatedAt: 1_000,
      });
      directory.remove("m1");
      expect(directory.has("m1")).toBe(false);
      expect(directory.entries()).toEqual([{ matchId: "m2", status: "live", updatedAt: 3_000 }]);
    }));

  it("reads a count not refreshed in time as 0 watching", () =>
    onFreshStorage("viewers", (sql) => {
      const directory = new DirectoryStore(sql, 5_000);
      directory.upsert(summary("m1", 1, { viewers: 12 }), 1_000);
      expect(directory.list(6_000)[0]?.viewers).toBe(12);
      expect(directory.list(6_001)[0]?.viewers).toBe(0);
    }));

  it("parses rows written by older builds field by field instead of trusting them", () =>
    onFreshStorage("old-rows", (sql) => {
      // The first shape of the table, before viewers and detail.
      sql.exec(`CREATE TABLE matches (match_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL,
        teams TEXT NOT NULL, title TEXT, updated_at INTEGER NOT NULL)`);
      sql.exec(`INSERT INTO matches VALUES ('old', 4, 'live', '["A", 7, "B"]', NULL, 100)`);
      const directory = new DirectoryStore(sql, 5_000);
      sql.exec(`INSERT INTO matches (match_id, seq, status, teams, title, updated_at, detail) VALUES
        ('bent', 2, 'live', 'not json', 'T', 200,
         '{"innings":[{"team":"A","runs":5,"wickets":0,"overs":"1.0"},{"team":"B"}],"result":7,"chase":{"target":"x"}}')`);
      const byId = directory.summaries(["old", "bent"], 300);
      expect(byId.get("old")).toMatchObject({
        teams: ["A", "B"],
        title: null,
        innings: [],
        result: null,
        lastEventTs: null,
        chase: null,
        viewers: 0,
      });
      expect(byId.get("bent")).toMatchObject({
        teams: [],
        innings: [{ team: "A", runs: 5, wickets: 0, overs: "1.0" }],
        result: null,
        chase: null,
      });
    }));
});

describe("the ticker's feed (storage/ticker-feed.ts)", () => {
  it("builds itself from the directory's entries, leaving private matches out", () =>
    onFreshStorage("ticker-start", (sql) => {
      const directory = new DirectoryStore(sql, 5_000);
      directory.upsert(summary("pub", 5), 1_000);
      directory.upsert(summary("private-one", 5), 1_000);
      directory.upsert(summary("done", 9, { status: "finished", result: "Kings won" }), 1_000);
      const feed = new TickerFeed(sql, TICKER, ["private-*"]);
      expect(feed.started()).toBe(false);
      feed.start(directory.entries());
      expect(feed.started()).toBe(true);
      const plan = feed.plan(2_000);
      expect(plan.matchIds.sort()).toEqual(["done", "pub"]);
      const { entries, nextAt } = feed.flush(plan, directory.summaries(plan.matchIds, 2_000), 2_000);
      expect(entries.map((e) => (e.kind === "headline" ? e.headline.matchId : e.matchId)).sort()).toEqual([
        "done",
        "pub",
      ]);
      // The finished match leaves the ticker finishedForMs after it was last updated.
      expect(nextAt).toBe(1_000 + TICKER.finishedForMs);
      expect(feed.full().headlines.map((h) => h.matchId)).toEqual(["done", "pub"]);
    }));

  it("numbers no version for a summary that changes nothing the ticker shows", () =>
    onFreshStorage("ticker-same", (sql) => {
      const directory = new DirectoryStore(sql, 60_000);
      const feed = new TickerFeed(sql, TICKER, []);
      feed.start([]);
      const flushAt = (now: number, only?: string) => {
        const plan = feed.plan(now, only);
        return feed.flush(plan, directory.summaries(plan.matchIds, now), now).entries;
      };
      directory.upsert(summary("m", 1), 1_000);
      feed.touch("m", "live", 1_000);
      expect(flushAt(1_000, "m")).toHaveLength(1);
      // A new seq with the same score line: the stored headline, read back, equals the new one.
      directory.upsert(summary("m", 1, { seq: 2 }), 2_000);
      feed.touch("m", "live", 2_000);
      expect(flushAt(2_000, "m")).toEqual([]);
      expect(feed.seq()).toBe(1);
      // That spent no interval: the next change goes out at once; the two after it wait for
      // the interval's end, and only the newest goes.
      directory.upsert(summary("m", 5), 2_100);
      feed.touch("m", "live", 2_100);
      expect(flushAt(2_100, "m")).toHaveLength(1);
      for (const [runs, at] of [
        [6, 2_200],
        [7, 2_300],
      ] as const) {
        directory.upsert(summary("m", runs), at);
        feed.touch("m", "live", at);
        expect(flushAt(at, "m")).toEqual([]);
      }
      const sent = flushAt(2_400);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.kind === "headline" && sent[0].headline.innings[0]?.runs).toBe(7);
      expect(feed.since(feed.epoch(), 2)).toEqual({ kind: "changes", epoch: feed.epoch(), entries: sent });
    }));

  it("answers every headline when a logged change no longer parses", () =>
    onFreshStorage("ticker-bent-log", (sql) => {
      const directory = new DirectoryStore(sql, 60_000);
      const feed = new TickerFeed(sql, TICKER, []);
      feed.start([]);
      for (const [seq, at] of [
        [1, 1_000],
        [2, 2_000],
      ] as const) {
        directory.upsert(summary("m", seq), at);
        feed.touch("m", "live", at);
        const plan = feed.plan(at, "m");
        feed.flush(plan, directory.summaries(plan.matchIds, at), at);
      }
      expect(feed.since(feed.epoch(), 0).kind).toBe("changes");
      sql.exec('UPDATE ticker_log SET entry = \'{"kind":"headline"}\' WHERE version = 1');
      const answer = feed.since(feed.epoch(), 0);
      expect(answer.kind).toBe("full");
      expect(answer.kind === "full" && answer.headlines.map((h) => h.innings[0]?.runs)).toEqual([2]);
    }));
});
