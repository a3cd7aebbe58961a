/**
 * The floor on Crease's own runtime: a bare hibernating Durable Object, nothing a framework
 * adds. A WebSocket to /room is accepted with `ctx.acceptWebSocket` and greeted; a POST to
 * /room is acknowledged, then sent to every socket `ctx.getWebSockets()` returns, as Crease's
 * webhook acknowledges at the commit and publishes after.
 */
import { DurableObject } from "cloudflare:workers";

interface BareEnv {
  BareRoom: DurableObjectNamespace<BareRoom>;
}

export class BareRoom extends DurableObject<BareEnv> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") === "websocket") {
      const { 0: client, 1: server } = new WebSocketPair();
      this.ctx.acceptWebSocket(server);
      server.send('{"type":"hello"}');
      return new Response(null, { status: 101, webSocket: client });
    }
    if (request.method !== "POST") return new Response("not found", { status: 404 });
    const text = await request.text();
    setTimeout(() => {
      for (const ws of this.ctx.getWebSockets()) ws.send(text);
    }, 0);
    return new Response("ok");
  }

  // Hibernation needs the handler; a subscriber's heartbeat is all that arrives, and needs no answer.
  override webSocketMessage(): void {}
}

export default {
  fetch(request: Request, env: BareEnv): Promise<Response> | Response {
    if (new URL(request.url).pathname !== "/room") return new Response("not found", { status: 404 });
    return env.BareRoom.get(env.BareRoom.idFromName("room")).fetch(request);
  },
} satisfies ExportedHandler<BareEnv>;
