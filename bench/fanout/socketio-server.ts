/**
 * A Socket.IO room, the usual choice for "broadcast to everyone watching X". Subscribers join
 * the room `match` on connect; each POST /publish is acknowledged, then emitted to the room
 * as a `patch` event. WebSocket transport only (no long-polling), no compression. Run as a child
 * of bench/run.ts: it reports its port over IPC and exits when the harness goes away.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/publish") {
    // socket.io answers its own /socket.io/ requests before this listener sees them.
    if (!req.url?.startsWith("/socket.io/")) res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    // Acknowledge first, then fan out, as Crease's webhook does (2xx at the commit, publish after).
    res.writeHead(200).end("ok");
    io.to("match").emit("patch", Buffer.concat(chunks).toString("utf8"));
  });
});
const io = new Server(server, { transports: ["websocket"], perMessageDeflate: false, serveClient: false });
io.on("connection", (socket) => {
  socket.join("match");
  socket.emit("hello");
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
process.on("disconnect", () => process.exit(0));
