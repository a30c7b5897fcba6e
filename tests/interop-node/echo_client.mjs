// Echo interop check with the Node `ws` client. Usage: node echo_client.mjs PORT
// Sends text and binary messages at the RFC 6455 length edges, checks each echo, pings,
// closes with 1000 and prints OK; any mismatch exits non-zero.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";

const port = Number(process.argv[2]);
const sizes = [0, 125, 126, 65535, 65536, 1024 * 1024];
const timer = setTimeout(() => { console.error("timeout"); process.exit(3); }, 60_000);

const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: 0 });
const next = () => new Promise((resolve) => ws.once("message", (data, isBinary) => resolve({ data, isBinary })));

ws.on("error", (e) => { console.error(e); process.exit(1); });
ws.on("open", async () => {
  for (const size of sizes) {
    const text = "é".repeat(Math.floor(size / 2)) + "a".repeat(size % 2);
    ws.send(text);
    const t = await next();
    if (t.isBinary || t.data.toString("utf8") !== text) throw new Error(`text of ${size} bytes not echoed`);
    const bin = randomBytes(size);
    ws.send(bin);
    const b = await next();
    if (!b.isBinary || Buffer.compare(b.data, bin) !== 0) throw new Error(`binary of ${size} bytes not echoed`);
  }
  const pong = new Promise((resolve) => ws.once("pong", resolve));
  ws.ping(Buffer.from("interop"));
  const payload = await pong;
  if (payload.toString() !== "interop") throw new Error("pong payload differs");
  ws.close(1000, "bye");
});
ws.on("close", (code) => {
  clearTimeout(timer);
  if (code !== 1000) { console.error(`close code ${code}`); process.exit(1); }
  console.log("OK");
});
