import { randomUUID } from "node:crypto";
import { pinwheelTimestamp } from "../events/build.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import type { RetryPolicy } from "../delivery/retry-policy.js";
import type { LocalRegistry } from "../registry/local.js";
import type { Db } from "../store/database.js";
import { deliverSequence, type SequenceReport } from "./deliver.js";
import { SandboxInputError } from "./errors.js";
import { fakeJwt, generateAccount } from "./generate.js";
import { DATA_JOBS, dataJobsOf, DEFAULT_PLATFORM, EMPLOYERS, findPlatform, platformById, PLATFORMS, type DataJob, type Platform } from "./platforms.js";
import { randomSeed, seededRandom } from "./random.js";
import type { Account, LinkToken, SandboxAccount } from "./records.js";
import { connectEvents, type JobOutcome } from "./sequence.js";
import { sandboxStore, type AccountSummary, type SandboxStore } from "./store.js";

export interface SandboxContext {
  db: Db;
  /** apiKeyFingerprint(secret): accounts belong to one API key, like webhooks. */
  apiKey: string;
  /** Signs the deliveries: the API key's secret. */
  secret: string;
  /** The webhooks the events go to. */
  registry: LocalRegistry;
  clock?: () => number;
  /** Per delivery attempt (default 15 s, Pinwheel's). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Stops delivering (an MCP client cancelled): the account stays, the events not sent are not. */
  signal?: AbortSignal;
}

export interface ConnectOptions {
  /** A platform name or id from the sandbox catalog (GET /v1/platforms); default Workday. */
  platform?: string;
  /** Default: a new sandbox_user_NNNNNN (or the Link token's). */
  endUserId?: string;
  /** Data jobs to run (paystubs, shifts, employment, income, identity); default every one the platform supports. */
  jobs?: readonly string[];
  /** Same seed, end user, platform and day, same account: ids, employer, pay dates, amounts (another end user or platform gets its own ids). Default: a random seed. */
  seed?: number;
  /** Connect through a Link token made with POST /v1/link_tokens: its id, end user and platform carry over. */
  linkTokenId?: string;
  /** Jobs that end in error (no data served) or report pending before their result. */
  outcomes?: Partial<Record<string, Exclude<JobOutcome, "success">>>;
  /** False: store the account without sending its events (simulate --sandbox sends its own). */
  deliver?: boolean;
}

export interface ConnectResult extends SequenceReport {
  account_id: string;
  end_user_id: string;
  platform_id: string;
  platform_name: string;
  link_token_id: string;
  seed: number;
  jobs: DataJob[];
  failed_jobs: DataJob[];
  paystubs: number;
  shifts: number;
  /** Every event of the connection in the order sent, whether or not any webhook took it. */
  events: { event: string; event_id: string }[];
  /**
   * With deliver: false, the events themselves (the caller sends its own, simulate --sandbox):
   * every id and params in them is what the data API serves for the account.
   */
  envelopes?: WebhookEnvelope[];
}

export interface LinkTokenRequest {
  end_user_id?: unknown;
  platform_id?: unknown;
  employer_id?: unknown;
  [key: string]: unknown;
}

export interface Sandbox {
  readonly store: SandboxStore;
  connect(options?: ConnectOptions): Promise<ConnectResult>;
  accounts(): AccountSummary[];
  reset(): { accounts: number; linkTokens: number };
  createLinkToken(body: LinkTokenRequest): LinkToken;
  /** Sets the account's monitoring to customer_disabled and delivers account.monitoring_status.updated (nothing when it already was); undefined for an unknown id. */
  disableMonitoring(accountId: string): { account: Account; delivered: Promise<SequenceReport> } | undefined;
}

function chooseJobs(platform: Platform, requested: readonly string[] | undefined): DataJob[] {
  const supported = dataJobsOf(platform);
  if (requested === undefined) return supported;
  if (requested.length === 0) throw new SandboxInputError("jobs", "is empty; name at least one of " + supported.join(", "));
  for (const job of requested) {
    if (!(DATA_JOBS as readonly string[]).includes(job)) throw new SandboxInputError("jobs", `has "${job}", which is not a data job; use ${DATA_JOBS.join(", ")}`);
    if (!supported.includes(job as DataJob)) throw new SandboxInputError("jobs", `has "${job}", which ${platform.name} does not support; it supports ${supported.join(", ")}`);
  }
  // In the platform's order, once each.
  return supported.filter((job) => requested.includes(job));
}

function choosePlatform(name: string | undefined, fromToken: string | null | undefined): Platform {
  if (name === undefined) return (fromToken && platformById(fromToken)) || DEFAULT_PLATFORM;
  const found = findPlatform(name);
  if (!found) throw new SandboxInputError("platform", `"${name}" is not a sandbox platform; use one of ${PLATFORMS.map((p) => p.name).join(", ")}`);
  return found;
}

