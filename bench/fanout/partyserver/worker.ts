/**
 * The `partyserver` baseline: one room (a Durable Object with hibernating WebSockets, the way
 * Cloudflare's own PartyKit builds it). Subscribers connect to /parties/bench-room/match; a
 * POST to the same path is acknowledged, then broadcast to every connection.
 */
import { type Connection, routePartykitRequest, Server } from "partyserver";

export class BenchRoom extends Server {
  static override options = { hibernate: true };

  override onConnect(connection: Connection): void {
    connection.send('{"type":"hello"}');
  }

  override async onRequest(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("not found", { status: 404 });
    const text = await request.text();
    // Acknowledge first, then fan out, as Crease's webhook does (2xx at the commit, publish after).
    setTimeout(() => this.broadcast(text), 0);
    return new Response("ok");
  }
}

export default {
  // This Worker's own bindings (BenchRoom, wrangler.toml here), not Crease's generated Cloudflare.Env.
  async fetch(request: Request, env: Cloudflare.Env): Promise<Response> {
    return (await routePartykitRequest(request, env)) ?? new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Cloudflare.Env>;
