import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { SnapshotCache } from "../../../edge/snapshot-cache.ts";
import type { SocketAttachment } from "../../../edge/socket-attachment.ts";
import { SocketBook } from "../../../edge/socket-book.ts";

describe("a room's snapshot cache", () => {
  it("serialises and gzips a version's snapshot once, however many viewers join at it", async () => {
    const cache = new SnapshotCache();
    let builds = 0;
    const build = () => {
      builds++;
      return JSON.stringify({ type: "snapshot", seq: 7, state: { runs: 120 } });
    };
    const texts = [cache.text("e:7", build), cache.text("e:7", build)];
    const [a, b] = await Promise.all([cache.gzip("e:7", build), cache.gzip("e:7", build)]);
    expect(builds).toBe(1);
    expect(a).toBe(b);
    expect(gunzipSync(a).toString("utf8")).toBe(texts[0]);
    cache.text("e:8", build); // the next version
    expect(builds).toBe(2);
    cache.clear();
    cache.text("e:8", build);
    expect(builds).toBe(3);
  });
});

/** A stand-in for a hibernatable socket: counts how often its attachment is read back. */
class FakeSocket {
  reads = 0;
  stored: unknown;
  constructor(stored: unknown) {
    this.stored = stored;
  }
  serializeAttachment(value: unknown): void {
    this.stored = structuredClone(value);
  }
  deserializeAttachment(): unknown {
    this.reads++;
    return structuredClone(this.stored);
  }
}

const attachment: SocketAttachment = {
  joinedAt: 1,
  ready: true,
  ackSeq: null,
  ackAt: null,
  lagging: false,
  bridge: false,
  format: "json-patch",
  heardAt: null,
  meter: null,
  snapshotAt: null,
  snapshotOwed: false,
  gzip: true,
  moments: false,
  resume: null,
};

describe("a room's book of socket attachments", () => {
  it("reads an attachment back once per wake-up, writes through, and refuses one it cannot read", () => {
    const book = new SocketBook<FakeSocket>();
    const ws = new FakeSocket(attachment);
    for (let i = 0; i < 5; i++) expect(book.receivesBroadcasts(ws)).toBe(true);
    expect(ws.reads).toBe(1);
    book.update(ws, { lagging: true });
    expect(book.receivesBroadcasts(ws)).toBe(false);
    // What a woken room (a new book) reads is what was written.
    expect(new SocketBook<FakeSocket>().get(ws)?.lagging).toBe(true);
    expect(new SocketBook<FakeSocket>().get(new FakeSocket({ ready: "yes" }))).toBeNull();
  });
});
