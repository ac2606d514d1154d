import { DEFAULT_DEV_SECRET, resolveDbPath, resolveSecret, SECRET_SOURCE_LABELS, type SecretSource } from "../../config.js";
import { interrupted, stdoutClosed, usageError } from "../../errors.js";
import { stdoutWasClosed } from "../../interrupt.js";
import type { DeliveryReport } from "../../delivery/deliver.js";
import { createForwarder, DEFAULT_FORWARD_QUEUE, type Forwarder, type ForwardReport } from "../../delivery/forwarder.js";
import { retryPolicy } from "../../delivery/retry-policy.js";
import { printForward } from "../../output/delivery.js";
import { validateWebhookEvent } from "../../events/schemas.js";
import { createInspector, INSPECTOR_PATH, type Inspector } from "../../inspector/index.js";
import { createOutput, type Output } from "../../output/index.js";
import { formatRequestLine, requestJson, requestJsonLine } from "../../output/requests.js";
import { startReceiver, type Receiver, type ReceiverOptions } from "../../receiver/server.js";
import { startCheckpointer, type StoreGone } from "../../store/checkpointer.js";
import { openDatabase, type Db } from "../../store/database.js";
import { requestStore, type StoredRequest } from "../../store/requests.js";
import { eventNameOrUsageError, secretFor } from "../../cli/inputs.js";
import type { EventName } from "../../events/catalog.js";
import { openPublicEndpoint, planPublicEndpoint, type PublicOptions } from "./public-endpoint.js";
import { bindsToLoopback, isLoopbackHost } from "../../loopback.js";
import { describeBindError, waitForStopSignal } from "../../cli/serving.js";
import { certificateHint } from "../../transport-error.js";
import { everyEvent } from "../../cli/event-wildcard.js";

export interface ListenOptions extends PublicOptions {
  port: number;
  host: string;
  db?: string;
  secret?: string;
  tolerance: number;
  skipVerify?: boolean;
  maxConnections: number;
  /** A body over this many MiB is stored (its first MiBs) and refused with 413. */
  maxBodyMb?: number;
  forwardTo?: string;
  forwardSecret?: string;
  forwardStatus?: boolean;
  forwardRetry?: boolean;
  forwardTimeout: number;
  /** Forwards waiting on the app at most (in flight or waiting for a retry), and the MiB of their bodies. */
  forwardQueue?: number;
  forwardQueueMb?: number;
  events?: string[];
  /** false with --no-ui: no inspector page under /_/. */
  ui?: boolean;
  json?: boolean;
}


/** A forward target on this machine at listen's own port: each forward would arrive again and be forwarded again. */
function forwardsToItself(forwardTo: string, host: string, port: number): boolean {
  if (port === 0) return false;
  const target = new URL(forwardTo);
  const targetPort = Number(target.port || (target.protocol === "https:" ? 443 : 80));
  const local = isLoopbackHost(target.hostname) || target.hostname === host || ((host === "0.0.0.0" || host === "::") && target.hostname === "0.0.0.0");
  return targetPort === port && local;
}

/** The page's address; a wildcard bind (0.0.0.0, ::) is opened in a browser through loopback. */
function inspectorUrl(receiverUrl: string): string {
  const url = new URL(INSPECTOR_PATH, receiverUrl);
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (url.hostname === "[::]") url.hostname = "[::1]";
  return url.toString();
}

function show(out: Output, request: StoredRequest, shown: ReadonlySet<string>): void {
  // --events narrows what is shown and forwarded; everything is still stored.
  if (shown.size > 0 && (request.event === null || !shown.has(request.event))) return;
  if (out.json) out.line(requestJsonLine(request));
  else out.line(formatRequestLine(out.c, request));
}

/**
 * listen --forward-status answers the sender with the app's status, or 502 when the app gave none,
 * or 503 (retry later) when the forward queue was full and it was not sent.
 */
function forwardedStatus(report: ForwardReport): number {
  if (report.shed) return 503;
  return report.final.statusCode ?? 502;
}

export async function run(options: ListenOptions): Promise<void> {
  const out = createOutput({ json: options.json, batched: true });
  try {
    await listen(out, options);
  } finally {
    out.flush();
  }
}

