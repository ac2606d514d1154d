import { spawn } from "node:child_process";
import { ENVIRONMENT_BASE_URLS, NEWEST_VERSION, type Environment } from "../../api/environments.js";
import { isPinwheelApiError } from "../../api/errors.js";
import type { Webhook } from "../../api/types.js";
import { executableSearchPath, resolveDbPath, resolveSecret, SECRET_SOURCE_LABELS } from "../../config.js";
import { CliError, usageError } from "../../errors.js";
import type { Output } from "../../output/index.js";
import { apiKeyFingerprint } from "../../registry/api-key.js";
import { claimWebhook, releaseWebhook, WebhookQuotaFullError, type Claim } from "../../registry/listen-webhook.js";
import { ownedWebhooks } from "../../registry/owned.js";
import { ENABLEABLE_EVENTS } from "../../registry/validate.js";
import { isLoopbackHost } from "../../loopback.js";
import type { Db } from "../../store/database.js";
import { findOnPath, startTunnel, TunnelAbortedError, TunnelNotFoundError, TunnelStartError, type Tunnel } from "../../tunnel/launch.js";
import type { TunnelProgram } from "../../tunnel/public-url.js";
import { openApi, type OpenedApi, type Target } from "../../registry/target.js";
import { describeApiFailure, redact } from "../../cli/webhooks-api.js";

/**
 * listen's public side: --tunnel starts cloudflared or ngrok for its port, --register points a
 * Pinwheel webhook at the public URL (and deletes it at exit). The logic lives in
 * src/registry/listen-webhook.ts and src/tunnel/; this module parses, words and prints.
 */

export interface PublicOptions {
  register?: Environment;
  publicUrl?: string;
  tunnel?: TunnelProgram;
  keep?: boolean;
  yes?: boolean;
  baseUrl?: string;
  secret?: string;
  db?: string;
  skipVerify?: boolean;
}

export interface PublicPlan {
  register: Environment | undefined;
  target: Target | undefined;
  publicUrl: string | undefined;
  tunnel: TunnelProgram | undefined;
  keep: boolean;
  skipVerify: boolean;
}

const API_TIMEOUT_MS = 15_000;
/** A quick tunnel usually announces its URL within seconds; a slow network gets a minute. */
const TUNNEL_TIMEOUT_MS = 60_000;

const INSTALL_HINTS: Record<TunnelProgram, string> = {
  cloudflared:
    "cloudflared is not on PATH; install it (macOS: brew install cloudflared; Linux and Windows: https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/) or pass --public-url <https url> of your own tunnel",
  ngrok:
    'ngrok is not on PATH; install it (macOS: brew install ngrok; elsewhere: https://ngrok.com/download), run "ngrok config add-authtoken <token>" once, or pass --public-url <https url> of your own tunnel',
};

function checkPublicUrl(value: string, environment: Environment): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`--public-url "${value}" is not a URL; give the https:// address your tunnel prints, e.g. https://abc.ngrok-free.app/`);
  }
  if (url.protocol === "https:") return value;
  if (environment === "local" && url.protocol === "http:" && isLoopbackHost(url.hostname)) return value;
  throw usageError(`--public-url must start with https:// (Pinwheel delivers only to https), got "${value}"; --tunnel cloudflared gives one`);
}

function registerTarget(environment: Environment, options: PublicOptions): Target {
  const secret = resolveSecret(options.secret);
  if (environment === "local") {
    const dbPath = resolveDbPath(options.db);
    return { kind: "local", label: `the local registry (${dbPath})`, baseUrl: undefined, environment, allowLoopbackHttp: true, apiVersion: NEWEST_VERSION, secret, dbPath };
  }
  if (secret.source === "default") {
    throw usageError(
      `--register ${environment} needs your Pinwheel ${environment} API secret (it registers the webhook and verifies what Pinwheel sends): ` +
        'pass --secret, set PINWHEEL_API_SECRET, or run "pinwheel-cli config set api-secret"',
    );
  }
  const baseUrl = options.baseUrl ?? ENVIRONMENT_BASE_URLS[environment];
  return {
    kind: "http",
    label: `Pinwheel ${environment} (${new URL(baseUrl).origin})`,
    baseUrl,
    environment,
    allowLoopbackHttp: false,
    apiVersion: NEWEST_VERSION,
    secret,
    dbPath: undefined,
  };
}

/** Usage mistakes (and a missing tunnel program), refused before listen binds its port or sends anything. Undefined: no public side. */
export function planPublicEndpoint(options: PublicOptions): PublicPlan | undefined {
  const plan = checkedPlan(options);
  // A missing program is found before listen binds its port, not after it printed that it is ready.
  if (plan?.tunnel !== undefined && !findOnPath(plan.tunnel, executableSearchPath())) throw new CliError(INSTALL_HINTS[plan.tunnel]);
  return plan;
}