/** The local Pinwheel sandbox: accounts with generated data, and the events that announce them. */
export function createSandbox(context: SandboxContext): Sandbox {
  const store = sandboxStore(context.db, context.apiKey);
  const clock = context.clock ?? Date.now;
  const deliverAll = (envelopes: WebhookEnvelope[]) =>
    deliverSequence(envelopes, { db: context.db, registry: context.registry, secret: context.secret, timeoutMs: context.timeoutMs, retry: context.retry, signal: context.signal });

  return {
    store,
    async connect(options = {}) {
      const token = options.linkTokenId === undefined ? undefined : store.linkToken(options.linkTokenId);
      if (options.linkTokenId !== undefined && !token) throw new SandboxInputError("link_token_id", `"${options.linkTokenId}" is not a Link token of this API key`);
      const platform = choosePlatform(options.platform, token?.platformId);
      const jobs = chooseJobs(platform, options.jobs);
      const outcomes: Partial<Record<DataJob, Exclude<JobOutcome, "success">>> = {};
      for (const [job, outcome] of Object.entries(options.outcomes ?? {})) {
        if (!jobs.includes(job as DataJob)) throw new SandboxInputError("outcomes", `names "${job}", which is not among the jobs run (${jobs.join(", ")})`);
        if (outcome !== "error" && outcome !== "pending") throw new SandboxInputError("outcomes", `for ${job} must be error or pending`);
        outcomes[job as DataJob] = outcome;
      }
      const endUserId = options.endUserId ?? token?.endUserId;
      if (endUserId !== undefined && (typeof endUserId !== "string" || endUserId === "")) throw new SandboxInputError("end_user_id", "must be a non-empty string");
      const seed = options.seed ?? randomSeed();
      const now = clock();
      const generated = generateAccount({ seed, now, platform, jobs, endUserId, linkTokenId: token?.linkToken.id });
      const data = withFailures(generated, Object.keys(outcomes).filter((job) => outcomes[job as DataJob] === "error") as DataJob[]);
      store.save(data);
      const envelopes = connectEvents(data, { now, platform, outcomes });
      const report = options.deliver === false ? { deliveries: [], skipped: [] } : await deliverAll(envelopes);
      return {
        account_id: data.account.id,
        end_user_id: data.account.end_user_id,
        platform_id: platform.id,
        platform_name: platform.name,
        link_token_id: data.account.link_token_id,
        seed,
        jobs: data.jobs,
        failed_jobs: data.failedJobs,
        paystubs: data.paystubs.length,
        shifts: data.shifts.length,
        events: envelopes.map((envelope) => ({ event: envelope.event, event_id: envelope.event_id })),
        ...(options.deliver === false ? { envelopes } : {}),
        ...report,
      };
    },
    accounts: () => store.list(),
    reset: () => store.reset(),
    createLinkToken(body) {
      const endUserId = body.end_user_id;
      if (typeof endUserId !== "string" || endUserId === "") throw new SandboxInputError("end_user_id", "is required: the key you know your user by");
      const platformId = body.platform_id ?? null;
      if (platformId !== null && (typeof platformId !== "string" || !platformById(platformId))) {
        throw new SandboxInputError("platform_id", "is not a platform of GET /v1/platforms");
      }
      const employerId = body.employer_id ?? null;
      const employer = employerId === null ? undefined : EMPLOYERS.find((candidate) => candidate.id === employerId);
      if (employerId !== null && !employer) throw new SandboxInputError("employer_id", "is not an employer of GET /v1/search");
      const now = clock();
      const id = randomUUID();
      const linkToken: LinkToken = {
        id,
        token: fakeJwt(seededRandom(now), id),
        mode: "sandbox",
        expires: pinwheelTimestamp(now + 3_600_000),
        smart_branch_url: null,
      };
      store.saveLinkToken({ linkToken, endUserId, platformId: (platformId as string | null) ?? employer?.platform_id ?? null, employerId: employer?.id ?? null }, pinwheelTimestamp(now));
      return linkToken;
    },
    disableMonitoring(accountId) {
      const stored = store.account(accountId);
      if (!stored) return undefined;
      // The event says the status changed: a second call changes nothing and announces nothing.
      if (stored.account.monitoring_status === "customer_disabled") return { account: stored.account, delivered: Promise.resolve({ deliveries: [], skipped: [] }) };
      const at = pinwheelTimestamp(clock());
      stored.account = { ...stored.account, monitoring_status: "customer_disabled" };
      store.updateAccount(stored);
      const envelope: WebhookEnvelope = {
        event: "account.monitoring_status.updated",
        event_id: randomUUID(),
        payload: {
          current_monitoring_status: "customer_disabled",
          account_id: stored.account.id,
          end_user_id: stored.account.end_user_id,
          updated_at: at,
        },
      };
      return { account: stored.account, delivered: deliverAll([envelope]) };
    },
  };
}

/** A job that ended in error leaves no data, and the account's freshness maps do not name it. */
function withFailures(data: SandboxAccount, failed: DataJob[]): SandboxAccount {
  if (failed.length === 0) return data;
  const drop = <T>(job: DataJob, value: T, empty: T) => (failed.includes(job) ? empty : value);
  const without = (map: Partial<Record<DataJob, string>>) => Object.fromEntries(Object.entries(map).filter(([job]) => !failed.includes(job as DataJob)));
  return {
    ...data,
    account: { ...data.account, data_updated_at: without(data.account.data_updated_at), data_refreshed_at: without(data.account.data_refreshed_at) },
    failedJobs: failed,
    paystubs: drop("paystubs", data.paystubs, []),
    shifts: drop("shifts", data.shifts, []),
    employment: drop("employment", data.employment, undefined),
    income: drop("income", data.income, undefined),
    identity: drop("identity", data.identity, undefined),
  };
}