async function listen(out: Output, options: ListenOptions): Promise<void> {
  const events = checkListenFlags(options);
  // --register, --tunnel and their flags are checked before anything is bound or sent.
  const publicPlan = planPublicEndpoint(options);
  const { secret, source } = options.skipVerify && !options.forwardTo ? { secret: "", source: undefined } : secretFor(out, options.secret);
  const dbPath = resolveDbPath(options.db);
  const db = openDatabase(dbPath);
  const forwarder = openForwarder(out, options, db, secret, events);
  const loopbackOnly = await bindsToLoopback(options.host);
  const inspector = openInspector(options, db, secret, forwarder, loopbackOnly);
  const relay = createRelay(out, new Set<string>(events), inspector, forwardSigner(options, source));
  const tally = storeTally(out, dbPath);
  const receiver = await startListening(out, options, { db, dbPath, secret, forwarder, inspector, relay, tally });
  const checkpointer = startCheckpointer(db, dbPath, undefined, undefined, (how) => {
    // Checked once a second by the checkpointer's thread: from now on nothing is stored into a file no one can open.
    receiver.refuseStoring(new Error(`the store ${dbPath} was ${how} while listen ran`));
    tally.gone(how);
  });
  announceReady(out, options, { url: receiver.url, port: receiver.port, dbPath, inspector, forwarder, loopbackOnly });

  const stopping = waitForStopSignal();
  const publicEndpoint = publicPlan && (await openPublicEndpoint(out, publicPlan, { db, receiverUrl: receiver.url, events: events.length > 0 ? events : undefined, stopping }));
  const signal = publicEndpoint?.failure ? undefined : await stopping;
  if (!options.json) out.notice("Stopping: finishing in-flight requests…");
  try {
    // Pinwheel stops sending before the receiver stops answering.
    await publicEndpoint?.close();
    await stopServing(out, { receiver, inspector, forwarder, relay });
  } finally {
    // Whatever failed above, the checkpointer's thread must not keep the process alive.
    await checkpointer.stop();
  }
  let inStore: number | null;
  try {
    // A deleted store's count is of a file no one can open again: none.
    inStore = tally.goneHow === undefined ? requestStore(db).count() : null;
  } finally {
    db.close();
  }
  if (options.json) {
    // `stored` stays what it was, the store's whole count (null once the file was deleted); this run's are `stored_this_run`.
    out.ndjson({ type: "stopped", stored: inStore, stored_this_run: tally.stored, not_stored: tally.notStored, store_gone: tally.goneHow ?? null, db: dbPath });
  }
  if (publicEndpoint?.failure) throw publicEndpoint.failure;
  const summary = stopSummary(dbPath, tally, inStore);
  if (signal === "SIGINT") throw interrupted(`stopped; ${summary}`);
  // stdout's reader quit (process-hooks sent the SIGTERM): a graceful stop, but not a clean one.
  if (stdoutWasClosed()) throw stdoutClosed(summary);
  if (!options.json) out.notice(`Stopped. ${summary}`);
}

/** How the store went, in words: a file recreated at the path (by SQLite or by hand) reads "replaced". */
function goneText(how: StoreGone): string {
  return how === "deleted" ? "deleted" : "deleted or replaced (the path names another file now)";
}

/** What this run stored, and what it could not: said as listen stops. */
function stopSummary(dbPath: string, tally: StoreTally, inStore: number | null): string {
  const refused = tally.notStored > 0 ? `; ${tally.notStored} request(s) could not be stored and were answered 503 (the sender retries them)` : "";
  if (tally.goneHow !== undefined) {
    return `${tally.stored} request(s) stored by this run went into ${dbPath}, which was ${goneText(tally.goneHow)} while listen ran: they are not in the file at that path${refused}`;
  }
  return `${tally.stored} request(s) stored by this run in ${dbPath} (${inStore} in all; "pinwheel-cli events list" shows them)${refused}`;
}

/** Counts what this run stored and refused, and says once when storing fails and once when it works again. */
interface StoreTally {
  readonly stored: number;
  readonly notStored: number;
  /** Set once the checkpointer found the store's file deleted or replaced. */
  readonly goneHow: StoreGone | undefined;
  storedOne(): void;
  failed(error: unknown, request: StoredRequest | undefined): void;
  gone(how: StoreGone): void;
}

