// The least a Node socket.io 4 server must do to relay chat messages: `huddle-bench fanout`'s
// second baseline, doing what its bare socketioxide server does. Every socket of /chat/bench
// joins room `bench`; `send_message` {content} goes to the whole room as `message_received`
// (with the fields of Huddle's payload, so the bytes on the wire match) and is acked
// `{ok: true, message}`. No auth, checks, Markdown or storage.
//
// Listens on 127.0.0.1 (any port) and prints `listening on http://…` like Huddle does.
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");

const NAMESPACE = "/chat/bench";
const ROOM = "bench";

// Small frames go out at once, as with TCP_NODELAY on the Rust servers.
const httpServer = http.createServer({ noDelay: true });
const io = new Server(httpServer, { transports: ["websocket", "polling"] });

let seq = 0;

function message(content, seq) {
  return {
    message_id: `node-${seq}`,
    project_name: "bench",
    channel: "general",
    author_type: "user",
    author_id: "bench",
    author_name: "admin",
    content,
    // Not rendered: rendering is part of what Huddle adds.
    content_html: `<p>${content}</p>`,
    type: "message",
    timestamp: new Date().toISOString(),
    edited_at: null,
    deleted: false,
    thread_id: null,
    reply_to: null,
    client_id: null,
    attachments: [],
    reactions: [],
    mentions: [],
    pinned: false,
    thread: null,
    metadata: {},
    seq,
    kind: "message_received",
    actor: "admin",
  };
}

const chat = io.of(NAMESPACE);
chat.on("connection", (socket) => {
  socket.join(ROOM);
  socket.on("send_message", (request, ack) => {
    const content = request && typeof request.content === "string" ? request.content : "";
    seq += 1;
    const sent = message(content, seq);
    chat.to(ROOM).emit("message_received", sent);
    if (typeof ack === "function") {
      ack({ ok: true, message: sent });
    }
  });
});

httpServer.listen(0, "127.0.0.1", () => {
  const { port } = httpServer.address();
  console.log(`listening on http://127.0.0.1:${port}`);
});

// Exit 0 on SIGTERM, as the bench expects of every server it stops.
process.on("SIGTERM", () => process.exit(0));
