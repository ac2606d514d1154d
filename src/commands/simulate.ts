import type { CommandUnknownOpts as Command } from "@commander-js/extra-typings";
import { resolveDbPath, resolveDefaultTarget } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { catalogEntry, type EventName } from "../events/catalog.js";
import { runPool } from "../delivery/pool.js";
import { retryPolicy } from "../delivery/retry-policy.js";
import { sequenceBuilder, simulatedEvents, type PlannedDelivery, type SandboxIds, type SequenceOptions } from "../delivery/event-sequence.js";
import { FanOut, fannedOutReport, recipientsByEvent } from "../delivery/fan-out.js";
import type { DeliveryReport } from "../delivery/deliver.js";
import type { ScenarioDelivery } from "../delivery/scenario-player.js";
import type { Scenario } from "../events/scenario.js";
import { createOutput, type Output } from "../output/index.js";
import { otherSecretsNote } from "../output/other-secrets.js";
import { PINWHEEL_PAUSE_AFTER_MS } from "../api/environments.js";
import type { LocalRegistry } from "../registry/local.js";
import { openDatabase } from "../store/database.js";
import type { DeliverySource } from "../store/deliveries.js";
import { DeliveryRun, summarize, type RunOptions } from "../cli/delivery-run.js";
import { endUserFor, unrecognisedEndUserNotice } from "../cli/end-user.js";
import { isListenAnswer } from "../receiver/accepted-answer.js";
import { eventNameOrUsageError, readBodyFile, secretFor } from "../cli/inputs.js";
import { sandboxAccountIds } from "../cli/sandbox-ids.js";
import type { SimulatedEvent } from "../sandbox/account-events.js";

/** The event's shape (SequenceOptions: overrides, --duplicate, --pending) and where and how it is sent. */
export interface SimulateOptions extends SequenceOptions {
  to?: string;
  secret?: string;
  webhookId?: string;
  data?: string;
  count: number;
  concurrency: number;
  timeout: number;
  retry?: boolean;
  retryBase?: number;
  scenario?: string;
  /** Scenario delays are divided by this (1 when not given). */
  speed?: number;
  db?: string;
  json?: boolean;
  /** Fan-out: how long a local webhook may fail before the pause rule pauses it (ms). */
  pauseAfter?: number;
  /** A running mock: the events carry the ids of an account created there. */
  sandbox?: string;
  seed?: number;
}

function runOptions(options: SimulateOptions, url: string, secret: string, planned: number, source: DeliverySource = "simulate"): RunOptions {
  return {
    source,
    dbPath: resolveDbPath(options.db),
    url,
    secret,
    timeoutMs: options.timeout,
    concurrency: options.concurrency,
    retry: options.retry || options.retryBase !== undefined ? retryPolicy(options.retryBase) : undefined,
    planned,
    webhookId: options.webhookId,
  };
}

type ScenarioModule = typeof import("../events/scenario.js");
type PlayModule = typeof import("../cli/play-scenario.js");
type PrintModule = typeof import("../output/scenario.js");

async function simulateScenario(out: Output, options: SimulateOptions & { scenario: string }): Promise<void> {
  const conflicting = (["data", "set", "add", "unset", "outcome", "pending", "duplicate"] as const).filter((k) => options[k] !== undefined);
  if (conflicting.length) {
    throw usageError(`--scenario sets every step itself; drop --${conflicting[0]} (put overrides in the scenario file)`);
  }
  // A single event needs no scenario parser (and its zod schema): loaded only here.
  const [scenarios, play, { printScenarioReport }] = await Promise.all([
    import("../events/scenario.js"),
    import("../cli/play-scenario.js"),
    import("../output/scenario.js"),
  ]);
  const scenario = scenarios.loadScenario(options.scenario);
  const { secret } = secretFor(out, options.secret);
  const simulated = scenario.steps.flatMap((step) =>
    scenarios.isResendStep(step) ? [] : [{ event: step.event, outcome: step.outcome ?? (catalogEntry(step.event as EventName).job ? "success" : undefined) }],
  );
  const sandbox = await sandboxFor(options, secret, simulated);
  if (sandbox) noticeWithoutData(out, sandbox, sandbox.accountData?.missing(simulated) ?? []);
  // Without --to (or a fixed --webhook-id) each event goes where Pinwheel would send it, as a single event does.
  const local = options.to === undefined && options.webhookId === undefined ? await scenarioFanOut(out, options, scenario, secret, scenarios) : undefined;
  try {
    await playScenarioRuns(out, options, { scenario, secret, sandbox, local, play, printScenarioReport });
  } finally {
    local?.close();
  }
}