function storeTally(out: Output, dbPath: string): StoreTally {
  let stored = 0;
  let notStored = 0;
  let goneHow: StoreGone | undefined;
  // Requests refused since storing last failed; undefined while storing works.
  let failing: number | undefined;
  // An answer's status could not be recorded since a request was last stored.
  let statusFailing = false;
  return {
    get stored() {
      return stored;
    },
    get notStored() {
      return notStored;
    },
    get goneHow() {
      return goneHow;
    },
    storedOne() {
      stored++;
      statusFailing = false;
      if (failing === undefined) return;
      out.warn(`storing requests works again; ${failing} request(s) were answered 503 unstored meanwhile (the sender retries them)`);
      failing = undefined;
    },
    failed(error, request) {
      const reason = (error as Error).message;
      if (request !== undefined && request.id > 0) {
        // Stored, but the answer the app decided could not be recorded: its line shows the 503 answered instead.
        // Said once until a request is stored again, as a failure to store is.
        if (statusFailing) return;
        statusFailing = true;
        out.warn(
          `request #${request.id} was stored, but its answer could not be recorded (${reason}): it was answered 503, which Pinwheel retries, ` +
            `and the store still says ${request.statusCode}; so are others like it until storing works again`,
        );
        return;
      }
      notStored++;
      if (out.json) {
        // A line per request as always, marked: nothing was stored, so it has no id.
        out.ndjson({ type: "request", ...(request ? requestJson(request) : {}), id: null, status_code: 503, stored: false, not_stored_reason: reason });
      }
      // Said once until storing works again (or never again, once the file is gone: that was said loudly).
      if (goneHow !== undefined || failing !== undefined) {
        if (failing !== undefined) failing++;
        return;
      }
      failing = 1;
      out.warn(`requests cannot be stored (${reason}): each is answered 503, which Pinwheel retries; this is said again only once storing works again`);
    },
    gone(how) {
      goneHow = how;
      failing = undefined;
      out.warn(
        `the store ${dbPath} was ${goneText(how)} while listen ran: the ${stored} request(s) this run stored are not in the file at that path, ` +
          "and from now on every request is answered 503 unstored (Pinwheel retries it); restart listen to store into a new file",
      );
    },
  };
}

/** Flags that only make sense together, checked before anything is bound; the --events to show and forward. */
function checkListenFlags(options: ListenOptions): EventName[] {
  if (options.forwardStatus && !options.forwardTo) throw usageError("--forward-status needs --forward-to <url>");
  if (options.forwardRetry && !options.forwardTo) throw usageError("--forward-retry needs --forward-to <url>");
  if (options.forwardSecret !== undefined && !options.forwardTo) throw usageError("--forward-secret needs --forward-to <url>");
  if (options.forwardTo && forwardsToItself(options.forwardTo, options.host, options.port)) {
    throw usageError(`--forward-to ${options.forwardTo} is this listener itself (port ${options.port}), so every event would be forwarded forever; point it at your app`);
  }
  if (options.events?.length === 0) throw usageError("--events is empty; name the events to show and forward, e.g. --events paystubs.added,income.added");
  // --events '*' (the Stripe CLI's default) is every event, as without --events.
  if (everyEvent(options.events)) return [];
  return (options.events ?? []).map(eventNameOrUsageError);
}

function openForwarder(out: Output, options: ListenOptions, db: Db, secret: string, events: readonly string[]): Forwarder | undefined {
  if (!options.forwardTo) return undefined;
  return createForwarder({
    db,
    url: options.forwardTo,
    secret: options.forwardSecret ?? secret,
    timeoutMs: options.forwardTimeout,
    retry: options.forwardRetry ? retryPolicy() : undefined,
    events: [...events],
    queue: {
      forwards: options.forwardQueue ?? DEFAULT_FORWARD_QUEUE.forwards,
      bytes: options.forwardQueueMb !== undefined ? options.forwardQueueMb * 1024 * 1024 : DEFAULT_FORWARD_QUEUE.bytes,
    },
    onRecordError: (error) =>
      out.warn(`a forward attempt could not be recorded (${(error as Error).message}); forwarding goes on, and attempts that cannot be recorded are not reported again`),
  });
}

function openInspector(options: ListenOptions, db: Db, secret: string, forwarder: Forwarder | undefined, loopbackOnly: boolean): Inspector | undefined {
  if (options.ui === false) return undefined;
  return createInspector({
    db,
    // Replays to a typed URL are re-signed as a sender to this listener would sign them.
    secret: secret || resolveSecret(options.secret).secret,
    forward: forwarder ? { url: forwarder.url, secret: options.forwardSecret ?? secret } : undefined,
    replayTimeoutMs: options.forwardTimeout,
    loopbackOnly,
  });
}

/** Shows each stored request and forward (terminal, --json, the page) and keeps track of forwards in flight. */
interface Relay {
  announce(request: StoredRequest, forwarding: boolean): void;
  forward(to: Forwarder, request: StoredRequest): Promise<ForwardReport>;
  /**
   * With --forward-status: forwards, and shows nothing until `show` is called with the status
   * answered (the app's once recorded, or 503 when it could not be), just before the answer is
   * written; then the request with that status, then its forward.
   */
  forwardForAnswer(to: Forwarder, request: StoredRequest): Promise<{ report: ForwardReport; show(answered: number): void }>;
  /** Settles once every forward begun so far has. */
  settled(): Promise<unknown>;
}

