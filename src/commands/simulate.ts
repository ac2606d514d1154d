import type { Command } from "commander";
import { randomUUID } from "node:crypto";
import { resolveDbPath, resolveDefaultTarget } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { buildEvent, parseAssignments, pinwheelTimestamp, type Outcome } from "../events/build.js";
import { catalogEntry, type EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { envelopeTemplate } from "../events/template.js";
import { runPool } from "../delivery/pool.js";
import { retryPolicy } from "../delivery/retry-policy.js";
import { versionedBody } from "../events/versions.js";
import { createOutput, type Output } from "../output/index.js";
import { PINWHEEL_PAUSE_AFTER_MS } from "../api/environments.js";
import type { LocalRegistry } from "../registry/local.js";
import { openDatabase } from "../store/database.js";
import type { DeliverySource } from "../store/deliveries.js";
import { DeliveryRun, summarize, type RunOptions } from "../cli/delivery-run.js";
import { endUserFor, unrecognisedEndUserNotice } from "../cli/end-user.js";
import { eventNameOrUsageError, readBodyFile, secretFor } from "../cli/inputs.js";
import { hasPath } from "../events/paths.js";
import { sandboxAccountIds, type SandboxIds } from "../cli/sandbox-ids.js";

export interface SimulateOptions {
  to?: string;
  secret?: string;
  webhookId?: string;
  accountId?: string;
  endUserId?: string;
  /** Payload format of this API version (YYYY-MM-DD); in the fan-out, each webhook's own version otherwise. */
  apiVersion?: string;
  outcome?: Outcome;
  set?: string[];
  add?: string[];
  unset?: string[];
  data?: string;
  count: number;
  concurrency: number;
  timeout: number;
  retry?: boolean;
  retryBase?: number;
  duplicate?: number | true;
  pending?: boolean;
  scenario?: string;
  /** Scenario delays are divided by this (1 when not given). */
  speed?: number;
  db?: string;
  json?: boolean;
  /** Fan-out: how long a local webhook may fail before the pause rule pauses it (ms). */
  pauseAfter?: number;
  /** A running mock: the events carry the ids of an account created there. */
  sandbox?: string;
}

interface Planned {
  event: string | null;
  eventId: string | null;
  body: Buffer;
}

function identify(body: Buffer): { event: string | null; eventId: string | null } {
  try {
    const json = JSON.parse(body.toString("utf8")) as { event?: unknown; event_id?: unknown };
    return {
      event: typeof json.event === "string" ? json.event : null,
      eventId: typeof json.event_id === "string" ? json.event_id : null,
    };
  } catch {
    return { event: null, eventId: null };
  }
}

function planned(envelope: WebhookEnvelope): Planned {
  return { event: envelope.event, eventId: envelope.event_id, body: Buffer.from(JSON.stringify(envelope)) };
}

/** Another event like this one: a fresh event_id, and a fresh job id where it is a job. */
function renewed(envelope: WebhookEnvelope): WebhookEnvelope {
  const payload = "id" in envelope.payload ? { ...envelope.payload, id: randomUUID() } : envelope.payload;
  return { ...envelope, event_id: randomUUID(), payload };
}

/**
 * Builds the events once (fixture, overrides) and returns, per simulated event, the deliveries
 * in the order they must arrive: --count then only renews the ids, which keeps bursts cheap.
 */
function sequenceBuilder(
  name: EventName | undefined,
  options: SimulateOptions,
  data: Buffer | undefined,
  sandbox?: SandboxIds,
): (index: number) => Planned[] {
  const duplicates = options.duplicate === undefined ? 0 : options.duplicate === true ? 1 : options.duplicate;
  const withDuplicates = (first: Planned, followUp?: Planned) => [
    first,
    ...Array.from({ length: duplicates }, () => first),
    ...(followUp ? [followUp] : []),
  ];
  if (data) {
    const first = { ...identify(data), body: data };
    return () => withDuplicates(first);
  }
  // run() refuses a call with neither an event name nor --data before it gets here.
  if (name === undefined) throw new Error("simulate has neither an event name nor a --data body");
  const overrides = {
    accountId: options.accountId ?? sandbox?.accountId,
    endUserId: options.endUserId ?? sandbox?.endUserId,
    linkTokenId: sandbox?.linkTokenId,
    apiVersion: options.apiVersion,
    set: [...(name && sandbox ? platformAssignments(name, sandbox) : []), ...parseAssignments("--set", options.set)],
    add: parseAssignments("--add", options.add),
    unset: options.unset,
  };
  const initial = buildEvent(name, { ...overrides, outcome: options.pending ? "pending" : options.outcome });
  // The same job (same payload.id) settles later under a new event_id, as Pinwheel documents.
  const settled = options.pending ? buildEvent(name, { ...overrides, outcome: options.outcome === "error" ? "error" : "success" }) : undefined;
  if (!settled) {
    const render = envelopeTemplate(initial);
    return (index) => {
      if (index === 0) return withDuplicates(planned(initial));
      const eventId = randomUUID();
      return withDuplicates({ event: initial.event, eventId, body: Buffer.from(render(eventId, randomUUID())) });
    };
  }
  return (index) => {
    const first = index === 0 ? initial : renewed(initial);
    const followUp = settled && { ...renewed(settled), payload: { ...settled.payload, id: first.payload.id, timestamp: pinwheelTimestamp(Date.now()) } };
    return withDuplicates(planned(first), followUp && planned(followUp));
  };
}

/** account.added names the platform: the sandbox account's, so GET /v1/platforms/{id} resolves it. */
function platformAssignments(name: EventName, sandbox: SandboxIds) {
  const fixture = buildEvent(name);
  if (!hasPath(fixture.payload, "platform_id")) return [];
  return [
    { path: "payload.platform_id", value: sandbox.platform.id },
    ...(hasPath(fixture.payload, "platform_name") ? [{ path: "payload.platform_name", value: sandbox.platform.name }] : []),
  ];
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

async function simulateScenario(out: Output, options: SimulateOptions & { scenario: string }): Promise<void> {
  const conflicting = (["data", "set", "add", "unset", "outcome", "pending", "duplicate"] as const).filter((k) => options[k] !== undefined);
  if (conflicting.length) {
    throw usageError(`--scenario sets every step itself; drop --${conflicting[0]} (put overrides in the scenario file)`);
  }
  // A single event needs no scenario parser (and its zod schema): loaded only here.
  const [{ loadScenario }, { plannedDeliveries, playThroughRun, printScenarioReport }] = await Promise.all([
    import("../events/scenario.js"),
    import("../cli/play-scenario.js"),
  ]);
  const scenario = loadScenario(options.scenario);
  const { secret } = secretFor(out, options.secret);
  const sandbox = options.sandbox === undefined ? undefined : await sandboxAccountIds(options.sandbox, secret, options.endUserId, options.timeout);
  const url = options.to ?? resolveDefaultTarget();
  if (options.to === undefined) out.notice(`Playing to the default URL ${url}: a scenario goes to one URL, not to local webhooks (pass --to to choose)`);
  const run = DeliveryRun.open(out, runOptions(options, url, secret, plannedDeliveries(scenario) * options.count));
  if (!out.json) out.notice(`Playing scenario ${scenario.name}: ${scenario.description}`);
  if (sandbox && !out.json) out.notice(`Sandbox account ${sandbox.accountId} (end user ${sandbox.endUserId}) in ${options.sandbox}`);
  // A sandbox account's end user is one the app can look up, as a chosen one is.
  const configured = endUserFor(options.endUserId);
  const endUser = { ...configured, id: configured.source === "flag" ? configured.id : (sandbox?.endUserId ?? configured.id) };
  let answered2xx = 0;
  const summary = await run.finish(
    (async () => {
      for (let i = 0; i < options.count; i++) {
        const ids = {
          accountId: options.accountId ?? sandbox?.accountId,
          endUserId: endUser.id,
          linkTokenId: sandbox?.linkTokenId,
          platform: sandbox?.platform,
        };
        const results = await playThroughRun(run, scenario, { speed: options.speed ?? 1, ids, apiVersion: options.apiVersion });
        answered2xx += results.filter((result) => result.report.ok).length;
        printScenarioReport(out, scenario, results);
      }
    })(),
  );
  const endUserNotice = unrecognisedEndUserNotice(endUser, summary.sent, answered2xx);
  if (endUserNotice) out.warn(endUserNotice);
  const failure = summarize(out, summary, url, true);
  if (failure) throw new CliError(failure);
}

export async function run(eventArg: string | undefined, options: SimulateOptions, command?: Command): Promise<void> {
  const out = createOutput({ json: options.json });
  if (options.scenario !== undefined) {
    if (eventArg !== undefined) throw usageError("pass either an event name or --scenario <name>, not both");
    // --concurrency has a default, so only commander knows whether it was typed.
    if (command?.getOptionValueSource("concurrency") === "cli") {
      throw usageError("--concurrency applies to --count's events; a scenario plays its steps in order (mark steps \"concurrent\" in the scenario file instead)");
    }
    return simulateScenario(out, { ...options, scenario: options.scenario });
  }
  if (options.speed !== undefined) throw usageError("--speed scales a scenario's delays; it goes with --scenario <name>");
  if (options.pauseAfter !== undefined && (options.to !== undefined || options.webhookId !== undefined)) {
    throw usageError("--pause-after applies to the fan-out to local webhooks; drop --to and --webhook-id, or drop --pause-after");
  }
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
  const data = options.data === undefined ? undefined : readBodyFile("--data", options.data);
  // Built up front so a bad override fails before anything is sent.
  sequenceBuilder(name, options, data);
  const { secret } = secretFor(out, options.secret);
  const sandbox = options.sandbox === undefined ? undefined : await sandboxAccountIds(options.sandbox, secret, options.endUserId, options.timeout);
  if (sandbox && !out.json) out.notice(`Sandbox account ${sandbox.accountId} (end user ${sandbox.endUserId}) in ${options.sandbox}`);
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
  const webhookId = options.webhookId ?? randomUUID();
  const run = DeliveryRun.open(out, runOptions(options, url, secret, options.count * firstSequence.length));
  const summary = await run.finish(
    runPool(options.count, options.concurrency, async (index) => {
      const sequence = index === 0 ? firstSequence : sequenceFor(index);
      // One event's deliveries go in order: a pending job must arrive before its result.
      for (const item of sequence) await run.send({ ...item, webhookId });
    }),
  );
  const failure = summarize(out, summary, url, run.verbose);
  if (failure) throw new CliError(failure);
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
  sequence(index: number): Planned[];
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
      const what = plan.event ? `subscribed to ${plan.event}` : "for a body that names no event";
      out.notice(
        `No active local webhook ${what}; sending to the default URL ${resolveDefaultTarget()} ` +
          '(register one with "pinwheel-cli webhooks create", or pass --to)',
      );
      return false;
    }
    const plural = active.length === 1 ? "" : "s";
    out.notice(`Fan-out: ${plan.event} to ${active.length} active local webhook${plural} subscribed to it`);
    const planned = options.count * plan.perEvent * active.length;
    const run = DeliveryRun.open(out, runOptions(options, resolveDefaultTarget(), plan.secret, planned, "fanout"));
    const pauseAfterMs = options.pauseAfter ?? PINWHEEL_PAUSE_AFTER_MS;
    const stopped = new Set<string>();
    const summary = await run.finish(
      runPool(options.count, options.concurrency, async (index) => {
        const sequence = plan.sequence(index);
        // Each webhook gets the payload format of its own version, unless --api-version chose one
        // for all; a --data body is sent byte for byte.
        const versioned = options.apiVersion === undefined && options.data === undefined;
        const keep = { keepEndUserId: options.endUserId !== undefined };
        await Promise.all(
          active.map(({ webhook }) => {
            const forWebhook = versioned ? sequence.map((item) => ({ ...item, body: versionedBody(item.body, webhook.version, keep) })) : sequence;
            return deliverInOrder(out, run, registry, webhook, forWebhook, pauseAfterMs, stopped);
          }),
        );
      }),
    );
    const failure = summarize(out, summary, `${active.length} local webhook${plural}`, run.verbose);
    if (failure) throw new CliError(failure);
    return true;
  } finally {
    db.close();
  }
}

async function deliverInOrder(
  out: Output,
  run: DeliveryRun,
  registry: LocalRegistry,
  webhook: { id: string; url: string },
  sequence: readonly Planned[],
  pauseAfterMs: number,
  stopped: Set<string>,
): Promise<void> {
  for (const item of sequence) {
    // A webhook the pause rule paused (or that was deleted) during the run receives nothing more.
    if (stopped.has(webhook.id)) return;
    const report = await run.send({ ...item, webhookId: webhook.id }, webhook.url);
    const outcome = registry.recordDelivery(webhook.id, report.ok, pauseAfterMs);
    if (!outcome) {
      stopped.add(webhook.id);
    } else if (outcome.pausedNow) {
      stopped.add(webhook.id);
      out.warn(
        `webhook ${webhook.id} (${webhook.url}) is now paused: no 2xx since ${outcome.state.first_failure_at} ` +
          `(${outcome.state.consecutive_failures} ${outcome.state.consecutive_failures === 1 ? "failure" : "failures"}, pause after ${describeSpan(pauseAfterMs)})`,
      );
    }
  }
}
