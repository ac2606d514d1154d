import { z } from "zod";
import { sandboxTargetOrUsageError, withSandbox } from "../../cli/sandbox-target.js";
import { collectingOutput } from "../../output/collect.js";
import { connectJson } from "../../output/sandbox.js";
import { jobOutcomes } from "../../sandbox/outcomes.js";
import { CliError } from "../../errors.js";
import { defineTool } from "../tool.js";

const DEFAULT_TIMEOUT_MS = 60_000;

const STOPPED_CONNECT =
  "stopped: the client cancelled the call or closed the connection; the account may exist (sandbox_accounts lists it) " +
  "and every delivery attempt made is recorded (deliveries list)";

/** A connect request's field as the tool's argument: outcomes come from fail and pending. */
const argumentOf = (field: string) => (field === "outcomes" ? '"fail"/"pending"' : `"${field}"`);

export const sandboxConnect = defineTool({
  name: "sandbox_connect",
  title: "Connect a sandbox payroll account and deliver its events",
  description:
    "Creates a connected payroll account in pinwheel-cli's local sandbox, as `pinwheel-cli sandbox connect --json` does: an " +
    "end user, a platform (Workday by default; ADP, Gusto, Paychex, UKG, Deputy, When I Work), two years of consistent " +
    "paystubs, shifts, employment, income and identity that the mock's Core Data API then serves, and the events Pinwheel " +
    "would send for it (account.added, then each job's added / fully_synced / outcome events) delivered, signed, to every " +
    "active webhook registered in the sandbox. Use it to test a handler that fetches data after a webhook: the ids in the " +
    "events exist in the mock. Returns account_id, end_user_id, platform, seed, the jobs, paystub and shift counts, and " +
    "each delivery (event, event_id, status_code, ok, url, webhook_id); with no webhook registered nothing is sent. Same " +
    "seed on the same day, same account. The sandbox is the one the server was started with (--base-url of a running " +
    "`pinwheel-cli mock`, or --env local: the database), never Pinwheel's own environments.",
  input: {
    platform: z.string().min(1).optional().describe("a sandbox platform name or id (default Workday)"),
    end_user_id: z.string().min(1).optional().describe("the end user's key (default: a new sandbox_user_NNNNNN)"),
    jobs: z.array(z.string()).min(1).optional().describe("data jobs: paystubs, shifts, employment, income, identity (default: all the platform supports)"),
    seed: z.number().int().min(0).max(4_294_967_295).optional().describe("same seed, end user, platform and day: same account, ids and amounts (default random)"),
    fail: z.array(z.string()).optional().describe("jobs that end in error (outcome error, no data served)"),
    pending: z.array(z.string()).optional().describe("jobs that report outcome pending before their result"),
    timeout_ms: z.number().int().min(1).max(120_000).optional().describe(`timeout of the call to a running mock (default ${DEFAULT_TIMEOUT_MS})`),
  },
  sends: true,
  async run(args, context) {
    const target = sandboxTargetOrUsageError(context.registry);
    const outcomes = jobOutcomes(args);
    const stopped = () => new CliError(STOPPED_CONNECT);
    const result = await withSandbox(
      collectingOutput(),
      target,
      args.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      (api) => api.connect({ platform: args.platform, endUserId: args.end_user_id, jobs: args.jobs, seed: args.seed, outcomes }),
      { term: argumentOf, createsStore: true, signal: context.signal },
    ).catch((error: unknown) => {
      throw context.signal?.aborted ? stopped() : error;
    });
    if (context.signal?.aborted) throw stopped();
    const data = connectJson(result);
    const failed = result.deliveries.filter((delivery) => !delivery.ok);
    const deliveries =
      result.deliveries.length === 0
        ? [`no active webhook in ${target.label} is subscribed to these events, so none of the ${result.events.length} was sent`]
        : result.deliveries.map((d) => `${d.ok ? "✔" : "✖"} ${d.status_code ?? d.error ?? "error"}  ${d.event}  → ${d.url}  ${d.event_id}`);
    const text = [
      `account ${result.account_id} (end user ${result.end_user_id}, ${result.platform_name}, seed ${result.seed}): ${result.paystubs} paystubs, ${result.shifts} shifts`,
      ...deliveries,
      ...(failed.length ? [`${failed.length} of ${result.deliveries.length} deliveries failed; the account was created all the same`] : []),
    ];
    return { data: { ...data, failed_deliveries: failed.length }, text: text.join("\n") };
  },
});
