// The baselines' one loop, so the bare receiver and the requirements floor differ only in what
// they do with a request: node:http reads each body whole, `receive` turns it into an item (holding
// the response), and the items of one event-loop turn are committed together (`commit`, one
// transaction) before any of them is answered (`answer`). A failed commit answers each 503. `committed`, if given, runs
// once a batch is answered. Prints {"type":"ready","url"} as its first stdout line; SIGINT or
// SIGTERM commits what is queued, calls `close` and exits.
import { createServer } from "node:http";

export function serveWithGroupCommit({ receive, commit, answer, committed, close }) {
  let queue = [];
  let scheduled = false;

  function commitQueued() {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      commit(batch);
    } catch {
      for (const { response } of batch) reply(response, 503, '{"error":"not_stored"}');
      return;
    }
    for (const item of batch) answer(item);
    committed?.(batch);
  }

  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      queue.push(receive(request, response, body, Date.now()));
      if (!scheduled) {
        scheduled = true;
        setImmediate(commitQueued);
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${JSON.stringify({ type: "ready", url: `http://127.0.0.1:${server.address().port}/` })}\n`);
  });

  const stop = () => {
    server.close(() => {
      commitQueued();
      close();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** A JSON answer with its length. */
export function reply(response, status, text) {
  response.writeHead(status, ["content-type", "application/json", "content-length", String(Buffer.byteLength(text))]);
  response.end(text);
}
