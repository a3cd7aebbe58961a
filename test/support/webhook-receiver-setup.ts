/** For the workerd tier: one webhook receiver (test/support/webhook-receiver.ts) on 127.0.0.1 for the run. */
import type { TestProject } from "vitest/node";
import { WebhookReceiver } from "./webhook-receiver.ts";

declare module "vitest" {
  interface ProvidedContext {
    webhookReceiver: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const receiver = new WebhookReceiver();
  project.provide("webhookReceiver", await receiver.start());
  return () => receiver.stop();
}