interface ScenarioFanOut {
  webhooks: number;
  planned: number;
  /** The run's scenario deliveries go to the webhooks subscribed to each one's event. */
  sender(run: DeliveryRun, answered: (reports: readonly DeliveryReport[]) => void): (delivery: ScenarioDelivery) => Promise<DeliveryReport>;
  close(): void;
}

/** The scenario's events in order of its steps (a resend repeats its labelled step's event). */
function stepEvents(scenario: Scenario, { isResendStep }: ScenarioModule): string[] {
  const byLabel = new Map<string, string>();
  return scenario.steps.map((step) => {
    const event = isResendStep(step) ? (byLabel.get(step.resend) ?? "") : step.event;
    if (step.label !== undefined) byLabel.set(step.label, event);
    return event;
  });
}

/** The local webhooks of this API secret subscribed to the scenario's events; undefined when none is active. */
async function scenarioFanOut(out: Output, options: SimulateOptions, scenario: Scenario, secret: string, scenarios: ScenarioModule): Promise<ScenarioFanOut | undefined> {
  const db = openDatabase(resolveDbPath(options.db));
  const [{ createLocalRegistry }, { apiKeyFingerprint }] = await Promise.all([import("../registry/local.js"), import("../registry/api-key.js")]);
  const registry = createLocalRegistry({ db, apiKey: apiKeyFingerprint(secret) });
  const events = stepEvents(scenario, scenarios);
  const { active, webhooks, paused } = recipientsByEvent(registry, events);
  for (const webhook of paused) {
    out.notice(`Skipping paused webhook ${webhook.id} (${webhook.url}); resume it with "pinwheel-cli webhooks update ${webhook.id} --status active"`);
  }
  if (webhooks.length === 0) {
    const otherSecrets = registry.otherSecretsWebhooks();
    db.close();
    out.notice(
      `No active local webhook of this API secret subscribed to the events of scenario ${scenario.name}${otherSecretsNote(otherSecrets)}; ` +
        `playing to the default URL ${resolveDefaultTarget()} (register one with "pinwheel-cli webhooks create", or pass --to)`,
    );
    return undefined;
  }
  out.notice(`Fan-out: scenario ${scenario.name} to ${webhooks.length} active local webhook${webhooks.length === 1 ? "" : "s"} subscribed to its events`);
  const perRun = scenario.steps.reduce((sum, step, index) => sum + (1 + (step.duplicate ?? 0)) * (active.get(events[index] ?? "")?.length ?? 0), 0);
  return {
    webhooks: webhooks.length,
    planned: perRun * options.count,
    sender: (run, answered) => {
      const fanOut = fanOutThrough(out, run, registry, options);
      return async (delivery) => {
        const reports = await fanOut.toEach(active.get(delivery.event) ?? [], [delivery]);
        answered(reports);
        return fannedOutReport(reports, delivery.event);
      };
    },
    close: () => db.close(),
  };
}

interface ScenarioPlan {
  scenario: Scenario;
  secret: string;
  sandbox: SandboxIds | undefined;
  local: ScenarioFanOut | undefined;
  play: PlayModule;
  printScenarioReport: PrintModule["printScenarioReport"];
}