function checkedPlan(options: PublicOptions): PublicPlan | undefined {
  const { register } = options;
  if (options.publicUrl !== undefined && options.tunnel !== undefined) throw usageError("pass either --public-url or --tunnel, not both");
  if (register === undefined) {
    if (options.publicUrl !== undefined) throw usageError("--public-url is the address --register gives Pinwheel; add --register sandbox (or development, local)");
    for (const [given, flag] of [[options.keep, "--keep"], [options.baseUrl, "--base-url"]] as const) {
      if (given !== undefined && given !== false) throw usageError(`${flag} goes with --register <environment>`);
    }
    return options.tunnel ? { register, target: undefined, publicUrl: undefined, tunnel: options.tunnel, keep: false, skipVerify: Boolean(options.skipVerify) } : undefined;
  }
  if (register === "production" && !options.yes) {
    throw usageError("--register production adds a webhook to your live Pinwheel workspace; confirm with --yes (or use --register sandbox)");
  }
  if (register === "local" && options.baseUrl !== undefined) {
    throw usageError("--base-url goes with --register sandbox, development or production; --register local uses the local registry itself");
  }
  if (register !== "local" && options.publicUrl === undefined && options.tunnel === undefined) {
    throw usageError(`--register ${register} needs a public https address: pass --public-url <https url> or --tunnel cloudflared (Pinwheel cannot reach 127.0.0.1)`);
  }
  const publicUrl = options.publicUrl === undefined ? undefined : checkPublicUrl(options.publicUrl, register);
  const target = registerTarget(register, options);
  return { register, target, publicUrl, tunnel: options.tunnel, keep: Boolean(options.keep), skipVerify: Boolean(options.skipVerify) };
}

export interface PublicEndpoint {
  /** Set when starting or stopping failed: listen stops and throws it once everything is closed. */
  readonly failure: unknown;
  /** Deletes the webhook (unless --keep), then stops the tunnel. Never throws; see failure. */
  close(): Promise<void>;
}

export interface PublicContext {
  db: Db;
  receiverUrl: string;
  /** --events, or undefined for every event. */
  events: readonly string[] | undefined;
  /** Resolves on Ctrl+C or SIGTERM: a tunnel still starting is stopped at once. */
  stopping: Promise<unknown>;
}

function deleteCommand(target: Target, id: string): string {
  const where = target.kind === "local" ? "--env local" : target.environment !== undefined && target.baseUrl === ENVIRONMENT_BASE_URLS[target.environment] ? `--env ${target.environment}` : `--base-url ${target.baseUrl}`;
  return `pinwheel-cli webhooks delete ${id} ${where}`;
}

function eventsText(events: readonly string[]): string {
  return events.length === ENABLEABLE_EVENTS.length ? `every event (${events.length})` : events.join(", ");
}

function localUrlOf(receiverUrl: string): string {
  const url = new URL(receiverUrl);
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (url.hostname === "[::]") url.hostname = "[::1]";
  return url.origin;
}

function describeFailure(out: Output, error: unknown, plan: PublicPlan): unknown {
  const target = plan.target;
  if (error instanceof TunnelNotFoundError) return new CliError(INSTALL_HINTS[error.program]);
  if (error instanceof TunnelStartError) {
    const said = error.lines.at(-1);
    const ngrokAuth = error.program === "ngrok" && error.lines.some((line) => /authtoken|ERR_NGROK_(4018|105)\b/i.test(line));
    const hint = ngrokAuth ? '; run "ngrok config add-authtoken <token>" (from the ngrok dashboard) first' : "";
    return new CliError(`${error.message}${said ? `; it said: ${said.trim()}` : ""}${hint}`);
  }
  if (!target) return error;
  if (error instanceof WebhookQuotaFullError) {
    out.notice(`The webhooks in ${target.label}:`);
    for (const webhook of error.webhooks) out.notice(`  ${webhook.id}  ${webhook.status.padEnd(6)}  ${webhook.url}`);
    const first = error.webhooks[0]?.id ?? "<id>";
    return new CliError(
      `${target.label} already has ${error.webhooks.length} webhooks, the most one API key may have, and none is listen's own to replace; ` +
        `delete one you no longer need (listed above) with "${deleteCommand(target, first)}", then start listen again`,
    );
  }
  if (isPinwheelApiError(error) && (error.statusCode === 401 || error.body.type === "UNAUTHORIZED_REQUEST")) {
    const secret = target.secret;
    return new CliError(
      `${target.label} refused the API secret from ${SECRET_SOURCE_LABELS[secret.source]} (${error.statusCode} ${error.body.code}: ${redact(error.body.message, secret.secret)}); ` +
        `--register ${plan.register} needs your Pinwheel ${plan.register} API secret, which also verifies the deliveries: ` +
        'pass --secret, set PINWHEEL_API_SECRET or run "pinwheel-cli config set api-secret"',
    );
  }
  return describeApiFailure(error, target, API_TIMEOUT_MS);
}

