import { describe, expect, it } from "vitest";
import {
  acknowledgeAnswers,
  chargeAnswer,
  judgeResume,
  RESUME_METER_POLICY,
  type ResumeMeter,
  type ResumeVerdict,
  startAnswer,
} from "../../../edge/resume-meter.ts";

const policy = RESUME_METER_POLICY;
const KiB = 1024;

/**
 * A socket that sends a resume every `everyMs`, each answered with `bytes` at once, and (when
 * `acks`) acknowledges every answer as soon as it is sent (reading it or not: the room cannot
 * tell). Returns how many were answered and the bytes they sent before the first refusal.
 */
function resumeEvery(
  everyMs: number,
  bytes: number,
  opts: { acks: boolean; forMs: number },
): { answered: number; bytes: number; refused: ResumeVerdict | null } {
  let meter: ResumeMeter | null = null;
  let sent = 0;
  let answered = 0;
  for (let now = 0, seq = 100; now <= opts.forMs; now += everyMs, seq++) {
    const verdict = judgeResume(meter, now, policy);
    if (verdict !== "answer") return { answered, bytes: sent, refused: verdict };
    meter = chargeAnswer(startAnswer(meter, now, policy), { bytes, seq }, now, policy);
    sent += bytes;
    answered++;
    if (opts.acks) meter = acknowledgeAnswers(meter, seq);
  }
  return { answered, bytes: sent, refused: null };
}

describe("the resume meter", () => {
  it("answers a socket's first resume, whatever it asks for", () => {
    expect(judgeResume(null, 0, policy)).toBe("answer");
  });

  it("cuts the socket of issue 18 (a 390 KB replay every 2.1 s, never read) at its second resume", () => {
    const run = resumeEvery(2100, 390 * KiB, { acks: false, forMs: 50_000 });
    expect(run).toEqual({ answered: 1, bytes: 390 * KiB, refused: "unread" });
  });

  it("cuts a socket that never acknowledges once its small answers add up to 256 KiB", () => {
    const run = resumeEvery(2100, 15 * KiB, { acks: false, forMs: 600_000 });
    expect(run.refused).toBe("unread");
    expect(run.bytes).toBeGreaterThanOrEqual(policy.maxUnreadBytes);
    expect(run.bytes).toBeLessThan(policy.maxUnreadBytes + 15 * KiB);
  });

  it("holds a socket that acknowledges what it never read to the byte budget: 1 MiB at once, then 16 KiB a second", () => {
    const run = resumeEvery(2100, 390 * KiB, { acks: true, forMs: 50_000 });
    expect(run.refused).toBe("overspent");
    // The burst and what came back meanwhile, plus the answer that overdrew it.
    expect(run.bytes).toBeLessThanOrEqual(policy.burstBytes + 390 * KiB + run.answered * 2.1 * 16 * KiB);
    expect(run.bytes).toBeLessThan(2 * 1024 * KiB);
  });

  it("never refuses a client-library-like socket: a few patches per gap, acknowledged, for an hour", () => {
    // A gap every 10 s (far more than a real feed has), answered with 5 patches and a presence.
    const run = resumeEvery(10_000, 5 * 800 + 120, { acks: true, forMs: 3_600_000 });
    expect(run.refused).toBeNull();
    expect(run.answered).toBe(361);
  });

  it("lets the largest single catch-up through once, then waits for it to be acknowledged", () => {
    let meter = chargeAnswer(startAnswer(null, 0, policy), { bytes: 400 * KiB, seq: 600 }, 0, policy);
    expect(judgeResume(meter, 1000, policy)).toBe("unread");
    // An acknowledgement short of the answer's seq has not read it all.
    meter = acknowledgeAnswers(meter, 599) ?? meter;
    expect(judgeResume(meter, 1000, policy)).toBe("unread");
    meter = acknowledgeAnswers(meter, 600) ?? meter;
    expect(judgeResume(meter, 1000, policy)).toBe("answer");
  });

  it("covers a resume that arrives while one is being answered, until the answer is sent or taken as lost", () => {
    const answering = startAnswer(null, 1000, policy);
    expect(judgeResume(answering, 1001, policy)).toBe("answering");
    expect(judgeResume(answering, 1000 + policy.answeringTimeoutMs, policy)).toBe("answer");
    const done = chargeAnswer(answering, { bytes: 2 * KiB, seq: 7 }, 1050, policy);
    expect(done.answeringSince).toBeNull();
    expect(judgeResume(done, 1051, policy)).toBe("answer");
  });

  it("refills the byte bucket over time, up to the burst, and never from a clock that went backwards", () => {
    const overdrawn = chargeAnswer(null, { bytes: policy.burstBytes + 16 * KiB, seq: 1 }, 0, policy);
    const acked = acknowledgeAnswers(overdrawn, 1);
    expect(judgeResume(acked, 0, policy)).toBe("overspent");
    expect(judgeResume(acked, -5000, policy)).toBe("overspent");
    expect(judgeResume(acked, 1000, policy)).toBe("overspent");
    expect(judgeResume(acked, 1001, policy)).toBe("answer");
    const later = chargeAnswer(acked, { bytes: 0, seq: 1 }, 10_000_000, policy);
    expect(later.tokens).toBe(policy.burstBytes);
  });

  it("counts an owed snapshot (nothing sent yet) as nothing", () => {
    const meter = chargeAnswer(startAnswer(null, 0, policy), { bytes: 0, seq: 3 }, 0, policy);
    expect(meter).toMatchObject({ unreadBytes: 0, tokens: policy.burstBytes, answeringSince: null });
  });
});
