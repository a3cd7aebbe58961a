/** A room's membership in its publication tree (edge/tree-member.ts), against fake ports and a fake child book. */
import { describe, expect, it, vi } from "vitest";
import type { ShardPort, TreeParentPort, UpstreamAnswer } from "../../../edge/fanout-tree.ts";
import { type ChildBook, type MemberRoom, TreeMember } from "../../../edge/tree-member.ts";

type Identity = { region: string; shard: number };

function setUp(opts: { shard?: number; local?: number; head?: { epoch: string | null; seq: number } } = {}) {
  const children = new Map<number, { viewers: number; reportedAt: number }>();
  const book: ChildBook = {
    children: () => [...children].map(([shard, c]) => ({ shard, ...c })),
    putChild: (shard, viewers, at) => void children.set(shard, { viewers, reportedAt: at }),
    removeChild: (shard) => void children.delete(shard),
  };
  const root: TreeParentPort = {
    join: vi.fn(async () => ({ viewers: 10, seq: 5, epoch: "e1" }) as UpstreamAnswer),
    report: vi.fn(async (viewers: number) => ({ viewers: viewers + 100, seq: 5, epoch: "e1" })),
    leave: vi.fn(async () => undefined),
  };
  const published: number[] = [];
  const shardPort = (shard: number): ShardPort<Identity, string> => ({
    publish: async () => {
      published.push(shard);
      if (shard === 2) throw new Error("child 2 is down");
      return { active: shard !== 3 };
    },
    registerChild: async () => ({ viewers: 7, seq: 5, epoch: "e1" }),
    unregisterChild: async () => undefined,
  });
  const pulls: Identity[] = [];
  const later: Promise<unknown>[] = [];
  const tree = new TreeMember<Identity, string>(book, { fanout: 4, maxShards: 20, childTimeoutMs: 1000 });
  const room: MemberRoom<Identity, string> = {
    root: () => root,
    shard: (_identity, shard) => shardPort(shard),
    head: () => opts.head ?? { epoch: "e1", seq: 3 },
    localViewers: () => opts.local ?? 0,
    pull: async (identity) => void pulls.push(identity),
    later: (work) => void later.push(work),
    describe: () => "test room",
  };
  // Every call takes the room, as the fan-out core passes itself.
  const member = {
    get viewers() {
      return tree.viewers;
    },
    join: (identity: Identity, pull: boolean) => tree.join(room, identity, pull),
    report: (identity: Identity) => tree.report(room, identity),
    expire: (now: number) => tree.expire(room, now),
    forward: (identity: Identity, publication: string) => tree.forward(room, identity, publication),
    registerChild: (identity: Identity, viewers: number, now: number) =>
      tree.registerChild(room, identity, viewers, now),
    parentShardOf: (child: number) => tree.parentShardOf(child),
  };
  const identity = { region: "weur", shard: opts.shard ?? 0 };
  return { member, book, root, published, pulls, later, identity };
}

describe("a room in its publication tree", () => {
  it("joins the root as a hub, learns the total, and pulls when asked and behind", async () => {
    const { member, root, pulls, identity } = setUp({ local: 2 });
    await member.join(identity, true);
    expect(root.join).toHaveBeenCalledWith(2);
    expect(member.viewers).toEqual({ total: 10, stale: false });
    expect(pulls).toEqual([identity]);
  });

  it("does not pull at a join told not to, nor when it holds what the parent holds", async () => {
    const one = setUp();
    await one.member.join(one.identity, false);
    expect(one.pulls).toEqual([]);
    const two = setUp({ head: { epoch: "e1", seq: 5 } });
    await two.member.join(two.identity, true);
    expect(two.pulls).toEqual([]);
  });

  it("reports its subtree's viewers up, and marks the total stale when the parent does not answer", async () => {
    const { member, book, root, identity } = setUp({ local: 3 });
    book.putChild(1, 40, 0);
    await member.report(identity);
    expect(root.report).toHaveBeenCalledWith(43, { epoch: "e1", seq: 3 });
    expect(member.viewers).toEqual({ total: 143, stale: false });
    vi.mocked(root.report).mockRejectedValueOnce(new Error("down"));
    vi.spyOn(console, "error").mockImplementationOnce(() => undefined);
    await member.report(identity);
    expect(member.viewers).toEqual({ total: 143, stale: true });
  });

  it("forgets children that stopped reporting, and is idle with none left and no sockets", () => {
    const { member, book } = setUp();
    book.putChild(1, 5, 0);
    book.putChild(2, 5, 900);
    expect(member.expire(1500)).toBe(true);
    expect(book.children().map((c) => c.shard)).toEqual([2]);
    expect(member.expire(3000)).toBe(false);
  });

  it("forwards to its own children only, forgets those that say nobody is left, keeps a failed one", async () => {
    const { member, book, published, later, identity } = setUp();
    for (const shard of [1, 2, 3, 7]) book.putChild(shard, 1, 0);
    vi.spyOn(console, "error").mockImplementationOnce(() => undefined);
    member.forward(identity, "v6");
    await Promise.all(later);
    // Shard 7 is not a child of hub 0 with fanout 4 (its children are 1..4).
    expect(published.sort()).toEqual([1, 2, 3]);
    expect(book.children().map((c) => c.shard)).toEqual([1, 2, 7]);
  });

  it("answers a child's registration with the tree's total and its own position", async () => {
    const { member, book } = setUp({ shard: 0, local: 4, head: { epoch: "e1", seq: 9 } });
    expect(member.registerChild({ region: "weur", shard: 1 }, 12, 100)).toEqual({
      viewers: 4,
      seq: 9,
      epoch: "e1",
    });
    expect(book.children()).toEqual([{ shard: 1, viewers: 12, reportedAt: 100 }]);
    expect(member.parentShardOf(5)).toBe(1);
    expect(member.parentShardOf(1)).toBe(0);
  });
});
