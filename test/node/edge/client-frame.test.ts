import { describe, expect, it } from "vitest";
import { onClientFrame } from "../../../edge/client-frame.ts";
import { RESUME_METER_POLICY } from "../../../edge/resume-meter.ts";
import { freshAttachment } from "../../../edge/socket-attachment.ts";

const meter = { burst: 60, perSecond: 5 };
const joined = freshAttachment(1_000, false);

describe("a viewer's frame, decided the same for every feed", () => {
  it("a plain ping is heard and kept; an acknowledgement moves the position and ends a conflation with a resync", () => {
    const plain = onClientFrame(joined, { type: "ping" }, 2_000, meter);
    expect(plain).toMatchObject({ do: "keep", attachment: { heardAt: 2_000, ackSeq: null } });
    const acked = onClientFrame(joined, { type: "ping", seq: 7 }, 2_000, meter);
    expect(acked).toMatchObject({ do: "keep", attachment: { ackSeq: 7, ackAt: 2_000, lagging: false } });
    const lagging = onClientFrame({ ...joined, lagging: true }, { type: "ping", seq: 7 }, 2_000, meter);
    expect(lagging).toMatchObject({ do: "resync", attachment: { lagging: false, ackSeq: 7 } });
  });

  it("a resume is answered (the socket not ready until then) with its position, and charged by the meter", () => {
    const action = onClientFrame(joined, { type: "resume", since: 4, epoch: "e1" }, 2_000, meter);
    expect(action).toMatchObject({ do: "answer", since: 4, epoch: "e1", attachment: { ready: false } });
    if (action.do !== "answer") throw new Error("expected an answer");
    expect(action.attachment.resume?.answeringSince).toBe(2_000);
    // A second resume while the first is being answered is covered by it.
    const again = onClientFrame(action.attachment, { type: "resume", since: 4, epoch: "e1" }, 2_010, meter);
    expect(again.do).toBe("keep");
  });

  it("no more replays for a socket that has not read what it was sent: refused as a slow reader", () => {
    const unread = {
      ...joined,
      resume: {
        unreadBytes: RESUME_METER_POLICY.maxUnreadBytes + 1,
        throughSeq: 9,
        tokens: 1_000_000,
        at: 1_000,
        answeringSince: null,
      },
    };
    expect(onClientFrame(unread, { type: "resume", since: 0, epoch: "e1" }, 2_000, meter)).toMatchObject({
      do: "refuse",
      reason: expect.any(String),
    });
  });

  it("past the frame meter the socket is closed with 1008, nothing stored", () => {
    let attachment = joined;
    let last = onClientFrame(attachment, { type: "ping", seq: 1 }, 2_000, meter);
    for (let i = 0; i < 100 && last.do !== "close"; i++) {
      attachment = last.attachment;
      last = onClientFrame(attachment, { type: "ping", seq: 1 }, 2_000, meter);
    }
    expect(last).toEqual({ do: "close", code: 1008, reason: "rate limited" });
  });
});