/** What signs listen's forwards, in words for the hint when the app refuses them: never the secret itself. */
function forwardSigner(options: ListenOptions, source: SecretSource | undefined): string {
  if (options.forwardSecret !== undefined) return "--forward-secret";
  if (source === "default") return `${SECRET_SOURCE_LABELS.default} ("${DEFAULT_DEV_SECRET}")`;
  return source === undefined ? "listen's secret" : `listen's own secret (${SECRET_SOURCE_LABELS[source]})`;
}

function createRelay(out: Output, shown: ReadonlySet<string>, inspector: Inspector | undefined, signedWith: string): Relay {
  const forwardsInFlight = new Set<Promise<unknown>>();
  // The first run's usual trap: the app verifies with its own secret, listen re-signs with another.
  let refusedSignatureSaid = false;
  const hintOnRefusedSignature = (report: DeliveryReport) => {
    if (refusedSignatureSaid || report.final.statusCode !== 401) return;
    refusedSignatureSaid = true;
    out.warn(
      `your app at ${report.final.url} answered 401 to a forwarded event: listen re-signs each forward with ${signedWith}; ` +
        "give your app that secret, or pass --forward-secret <the secret your app verifies with>",
    );
  };
  // An https:// app on this machine usually has a certificate Node does not trust: each forward fails the same way.
  let certificateSaid = false;
  const hintOnCertificate = (report: DeliveryReport) => {
    const hint = certificateSaid ? undefined : certificateHint(report.final.error);
    if (hint === undefined) return;
    certificateSaid = true;
    out.warn(`forwards to ${report.final.url} fail on its TLS certificate: ${hint}`);
  };
  const announce = (request: StoredRequest, forwarding: boolean) => {
    show(out, request, shown);
    inspector?.publishRequest(request, { forwarding });
  };
  const showForward = (request: StoredRequest, report: ForwardReport) => {
    printForward(out, request, report);
    hintOnRefusedSignature(report);
    hintOnCertificate(report);
    inspector?.publishForward(request, report);
  };
  const tracked = <T>(sending: Promise<T>): Promise<T> => {
    forwardsInFlight.add(sending);
    void sending.finally(() => forwardsInFlight.delete(sending));
    return sending;
  };
  return {
    announce,
    forward(to, request) {
      return tracked(
        to.forward(request).then((report) => {
          showForward(request, report);
          return report;
        }),
      );
    },
    forwardForAnswer(to, request) {
      return tracked(
        to.forward(request).then((report) => ({
          report,
          show(answered: number) {
            announce({ ...request, statusCode: answered }, true);
            showForward(request, report);
          },
        })),
      );
    },
    settled: () => Promise.allSettled(forwardsInFlight),
  };
}

interface Listening {
  db: Db;
  dbPath: string;
  secret: string;
  forwarder: Forwarder | undefined;
  inspector: Inspector | undefined;
  relay: Relay;
  tally: StoreTally;
}

/** Binds the receiver; a failure to bind closes what was opened and says what to change. */
async function startListening(out: Output, options: ListenOptions, { db, dbPath, secret, forwarder, inspector, relay, tally }: Listening): Promise<Receiver> {
  const once = () => {
    let said = false;
    return (warning: string) => {
      if (said) return;
      said = true;
      out.warn(warning);
    };
  };
  const sayOnce = once();
  const sayTooLargeOnce = once();
  const maxBodyMb = options.maxBodyMb ?? 1;
  try {
    return await startReceiver({
      dbPath,
      host: options.host,
      port: options.port,
      secret,
      toleranceSeconds: options.tolerance,
      skipVerify: Boolean(options.skipVerify),
      validate: validateWebhookEvent,
      limits: { maxConnections: options.maxConnections, ...(options.maxBodyMb === undefined ? {} : { maxBodyBytes: options.maxBodyMb * 1024 * 1024 }) },
      routes: inspector?.routes,
      onStored(request) {
        tally.storedOne();
        if (request.statusCode === 413) {
          sayTooLargeOnce(`request #${request.id} had a body of ${request.bodySize} bytes, over --max-body-mb ${maxBodyMb}: it was stored cut short and answered 413, which Pinwheel never retries; if your events are that large, raise --max-body-mb`);
        }
        if (forwarder?.cameBack(request)) sayOnce(`request #${request.id} came back from --forward-to ${forwarder.url}: it leads back to this listener (itself, or through another listener forwarding here), so what comes back is stored, not forwarded again; point --forward-to at your app`);
        const forwarding = forwarder?.accepts(request) ?? false;
        // The sender's answer does not wait for the app unless --forward-status says so.
        if (forwarding && options.forwardStatus) return;
        // A request that completes during the shutdown grace is stored, but no longer forwarded.
        const forwardingNow = forwarding && forwarder !== undefined && !forwarder.stopped;
        relay.announce(request, forwardingNow);
        if (forwardingNow) void relay.forward(forwarder, request);
      },
      respond: options.forwardStatus && forwarder ? answerWithTheApp(forwarder, relay) : undefined,
      onStoreError: (error, request) => tally.failed(error, request),
    });
  } catch (error) {
    await inspector?.close();
    await forwarder?.close();
    db.close();
    throw describeBindError(error, options.host, options.port);
  }
}

