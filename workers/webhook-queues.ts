/**
 * The partner webhooks' queue consumers (docs/webhooks.md), thin shells over origin/webhooks/:
 * - `crease-moments`: each committed moment → one delivery per endpoint that wants it;
 * - `crease-webhook-deliveries`: POST one moment to one endpoint, signed; retry with backoff
 *   and full jitter for the retry window, then hand it to the dead-letter queue;
 * - `crease-webhook-dead-letters`: record each given-up delivery in the registry for replay.
 * None of this is on the ingest path: the ledger only enqueues (origin/webhooks/announce.ts).
 */

import { readConfig } from "../config/crease-config.ts";
import { isPrivateMatch } from "../edge/viewer-token.ts";
import { queueBatches } from "../origin/webhooks/announce.ts";
import { type MatchVisibility, namesMatch, recipients } from "../origin/webhooks/endpoint-filter.ts";
import { urlProblem } from "../origin/webhooks/endpoint-url.ts";
import { DELIVERY_HEADER, SIGNATURE_HEADER, signDelivery } from "../origin/webhooks/outbound-signature.ts";
import { fullJitterDelayS, retryDecision } from "../origin/webhooks/retry-policy.ts";
import type { WebhookConfig } from "../origin/webhooks/webhook-config.ts";
import {
  type DeadDeliveryMessage,
  type DeliveryMessage,
  deadDeliveryMessageSchema,
  deliveryMessageSchema,
  momentSchema,
} from "../protocol/webhooks.ts";
import { type AttemptReport, type DeliveryTarget, webhookRegistryStub } from "../rpc/webhook-registry.ts";

/** The queue names in wrangler.toml. */
export const MOMENTS_QUEUE = "crease-moments";
export const DELIVERIES_QUEUE = "crease-webhook-deliveries";
export const DEAD_LETTER_QUEUE = "crease-webhook-dead-letters";

/** Dispatches a batch to its queue's consumer; a batch from an unknown queue is retried (a misconfiguration). */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  switch (batch.queue) {
    case MOMENTS_QUEUE:
      return fanOut(batch, env);
    case DELIVERIES_QUEUE:
      return deliver(batch, env);
    case DEAD_LETTER_QUEUE:
      return recordDead(batch, env);
    default:
      console.error("batch from an unknown queue", batch.queue, batch.messages.length);
      batch.retryAll();
  }
}

/** Every message of a batch back on the queue with the backoff its attempts have earned. */
function retryWithBackoff(messages: readonly Message<unknown>[], config: WebhookConfig): void {
  for (const message of messages) {
    message.retry({ delaySeconds: fullJitterDelayS(message.attempts, config.retry, Math.random()) });
  }
}

async function sendAll(queue: Queue, bodies: readonly unknown[]): Promise<void> {
  for (const group of queueBatches(bodies, (body) => JSON.stringify(body).length)) {
    await queue.sendBatch(group.map((body) => ({ body, contentType: "json" as const })));
  }
}

/** PRIVATE_MATCHES decides; the webhook filter only learns which side of it a match is on. */
function visibilityOf(env: Env, matchId: string): MatchVisibility {
  return isPrivateMatch(readConfig(env).viewers.privateMatches, matchId) ? "private" : "public";
}

/**
 * Moments → deliveries, one per (endpoint, moment) the endpoint's filter passes. A private
 * match's moments go only to endpoints that name the match exactly (endpoint-filter.ts).
 */
async function fanOut(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = readConfig(env).webhooks;
  try {
    const subscribers = await webhookRegistryStub(env).subscribers();
    const now = Date.now();
    const deliveries: DeliveryMessage[] = [];
    for (const message of batch.messages) {
      const moment = momentSchema.safeParse(message.body);
      if (!moment.success) {
        console.error("moment refused", message.id, moment.error.issues[0]?.message);
        continue;
      }
      for (const endpointId of recipients(subscribers, moment.data, visibilityOf(env, moment.data.matchId))) {
        deliveries.push({ endpointId, moment: moment.data, enqueuedAt: now });
      }
    }
    await sendAll(env.WEBHOOK_DELIVERIES, deliveries);
    batch.ackAll();
  } catch (error) {
    // Retrying the whole batch may enqueue some deliveries twice: at least once, ids dedupe.
    console.error("moment fan-out failed", batch.messages.length, String(error));
    retryWithBackoff(batch.messages, config);
  }
}

interface Attempt {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
}

/** One signed POST with a timeout; the receiver's body is never read. */
async function post(target: DeliveryTarget, delivery: DeliveryMessage, timeoutMs: number): Promise<Attempt> {
  const body = JSON.stringify(delivery.moment);
  const signature = await signDelivery(target.secrets, body, Math.floor(Date.now() / 1000));
  const started = Date.now();
  try {
    const response = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Crease-Webhooks/1",
        [SIGNATURE_HEADER]: signature,
        [DELIVERY_HEADER]: delivery.moment.id,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      status: response.status,
      error: ok ? null : `HTTP ${response.status}`,
      latencyMs: Date.now() - started,
    };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      ok: false,
      status: null,
      error: timedOut ? `timeout after ${timeoutMs} ms` : `network: ${String(error).slice(0, 200)}`,
      latencyMs: Date.now() - started,
    };
  }
}

