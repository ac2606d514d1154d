// The cheapest useful webhook endpoint: read the body, answer 200. Target for sender benchmarks.
// Prints {"type":"ready","url"} as its first stdout line; stops on SIGINT/SIGTERM.
import { createServer } from "node:http";

const ANSWER = '{"ok":true}';
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json", "content-length": ANSWER.length });
    response.end(ANSWER);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ type: "ready", url: `http://127.0.0.1:${server.address().port}/` })}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