function printClaim(out: Output, plan: PublicPlan, target: Target, claim: Claim): void {
  const { webhook } = claim;
  const deleted = claim.deleted.map((old: Webhook) => ({ id: old.id, url: old.url }));
  const verifiesFor = plan.skipVerify ? null : plan.register;
  if (out.json) {
    out.ndjson({
      type: "webhook",
      action: claim.action,
      id: webhook.id,
      url: webhook.url,
      environment: plan.register,
      enabled_events: webhook.enabled_events,
      owned: claim.owned,
      reactivated: claim.reactivated,
      deleted,
      verifies_for: verifiesFor,
    });
    return;
  }
  for (const old of deleted) {
    const why = old.url === webhook.url ? "with other events" : "for another URL";
    out.notice(`Deleted webhook ${old.id} (${old.url}): an earlier listen registered it ${why}`);
  }
  const verb = claim.action === "created" ? "Registered" : "Reusing";
  out.notice(`${verb} webhook ${out.c.bold(webhook.id)} in ${target.label}: ${webhook.url}, ${eventsText(webhook.enabled_events)}`);
  if (claim.reactivated) out.notice("It was paused; listen set it back to active.");
  if (!claim.owned) out.notice("It was not registered by listen, so listen leaves it in place when it stops.");
  if (webhook.status === "paused") {
    out.warn(`webhook ${webhook.id} is paused: Pinwheel sends it nothing until "pinwheel-cli webhooks update ${webhook.id} --status active"`);
  }
  const from = SECRET_SOURCE_LABELS[target.secret.source];
  const localSecret = target.secret.source === "default" ? SECRET_SOURCE_LABELS.default : `the secret from ${from}`;
  if (verifiesFor === "local") out.notice(`Verifying deliveries for the local registry: signed with ${localSecret}`);
  else if (verifiesFor) out.notice(`Verifying deliveries for Pinwheel ${verifiesFor}: signed with your ${verifiesFor} API secret (from ${from})`);
}

/** Starts the tunnel, then registers the webhook; a failure is kept in `failure` for listen to throw after closing. */
export async function openPublicEndpoint(out: Output, plan: PublicPlan, context: PublicContext): Promise<PublicEndpoint> {
  let failure: unknown;
  let tunnel: Tunnel | undefined;
  let opened: OpenedApi | undefined;
  let claim: Claim | undefined;
  let closing = false;
  const abort = new AbortController();
  void context.stopping.then(() => abort.abort());
  const events = context.events && context.events.length > 0 ? context.events : ENABLEABLE_EVENTS;
  const owned = (target: Target) =>
    ownedWebhooks(context.db, {
      api: target.kind === "local" ? "local" : new URL(target.baseUrl).origin,
      apiKey: apiKeyFingerprint(target.secret.secret),
    });

  try {
    let url = plan.publicUrl;
    if (plan.tunnel) {
      const localUrl = localUrlOf(context.receiverUrl);
      if (!out.json) out.notice(`Starting ${plan.tunnel} for ${localUrl}…`);
      tunnel = await startTunnel({ program: plan.tunnel, localUrl, spawn, timeoutMs: TUNNEL_TIMEOUT_MS, signal: abort.signal });
      url = `${tunnel.publicUrl}/`;
      const program = tunnel.program;
      void tunnel.exited.then(({ code, signal }) => {
        if (!closing) out.warn(`${program} exited (${signal ?? `code ${code}`}): nothing reaches this listener from ${url} any more`);
      });
      if (out.json) out.ndjson({ type: "tunnel", program, public_url: url, local_url: localUrl });
      else out.notice(`Public URL: ${out.c.bold(url)} (${program}, forwarding to ${localUrl})`);
    }
    const target = plan.target;
    if (target && !abort.signal.aborted) {
      opened = await openApi(target, API_TIMEOUT_MS);
      const request = { url: url ?? context.receiverUrl, events, version: NEWEST_VERSION };
      claim = await claimWebhook({ api: opened.api, owned: owned(target) }, request);
      printClaim(out, plan, target, claim);
    }
  } catch (error) {
    if (!(error instanceof TunnelAbortedError)) failure = describeFailure(out, error, plan);
  }

  return {
    get failure() {
      return failure;
    },
    async close() {
      closing = true;
      // A claim is only made with a target, so `target` is there whenever `claim` is.
      const target = plan.target;
      if (claim && opened && target) {
        const { webhook } = claim;
        if (plan.keep && claim.owned) {
          if (out.json) out.ndjson({ type: "webhook_kept", id: webhook.id });
          else out.notice(`Kept webhook ${webhook.id} (--keep); the next listen --register ${plan.register} reuses it for the same URL, or deletes it`);
        } else {
          try {
            if ((await releaseWebhook({ api: opened.api, owned: owned(target) }, claim)) === "deleted") {
              if (out.json) out.ndjson({ type: "webhook_deleted", id: webhook.id });
              else out.notice(`Deleted webhook ${webhook.id} from ${target.label}`);
            }
          } catch (error) {
            const why = describeFailure(out, error, plan);
            failure ??= new CliError(
              `could not delete webhook ${webhook.id} (${(why as Error).message}); delete it with "${deleteCommand(target, webhook.id)}", or the next listen --register ${plan.register} will`,
            );
          }
        }
      }
      await opened?.close();
      await tunnel?.stop();
    },
  };
}
