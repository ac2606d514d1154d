import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import type { TerminalSettings } from "../../src/config.js";
import { createOutput } from "../../src/output/index.js";

/** A stream that keeps each write separately, so a test can count them. */
function recordingStream(): Writable & { writes: string[]; order: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString("utf8"));
      callback();
    },
  });
  return Object.assign(stream, { writes, order: [] as string[] });
}

const plain: TerminalSettings = { color: false, stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, ci: true, debug: false };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("output", () => {
  it("writes each line at once when not batched", () => {
    const stdout = recordingStream();
    const stderr = recordingStream();
    const out = createOutput({ json: true }, { stdout, stderr }, plain);
    out.ndjson({ n: 1 });
    out.line("two");
    expect(stdout.writes).toEqual(['{"n":1}\n', "two\n"]);
  });

  it("batched: lines printed within the window go out in one write, in order", async () => {
    const stdout = recordingStream();
    const stderr = recordingStream();
    const out = createOutput({ json: true, batched: true, batchWindowMs: 30 }, { stdout, stderr }, plain);
    out.ndjson({ n: 1 });
    await nextTurn();
    for (let n = 2; n <= 3; n++) out.ndjson({ n });
    expect(stdout.writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(stdout.writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n']);
    out.line("later");
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(stdout.writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n', "later\n"]);
  });

  it("batched with a window of 0: the lines of one turn of the event loop go out together at its end", async () => {
    const stdout = recordingStream();
    const out = createOutput({ batched: true, batchWindowMs: 0 }, { stdout, stderr: recordingStream() }, plain);
    out.line("a");
    out.line("b");
    expect(stdout.writes).toEqual([]);
    await nextTurn();
    expect(stdout.writes).toEqual(["a\nb\n"]);
  });

  it("batched: 64 KiB held are written at once, without waiting for the window", () => {
    const stdout = recordingStream();
    const out = createOutput({ batched: true, batchWindowMs: 60_000 }, { stdout, stderr: recordingStream() }, plain);
    const line = "x".repeat(1023);
    for (let n = 0; n < 63; n++) out.line(line);
    expect(stdout.writes).toEqual([]);
    out.line(line);
    expect(stdout.writes).toHaveLength(1);
    expect(stdout.writes[0]).toHaveLength(64 * 1024);
    out.flush();
  });

  it("batched: a notice or warning first writes the lines held back, and flush() writes them at once", () => {
    const order: string[] = [];
    const stdout = new Writable({ write: (chunk: Buffer, _e, done) => (order.push(`out:${chunk}`), done()) });
    const stderr = new Writable({ write: (chunk: Buffer, _e, done) => (order.push(`err:${chunk}`), done()) });
    const out = createOutput({ batched: true }, { stdout, stderr }, plain);
    out.line("a");
    out.warn("careful");
    out.line("b");
    out.flush();
    out.flush();
    expect(order).toEqual(["out:a\n", "err:warning: careful\n", "out:b\n"]);
  });
});

describe("progress on a terminal", () => {
  it("is wiped before any line is printed, so lines never run into it, and is redrawn by the next tick", async () => {
    const terminal: TerminalSettings = { ...plain, stdoutIsTty: true, stderrIsTty: true, ci: false };
    const events: string[] = [];
    const stream = (name: string) =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          events.push(`${name}:${chunk.toString("utf8")}`);
          callback();
        },
      });
    const out = createOutput({}, { stdout: stream("out"), stderr: stream("err") }, terminal);
    const progress = out.progress(2, "simulate");
    // The line is redrawn at most every 80 ms: the clock moves on instead of the test sleeping.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      progress.tick(() => "1/2 sent");
      out.line("✔ 200  income.added");
      vi.setSystemTime(Date.now() + 90);
      progress.tick(() => "2/2 sent");
    } finally {
      vi.useRealTimers();
    }
    out.notice("done");
    progress.done();
    expect(events).toEqual([
      "err:\rsimulate 1/2 sent\u001b[K",
      "err:\r\u001b[K",
      "out:✔ 200  income.added\n",
      "err:\rsimulate 2/2 sent\u001b[K",
      "err:\r\u001b[K",
      "err:done\n",
    ]);
  });
});
