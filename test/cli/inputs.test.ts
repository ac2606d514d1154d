/**
 * "-" reads stdin (src/cli/inputs.ts) through the BUILT binary: a producer slower than start-up
 * (`(sleep 1; cat body.json) | pinwheel-cli ...`) and a pipe of several MB, which a synchronous
 * read of the non-blocking pipe once refused with EAGAIN.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { signWebhook } from "../../src/signing.js";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";
import { startWebhookSink } from "../helpers/webhook-sink.js";

const SECRET = "stdin-inputs-secret";
let home: TempHome;

beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

const slowBody = JSON.stringify(buildEvent("income.added"));
// Over 3 MB: many times a pipe's buffer.
const bigBody = JSON.stringify({ ...buildEvent("income.added"), padding: "x".repeat(3 * 1024 * 1024) });

describe("simulate --data -", () => {
  it("sends a body from a producer that writes only after a second, and a 3 MB one, byte for byte", async () => {
    const sink = await startWebhookSink(SECRET);
    try {
      for (const [body, inputAfterMs] of [[slowBody, 1000], [bigBody, undefined]] as const) {
        const result = await runCli(["simulate", "--data", "-", "--to", sink.url, "--secret", SECRET], { env: home.env, input: body, inputAfterMs });
        expectExit(result, 0);
      }
      expect(sink.received.map((event) => [event.event_id, event.verified])).toEqual([
        [JSON.parse(slowBody).event_id, true],
        [JSON.parse(bigBody).event_id, true],
      ]);
      expect((sink.received[1] as unknown as { padding: string }).padding.length).toBe(3 * 1024 * 1024);
    } finally {
      await sink.close();
    }
  });
});

describe("verify --body -", () => {
  it("checks a body from a slow producer and a 3 MB one", async () => {
    for (const [body, inputAfterMs] of [[slowBody, 1000], [bigBody, undefined]] as const) {
      const t = Math.floor(Date.now() / 1000);
      const args = ["verify", "--body", "-", "--signature", signWebhook(SECRET, t, body), "--timestamp", String(t), "--secret", SECRET];
      const result = await runCli(args, { env: home.env, input: body, inputAfterMs });
      expectExit(result, 0);
      expect(result.stdout).toMatch(/^valid/);
    }
  });
});

describe("a stdin past its bound", () => {
  it("is refused with one line, exit 1, instead of being read into memory to its end", async () => {
    const tooBig = Buffer.alloc(64 * 1024 * 1024 + 1, "x");
    const result = await runCli(["verify", "--body", "-", "--signature", "v2=00", "--timestamp", "1", "--secret", SECRET], { env: home.env, input: tooBig });
    expectExit(result, 1);
    expect(result.stderr.trim()).toBe("error: --body -: cannot read it (more than 64 MiB came on stdin)");
  });
});
