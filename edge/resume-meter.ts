/**
 * What a socket's resumes make the room send. The frame meter (./frame-meter.ts) bounds how
 * often a socket may ask; this bounds what its asking costs. A resume from far back is answered
 * with up to 500 versions (hundreds of KB), and Workers sockets have no backpressure: a socket
 * that never read but asked once every 2.1 s, inside the frame meter, had 9.4 MB queued for it
 * in 50 s (issue 18). So each answer to a `resume` or `subscribe` is charged by its bytes, in the
 * socket's attachment (hibernation cannot reset it), under three rules:
 *
 * - **unread:** answers the socket has not acknowledged (a `ping` whose seq reaches the newest
 *   answer's) add up; from `maxUnreadBytes` on it gets no more replays: it has not read what
 *   it was sent;
 * - **overspent:** answers also drain a byte bucket (`burstBytes`, `bytesPerSecond` back), so a
 *   socket that acknowledges what it never read (it can) is still held to a rate;
 * - **answering:** a resume that arrives while the socket's previous one is still being
 *   answered is covered by that answer (it brings the socket to the room's newest version
 *   either way), so a burst of resumes costs one answer, not one each.
 *
 * The first two close the socket as a slow reader (4008 after a `retry` frame: reconnect and
 * resume from what you hold). The client library stays far inside: it resumes once per gap
 * (in practice a few small patches), never while a resume is pending, and acknowledges as it
 * applies. Pure: the room passes the clock and the sizes in.
 */

/** A socket's account; null until its first answered resume (nothing owed, bucket full). */
export interface ResumeMeter {
  /** Bytes of answers not acknowledged yet... */
  unreadBytes: number;
  /** ...and the room's seq when the newest of them was sent: an ack at or past it reads them all. */
  throughSeq: number;
  /** Bytes left in the bucket when last charged (below zero after an answer larger than what was left), and when. */
  tokens: number;
  at: number;
  /** When the answer being built for this socket was started; null when none is. */
  answeringSince: number | null;
}

export interface ResumeMeterPolicy {
  maxUnreadBytes: number;
  burstBytes: number;
  bytesPerSecond: number;
  /** An answer not finished by then is taken as lost (the room restarted mid-answer). */
  answeringTimeoutMs: number;
}

/**
 * The limits. A T20 ball's patch is about 2 KB, so 256 KiB unacknowledged is a catch-up of some
 * 130 versions; the largest a resume can ask for (500 versions) is still answered, once, and the
 * next waits for its acknowledgement. 1 MiB may go at once, then 16 KiB a second: eight
 * versions a second without end, far more than a feed that gaps now and then ever asks.
 */
export const RESUME_METER_POLICY: ResumeMeterPolicy = {
  maxUnreadBytes: 256 * 1024,
  burstBytes: 1024 * 1024,
  bytesPerSecond: 16 * 1024,
  answeringTimeoutMs: 30_000,
};

/**
 * - `answer`: build and send the answer;
 * - `answering`: one is being built: this resume is covered by it, send nothing more;
 * - `unread`: the socket has not acknowledged what it was sent: no more replays;
 * - `overspent`: its answers used up the byte budget.
 */
export type ResumeVerdict = "answer" | "answering" | "unread" | "overspent";

export function judgeResume(
  meter: ResumeMeter | null,
  now: number,
  policy: ResumeMeterPolicy,
): ResumeVerdict {
  if (meter === null) return "answer";
  if (meter.answeringSince !== null && now - meter.answeringSince < policy.answeringTimeoutMs)
    return "answering";
  if (meter.unreadBytes >= policy.maxUnreadBytes) return "unread";
  return available(meter, now, policy) > 0 ? "answer" : "overspent";
}

/** The room starts building an answer for this socket. */
export function startAnswer(meter: ResumeMeter | null, now: number, policy: ResumeMeterPolicy): ResumeMeter {
  const base = meter ?? { unreadBytes: 0, throughSeq: 0, tokens: policy.burstBytes, at: now };
  return { ...base, answeringSince: now };
}

/**
 * The answer went out: `bytes` sent (zero for a snapshot owed until the cooldown: the presence
 * tick sends that one, at most one per cooldown), with the room at `seq`.
 */
export function chargeAnswer(
  meter: ResumeMeter | null,
  answer: AnswerSent,
  now: number,
  policy: ResumeMeterPolicy,
): ResumeMeter {
  const base = meter ?? startAnswer(null, now, policy);
  return {
    unreadBytes: base.unreadBytes + answer.bytes,
    throughSeq: Math.max(base.throughSeq, answer.seq),
    tokens: available(base, now, policy) - answer.bytes,
    at: now,
    answeringSince: null,
  };
}

/** An acknowledgement of `seq`: everything answered up to it has been read. */
export function acknowledgeAnswers(meter: ResumeMeter | null, seq: number): ResumeMeter | null {
  if (meter === null || meter.unreadBytes === 0 || seq < meter.throughSeq) return meter;
  return { ...meter, unreadBytes: 0 };
}

/** The bucket now: refilled since it was last charged, up to the burst. A clock that went backwards refills nothing. */
function available(meter: ResumeMeter, now: number, policy: ResumeMeterPolicy): number {
  const elapsedMs = Math.max(0, now - meter.at);
  return Math.min(policy.burstBytes, meter.tokens + (elapsedMs / 1000) * policy.bytesPerSecond);
}

/** What answering one resume sent: its bytes, with the room at `seq`. */
export interface AnswerSent {
  bytes: number;
  seq: number;
}

/**
 * A frame's size as charged: a text frame's length (the frames are JSON, nearly all ASCII, so
 * near enough to its UTF-8 bytes without encoding it again), a binary frame's bytes.
 */
export function frameBytes(frame: string | Uint8Array): number {
  return typeof frame === "string" ? frame.length : frame.byteLength;
}

/** The close reasons (with 4008, after a `retry` frame) for a resume the meter refuses. */
export const RESUME_REFUSALS = {
  unread: "too slow: earlier replays not acknowledged; reconnect and resume",
  overspent: "too many replays: reconnect and resume",
} as const satisfies Record<Exclude<ResumeVerdict, "answer" | "answering">, string>;