/** Deliveries → partners: POST each, ack or retry, and report the attempts to the registry. */
async function deliver(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = readConfig(env).webhooks;
  const registry = webhookRegistryStub(env);
  const parsed: { message: Message<unknown>; delivery: DeliveryMessage }[] = [];
  for (const message of batch.messages) {
    const delivery = deliveryMessageSchema.safeParse(message.body);
    if (delivery.success) parsed.push({ message, delivery: delivery.data });
    else {
      console.error("delivery refused", message.id, delivery.error.issues[0]?.message);
      message.ack();
    }
  }
  let targets: Map<string, DeliveryTarget>;
  try {
    const list = await registry.targets([...new Set(parsed.map((p) => p.delivery.endpointId))], Date.now());
    targets = new Map(list.map((t) => [t.id, t]));
  } catch (error) {
    console.error("webhook registry unavailable", String(error));
    retryWithBackoff(
      parsed.map((p) => p.message),
      config,
    );
    return;
  }

  const reports: AttemptReport[] = [];
  const dead: { message: Message<unknown>; body: DeadDeliveryMessage }[] = [];
  await Promise.all(
    parsed.map(async ({ message, delivery }) => {
      const target = targets.get(delivery.endpointId);
      if (!target) {
        message.ack(); // the endpoint was deleted: nobody is waiting for this
        return;
      }
      // Checked again here, not only at fan-out: a replayed dead letter, or a moment queued
      // before its match was listed in PRIVATE_MATCHES, must not reach an endpoint either.
      if (
        visibilityOf(env, delivery.moment.matchId) === "private" &&
        !namesMatch(target.matches, delivery.moment.matchId)
      ) {
        console.warn("private moment withheld", target.id, delivery.moment.matchId);
        message.ack();
        return;
      }
      // Checked again here, not only at registration: a URL stored by an older deploy or under
      // other settings is not dialled. Nothing is fetched; the delivery is given up with why.
      const refused = urlProblem(target.url, { allowLoopbackHttp: config.allowLoopbackHttp });
      if (refused !== null) {
        const reason = `url refused: ${refused}`.slice(0, 200);
        dead.push({
          message,
          body: { ...delivery, attempts: message.attempts - 1, reason, lastError: reason },
        });
        return;
      }
      if (target.status === "paused") {
        // Kept, not dropped: resume the endpoint and replay its dead letters.
        dead.push({
          message,
          body: { ...delivery, attempts: message.attempts - 1, reason: "endpoint paused" },
        });
        return;
      }
      const at = Date.now();
      const attempt = await post(target, delivery, config.timeoutMs);
      reports.push({
        endpointId: target.id,
        momentId: delivery.moment.id,
        at,
        ok: attempt.ok,
        latencyMs: attempt.latencyMs,
        status: attempt.status,
        error: attempt.error,
      });
      if (attempt.ok) {
        message.ack();
        return;
      }
      const decision = retryDecision({
        attempts: message.attempts,
        enqueuedAtMs: delivery.enqueuedAt,
        nowMs: Date.now(),
        policy: config.retry,
        random: Math.random(),
      });
      if (decision.kind === "retry") message.retry({ delaySeconds: decision.delaySeconds });
      else {
        const reason = decision.reason === "window" ? "retry window over" : "attempts exhausted";
        dead.push({
          message,
          body: { ...delivery, attempts: message.attempts, reason, lastError: attempt.error },
        });
      }
    }),
  );

  if (dead.length > 0) {
    try {
      await sendAll(
        env.WEBHOOK_DEAD_LETTERS,
        dead.map((d) => d.body),
      );
      for (const d of dead) d.message.ack();
    } catch (error) {
      console.error("dead-letter enqueue failed", dead.length, String(error));
      for (const d of dead) d.message.retry({ delaySeconds: 60 });
    }
  }
  try {
    const { paused } = await registry.recordAttempts(reports, config.pauseAfterMs);
    for (const id of paused) console.warn("webhook endpoint paused automatically", id);
  } catch (error) {
    // The deliveries themselves are settled above; only their figures are lost.
    console.error("webhook stats not recorded", reports.length, String(error));
  }
}

/** Dead deliveries → the registry, where the admin lists and replays them. */
async function recordDead(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const valid: DeadDeliveryMessage[] = [];
  for (const message of batch.messages) {
    const parsed = deadDeliveryMessageSchema.safeParse(message.body);
    if (parsed.success) valid.push(parsed.data);
    else console.error("dead letter refused", message.id, parsed.error.issues[0]?.message);
  }
  try {
    await webhookRegistryStub(env).recordDeadLetters(valid, Date.now());
    batch.ackAll();
  } catch (error) {
    console.error("dead letters not recorded", valid.length, String(error));
    retryWithBackoff(batch.messages, readConfig(env).webhooks);
  }
}
