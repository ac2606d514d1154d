/**
 * simulate's overrides (--set, --add, --unset) that cannot make an event, through the BUILT
 * binary: one usage line (exit 2), never an "unexpected failure", and nothing sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";
import { startWebhookSink, type WebhookSink } from "../helpers/webhook-sink.js";

let home: TempHome;
let sink: WebhookSink;

beforeAll(async () => {
  home = tempHome();
  sink = await startWebhookSink("simulate-overrides-secret");
});
afterAll(async () => {
  await sink.close();
  home.cleanup();
});

const ENVELOPE = /event, event_id and payload are what the event is built and signed from: they must stay, event and event_id as non-empty strings and payload as an object; to send any other body, pass it byte for byte with --data <file>$/;

describe("simulate with an override that cannot make an event", () => {
  it("refuses it in one usage line and sends nothing", async () => {
    const cases: [string[], RegExp][] = [
      [["--unset", "payload"], /^error: --unset payload: /],
      [["--unset", "payload", "--pending"], /^error: --unset payload: /],
      [["--set", "payload=null"], /^error: --set payload: /],
      [["--set", "event_id=5"], /^error: --set event_id: /],
      [["--set", "payload.params.count=1e400"], /^error: --set payload\.params\.count: the value holds a number that is not a finite JSON number \(it would be sent as null\)$/],
      [["--unset", ""], /^error: --unset "": the path names no field; give a dotted path such as payload\.params\.count$/],
    ];
    for (const [args, expected] of cases) {
      const result = await runCli(["simulate", "paystubs.added", ...args, "--to", sink.url], { env: home.env });
      expectExit(result, 2);
      const lines = result.stderr.trim().split("\n");
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
      if (/--unset payload|--set (payload|event_id):/.test(lines[0]!)) expect(lines[0]).toMatch(ENVELOPE);
    }
    expect(sink.received).toEqual([]);
  });
});
