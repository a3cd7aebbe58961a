/**
 * A partner's webhook receiver for the tests: a real HTTP server on 127.0.0.1 that records
 * every delivery and answers as each receiver (a path `/r/<name>`) is told to:
 * - `ok`: 200 at once;
 * - `flaky`: fails a moment's first attempts, by its id: some with 500, some by never
 *   answering (the sender's timeout), some both, then 200;
 * - `never`: holds every request open without answering;
 * - `down`: closes the connection without a response.
 * `GET /r/<name>/log` answers what that receiver got; `PUT /r/<name>/mode` changes its mode.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const RECEIVER_MODES = ["ok", "flaky", "never", "down"] as const;
export type ReceiverMode = (typeof RECEIVER_MODES)[number];

export interface ReceivedDelivery {
  at: number;
  deliveryId: string;
  signature: string;
  contentType: string;
  body: string;
  /** What this receiver did with it: a status, "hang" or "drop". */
  answer: number | "hang" | "drop";
}

/** The flaky receiver's answers to a moment's 1st, 2nd, … attempts, by a hash of its id. */
const FLAKY_PATTERNS: readonly (readonly (number | "hang")[])[] = [
  [500, 200],
  ["hang", 200],
  [500, "hang", 200],
  [503, 500, 200],
];

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export class WebhookReceiver {
  private server: Server | null = null;
  private readonly modes = new Map<string, ReceiverMode>();
  private readonly logs = new Map<string, ReceivedDelivery[]>();
  private readonly attempts = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  url = "";

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch(() => response.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  setMode(name: string, mode: ReceiverMode): void {
    this.modes.set(name, mode);
  }

  log(name: string): ReceivedDelivery[] {
    return this.logs.get(name) ?? [];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/r\/([\w-]+)(\/log|\/mode)?$/.exec(request.url ?? "");
    if (!match?.[1]) {
      response.writeHead(404).end();
      return;
    }
    const name = match[1];
    const body = await readBody(request);
    if (match[2] === "/log" && request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.log(name)));
      return;
    }
    if (match[2] === "/mode" && request.method === "PUT") {
      const mode = RECEIVER_MODES.find((m) => m === body.trim());
      if (!mode) {
        response.writeHead(400).end();
        return;
      }
      this.setMode(name, mode);
      response.writeHead(204).end();
      return;
    }
    const deliveryId = String(request.headers["x-crease-delivery"] ?? "");
    const key = `${name} ${deliveryId}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const answer = this.answer(this.modes.get(name) ?? "ok", deliveryId, attempt);
    const log = this.logs.get(name) ?? [];
    log.push({
      at: Date.now(),
      deliveryId,
      signature: String(request.headers["x-crease-signature"] ?? ""),
      contentType: String(request.headers["content-type"] ?? ""),
      body,
      answer,
    });
    this.logs.set(name, log);
    if (answer === "drop") response.destroy();
    else if (answer === "hang") {
      this.hanging.add(response);
      response.on("close", () => this.hanging.delete(response));
    } else response.writeHead(answer, { "content-type": "text/plain" }).end(answer === 200 ? "ok" : "nope");
  }

  private answer(mode: ReceiverMode, deliveryId: string, attempt: number): number | "hang" | "drop" {
    switch (mode) {
      case "ok":
        return 200;
      case "never":
        return "hang";
      case "down":
        return "drop";
      case "flaky": {
        const pattern = FLAKY_PATTERNS[hash(deliveryId) % FLAKY_PATTERNS.length] ?? [200];
        return pattern[Math.min(attempt, pattern.length) - 1] ?? 200;
      }
    }
  }
}