/** Plays the scenario --count times through one delivery run, then reports and summarizes. */
async function playScenarioRuns(out: Output, options: SimulateOptions, { scenario, secret, sandbox, local, play, printScenarioReport }: ScenarioPlan): Promise<void> {
  const url = local ? resolveDefaultTarget() : (options.to ?? resolveDefaultTarget());
  if (!local && options.to === undefined && options.webhookId !== undefined) {
    out.notice(`Playing to the default URL ${url}: --webhook-id only sets the x-pinwheel-webhook-id header (pass --to to choose where)`);
  }
  const planned = local ? local.planned : play.plannedDeliveries(scenario) * options.count;
  const run = DeliveryRun.open(out, runOptions(options, url, secret, planned, local ? "fanout" : "simulate"));
  if (!out.json) out.notice(`Playing scenario ${scenario.name}: ${scenario.description}`);
  if (sandbox && !out.json) out.notice(`Sandbox account ${sandbox.accountId} (end user ${sandbox.endUserId}) in ${options.sandbox}`);
  // A sandbox account's end user is one the app can look up, as a chosen one is.
  const configured = endUserFor(options.endUserId);
  const endUser = { ...configured, id: configured.source === "flag" ? configured.id : (sandbox?.endUserId ?? configured.id) };
  let answered2xx = 0;
  // pinwheel-cli's own listen accepts any end user: its 2xx tests no handler.
  let answeredByListen = 0;
  const count = (reports: readonly DeliveryReport[]) => {
    for (const report of reports) {
      if (!report.ok) continue;
      answered2xx++;
      if (isListenAnswer(report.final.responseBody)) answeredByListen++;
    }
  };
  const send = local?.sender(run, count);
  const ids = { accountId: options.accountId ?? sandbox?.accountId, endUserId: endUser.id, linkTokenId: sandbox?.linkTokenId, platform: sandbox?.platform };
  const summary = await run.finish(
    (async () => {
      for (let i = 0; i < options.count; i++) {
        const results = await play.playThroughRun(run, scenario, { speed: options.speed ?? 1, ids, accountData: sandbox?.accountData, apiVersion: options.apiVersion, send });
        if (!send) count(results.map((result) => result.report));
        printScenarioReport(out, scenario, results);
      }
    })(),
  );
  const endUserNotice = unrecognisedEndUserNotice(endUser, summary.sent, answered2xx, answeredByListen);
  if (endUserNotice) out.warn(endUserNotice);
  const where = local ? `${local.webhooks} local webhook${local.webhooks === 1 ? "" : "s"}` : url;
  const failure = summarize(out, summary, where, { verbose: true });
  if (failure) throw new CliError(failure);
}