/** listen --forward-status: the sender's answer is the app's. */
function answerWithTheApp(forwarder: Forwarder, relay: Relay): NonNullable<ReceiverOptions["respond"]> {
  return async (request) => {
    if (!forwarder.accepts(request)) return undefined;
    if (forwarder.stopped) {
      // Its answer was to be the app's; with no forward any more, the sender is told to come back.
      return {
        statusCode: 503,
        body: { error: "stopping", message: "listen is stopping and forwards nothing more; retry", id: request.id },
        answering: (answered) => relay.announce({ ...request, statusCode: answered }, false),
      };
    }
    const { report, show } = await relay.forwardForAnswer(forwarder, request);
    return {
      statusCode: forwardedStatus(report),
      body: { forwarded: !report.shed, id: request.id, status_code: report.final.statusCode ?? null, error: report.final.error ?? null },
      answering: show,
    };
  };
}

function announceReady(
  out: Output,
  options: ListenOptions,
  { url, port, dbPath, inspector, forwarder, loopbackOnly }: { url: string; port: number; dbPath: string; inspector: Inspector | undefined; forwarder: Forwarder | undefined; loopbackOnly: boolean },
): void {
  if (!loopbackOnly) {
    out.warn(
      `listening on ${options.host}: the receiver and what it stores are reachable from the network, not only from this machine${inspector ? " (the page replays only when opened through localhost)" : ""}`,
    );
  }
  const pageUrl = inspector ? inspectorUrl(url) : null;
  if (options.json) {
    out.ndjson({ type: "ready", url, port, db: dbPath, forward_to: options.forwardTo ?? null, inspector_url: pageUrl });
    return;
  }
  out.notice(`Ready: receiving Pinwheel webhooks at ${out.c.bold(url)} (any path${inspector ? ` but ${INSPECTOR_PATH}` : ""})`);
  if (pageUrl) out.notice(`Inspector: ${out.c.bold(pageUrl)} (watch, open and replay requests in a browser)`);
  out.notice(`Storing every request in ${dbPath}`);
  if (forwarder) {
    const mode = options.forwardStatus ? "answering with the app's status" : "answering 200 once stored";
    // Under --skip-verify nothing is verified, yet each forward is re-signed: the app takes it as genuine.
    const what = options.skipVerify ? "events, unverified but re-signed," : "verified events";
    out.notice(`Forwarding ${what} to ${out.c.bold(forwarder.url)} (${mode}${options.forwardRetry ? ", with Pinwheel's retries" : ""})`);
  }
  // Stripe CLI users know --skip-verify as skipping the forward target's TLS certificate checks.
  if (options.skipVerify) out.warn("--skip-verify: signatures are not checked (unlike the Stripe CLI's --skip-verify, which skips TLS certificate checks)");
  out.notice("Press Ctrl+C to stop.");
}

async function stopServing(
  out: Output,
  { receiver, inspector, forwarder, relay }: { receiver: Receiver; inspector: Inspector | undefined; forwarder: Forwarder | undefined; relay: Relay },
): Promise<void> {
  // Open pages hold their event streams open: they end first, or the server would never close.
  await inspector?.close();
  // Ctrl+C means now: forwards (and with --forward-status, the answers waiting on them) do not wait out the app or its retries.
  const abandoned = forwarder?.abandon() ?? 0;
  if (abandoned > 0) out.warn(`abandoned ${abandoned} forward(s) in flight; their attempts so far are recorded (see "pinwheel-cli deliveries list")`);
  await receiver.close();
  await relay.settled();
  await forwarder?.close();
}
