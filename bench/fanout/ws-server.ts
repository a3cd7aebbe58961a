/**
 * The floor: a plain `ws` broadcast server on Node, about what a JavaScript server can do at
 * best. Subscribers connect to `/`; each POST /publish is sent verbatim to every subscriber,
 * right after it is acknowledged. Run as a child of bench/run.ts: it reports its port over IPC and exits
 * when the harness goes away.
 */
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/publish") {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const text = Buffer.concat(chunks).toString("utf8");
    // Acknowledge first, then fan out, as Crease's webhook does (2xx at the commit, publish after).
    res.writeHead(200).end("ok");
    for (const client of wss.clients) client.send(text);
  });
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (ws) => ws.send('{"type":"hello"}'));

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
process.on("disconnect", () => process.exit(0));