export async function run(eventArg: string | undefined, options: SimulateOptions, command?: Command): Promise<void> {
  const out = createOutput({ json: options.json });
  if (options.seed !== undefined && options.sandbox === undefined) {
    throw usageError("--seed picks the sandbox account; it goes with --sandbox <mock-url>");
  }
  if (options.pauseAfter !== undefined && (options.to !== undefined || options.webhookId !== undefined)) {
    throw usageError("--pause-after applies to the fan-out to local webhooks; drop --to and --webhook-id, or drop --pause-after");
  }
  if (options.scenario !== undefined) {
    if (eventArg !== undefined) throw usageError("pass either an event name or --scenario <name>, not both");
    // --concurrency has a default, so only commander knows whether it was typed.
    if (command?.getOptionValueSource("concurrency") === "cli") {
      throw usageError("--concurrency applies to --count's events; a scenario plays its steps in order (mark steps \"concurrent\" in the scenario file instead)");
    }
    return simulateScenario(out, { ...options, scenario: options.scenario });
  }
  if (options.speed !== undefined) throw usageError("--speed scales a scenario's delays; it goes with --scenario <name>");
  if (eventArg !== undefined && options.data !== undefined) {
    throw usageError("pass either an event name or --data <file>, not both");
  }
  if (eventArg === undefined && options.data === undefined) {
    throw usageError('name an event to simulate, e.g. "pinwheel-cli simulate paystubs.fully_synced" (see: fixtures list), or pass --scenario <name>');
  }
  if (options.data !== undefined && options.count > 1) {
    throw usageError("--count sends distinct events, but a --data body has one event_id; use --duplicate <n> to send it again");
  }
  if (options.data !== undefined) {
    // --data is sent byte for byte: an override that cannot land must not be silently dropped.
    const overrides = (["set", "add", "unset", "outcome", "pending", "accountId", "endUserId", "apiVersion"] as const).filter((k) => options[k] !== undefined);
    const override = overrides[0];
    if (override !== undefined) {
      const flag = override.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      throw usageError(`--${flag} cannot change a --data body, which is sent byte for byte; edit the file instead`);
    }
  }
  const name = eventArg === undefined ? undefined : eventNameOrUsageError(eventArg);
  if (options.pending && name && !catalogEntry(name).job) {
    throw usageError(`--pending: ${name} is not a job event and carries no outcome`);
  }
  if (options.pending && options.outcome === "pending") {
    throw usageError("--pending sends the pending event itself; use --outcome success or error for the result that follows");
  }
  if (options.sandbox !== undefined && options.data !== undefined) {
    throw usageError("--sandbox puts a sandbox account's ids into the events it builds; a --data body is sent byte for byte (drop one)");
  }
  const data = options.data === undefined ? undefined : await readBodyFile("--data", options.data);
  // Built up front so a bad override fails before anything is sent.
  sequenceBuilder(name, options, data);
  const { secret } = secretFor(out, options.secret);
  // simulate refuses --sandbox with --data, so an event name is there whenever --sandbox is.
  const simulated = name === undefined ? [] : simulatedEvents(name, options);
  const sandbox = await sandboxFor(options, secret, simulated);
  if (sandbox && !out.json) out.notice(`Sandbox account ${sandbox.accountId} (end user ${sandbox.endUserId}) in ${options.sandbox}`);
  if (sandbox) noticeWithoutData(out, sandbox, sandbox.accountData?.missing(simulated) ?? []);
  const sequenceFor = sequenceBuilder(name, options, data, sandbox);
  const firstSequence = sequenceFor(0);

  // Without --to (or a fixed --webhook-id) the event goes where Pinwheel would send it: to every
  // active local webhook subscribed to it.
  if (options.to === undefined && options.webhookId === undefined) {
    const event = name ?? firstSequence[0]?.event ?? null;
    if (await fanOut(out, options, { event, secret, perEvent: firstSequence.length, sequence: sequenceFor })) return;
  }
  const url = options.to ?? resolveDefaultTarget();
  if (options.to === undefined && options.webhookId !== undefined) {
    out.notice(`Sending to the default URL ${url}: --webhook-id only sets the x-pinwheel-webhook-id header (pass --to to choose where)`);
  }
  // Every delivery carries the run's x-pinwheel-webhook-id (--webhook-id, else one made up for the run).
  const run = DeliveryRun.open(out, { ...runOptions(options, url, secret, options.count * firstSequence.length), stopWhenUnanswered: true });
  const summary = await run.finish(
    runPool(options.count, options.concurrency, async (index) => {
      const sequence = index === 0 ? firstSequence : sequenceFor(index);
      // One event's deliveries go in order: a pending job must arrive before its result.
      for (const item of sequence) {
        if (run.stoppedAnswering) return;
        await run.send(item);
      }
    }, () => run.stoppedAnswering),
  );
  const failure = summarize(out, summary, url, { verbose: run.verbose, sent: options.data === undefined ? "events" : "data-file" });
  if (failure) throw new CliError(failure);
}

/** --sandbox: a new account in the running mock (the same one again for the same --seed and day). */
function sandboxFor(options: SimulateOptions, secret: string, simulated: readonly SimulatedEvent[]): Promise<SandboxIds | undefined> {
  if (options.sandbox === undefined) return Promise.resolve(undefined);
  return sandboxAccountIds({ baseUrl: options.sandbox, secret, endUserId: options.endUserId, seed: options.seed, timeoutMs: options.timeout, simulated });
}

/** Simulated data events the sandbox account sent none of keep the fixture's ids and params: said once. */
function noticeWithoutData(out: Output, sandbox: SandboxIds, events: readonly string[]): void {
  if (events.length === 0) return;
  const one = events.length === 1;
  out.notice(
    `Sandbox account ${sandbox.accountId} sent no ${events.join(", ")} event with ${one ? "its" : "their"} outcome ` +
      `(a job its platform lacks, an empty window, or an outcome the account's job did not have), so ${one ? "it keeps" : "they keep"} ` +
      "the fixture's ids and params, which the mock's data API does not serve",
  );
}

