/**
 * What a room does with one frame from a viewer, whatever the feed: pure, so the Durable Object
 * only carries the answer out (durable-objects/fanout-room.ts). The frame meter charges every
 * frame; an acknowledgement moves the socket's position and the resume meter's budget; a resume
 * is charged by what its answer sends (edge/resume-meter.ts), not only by the frame.
 */
import { assertNever } from "../protocol/assert-never.ts";
import { CLOSE_CODES, type ClientMessage } from "../protocol/live-messages.ts";
import { FRAME_COSTS, type FrameMeterPolicy, meterFrame } from "./frame-meter.ts";
import {
  acknowledgeAnswers,
  judgeResume,
  RESUME_METER_POLICY,
  RESUME_REFUSALS,
  startAnswer,
} from "./resume-meter.ts";
import type { SocketAttachment } from "./socket-attachment.ts";

export type FrameAction =
  /** Over the frame meter: closed (1008), nothing stored. */
  | { do: "close"; code: number; reason: string }
  /** Store the attachment; nothing else to do. */
  | { do: "keep"; attachment: SocketAttachment }
  /** A conflated reader acknowledged again: it gets the newest state in one go, not the backlog. */
  | { do: "resync"; attachment: SocketAttachment }
  /** The resume meter says no more replays: closed as a slow reader (4008) with a retry hint. */
  | { do: "refuse"; attachment: SocketAttachment; reason: string }
  /** Answer the resume (then charge what the answer sent). */
  | { do: "answer"; attachment: SocketAttachment; since?: number | undefined; epoch?: string | undefined };

export function onClientFrame(
  attachment: SocketAttachment,
  message: ClientMessage,
  now: number,
  meterPolicy: FrameMeterPolicy,
): FrameAction {
  const metered = meterFrame(attachment.meter, FRAME_COSTS[message.type], now, meterPolicy);
  if (!metered.allowed) return { do: "close", code: CLOSE_CODES.policyViolation, reason: "rate limited" };
  const heard = { ...attachment, meter: metered.meter, heardAt: now };
  switch (message.type) {
    case "ping": {
      if (message.seq === undefined) return { do: "keep", attachment: heard };
      const resume = acknowledgeAnswers(attachment.resume, message.seq);
      const acked = { ...heard, ackSeq: message.seq, ackAt: now, lagging: false, resume };
      return { do: attachment.lagging ? "resync" : "keep", attachment: acked };
    }
    case "subscribe":
    case "resume": {
      const verdict = judgeResume(attachment.resume, now, RESUME_METER_POLICY);
      if (verdict === "answering") return { do: "keep", attachment: heard }; // covered by the answer on its way
      if (verdict !== "answer") return { do: "refuse", attachment: heard, reason: RESUME_REFUSALS[verdict] };
      const resume = startAnswer(attachment.resume, now, RESUME_METER_POLICY);
      return {
        do: "answer",
        attachment: { ...heard, ready: false, resume },
        since: message.since,
        epoch: message.epoch,
      };
    }
    default:
      return assertNever(message);
  }
}