function describeSpan(ms: number): string {
  const units: [number, string][] = [[86_400_000, "d"], [3_600_000, "h"], [60_000, "m"], [1000, "s"]];
  const unit = units.find(([size]) => ms >= size && ms % size === 0);
  return unit ? `${ms / unit[0]}${unit[1]}` : `${ms}ms`;
}

interface FanOutPlan {
  event: string | null;
  secret: string;
  perEvent: number;
  sequence(index: number): PlannedDelivery[];
}

/**
 * Delivers to the local webhooks of this API secret that are subscribed to the event, each with
 * its own id as x-pinwheel-webhook-id, and records each one's health (the pause rule included).
 * False when none is subscribed and active: the caller then sends to the default URL.
 */
async function fanOut(out: Output, options: SimulateOptions, plan: FanOutPlan): Promise<boolean> {
  const dbPath = resolveDbPath(options.db);
  const db = openDatabase(dbPath);
  try {
    // --to needs no registry: loaded only for the fan-out.
    const [{ createLocalRegistry }, { apiKeyFingerprint }] = await Promise.all([import("../registry/local.js"), import("../registry/api-key.js")]);
    const registry = createLocalRegistry({ db, apiKey: apiKeyFingerprint(plan.secret) });
    const { active, paused } = plan.event ? registry.recipients(plan.event) : { active: [], paused: [] };
    for (const { webhook } of paused) {
      out.notice(`Skipping paused webhook ${webhook.id} (${webhook.url}); resume it with "pinwheel-cli webhooks update ${webhook.id} --status active"`);
    }
    if (active.length === 0) {
      const what = plan.event ? `of this API secret subscribed to ${plan.event}` : "for a body that names no event";
      out.notice(
        `No active local webhook ${what}${otherSecretsNote(registry.otherSecretsWebhooks())}; sending to the default URL ${resolveDefaultTarget()} ` +
          '(register one with "pinwheel-cli webhooks create", or pass --to)',
      );
      return false;
    }
    const plural = active.length === 1 ? "" : "s";
    out.notice(`Fan-out: ${plan.event} to ${active.length} active local webhook${plural} subscribed to it`);
    const planned = options.count * plan.perEvent * active.length;
    const run = DeliveryRun.open(out, runOptions(options, resolveDefaultTarget(), plan.secret, planned, "fanout"));
    const fanOut = fanOutThrough(out, run, registry, options);
    const webhooks = active.map(({ webhook }) => webhook);
    const summary = await run.finish(runPool(options.count, options.concurrency, async (index) => void (await fanOut.toEach(webhooks, plan.sequence(index)))));
    const failure = summarize(out, summary, `${active.length} local webhook${plural}`, { verbose: run.verbose, sent: options.data === undefined ? "events" : "data-file" });
    if (failure) throw new CliError(failure);
    return true;
  } finally {
    db.close();
  }
}

/** The fan-out's deliveries go through the run (recorded and shown); a webhook paused by the rule is announced. */
function fanOutThrough(out: Output, run: DeliveryRun, registry: LocalRegistry, options: SimulateOptions): FanOut {
  const pauseAfterMs = options.pauseAfter ?? PINWHEEL_PAUSE_AFTER_MS;
  return new FanOut({
    registry,
    pauseAfterMs,
    // Each webhook gets the payload format of its own version, unless --api-version chose one for
    // all; a --data body is sent byte for byte.
    versioned: options.apiVersion === undefined && options.data === undefined ? { keepEndUserId: options.endUserId !== undefined } : undefined,
    send: (item, url) => run.send(item, url),
    onPaused: (webhook, { state }) =>
      out.warn(
        `webhook ${webhook.id} (${webhook.url}) is now paused: no 2xx since ${state.first_failure_at} ` +
          `(${state.consecutive_failures} ${state.consecutive_failures === 1 ? "failure" : "failures"}, pause after ${describeSpan(pauseAfterMs)})`,
      ),
  });
}
