// Store: a database of realistic stored requests built with the project's own store code, then
// every filter `events list` offers timed in-process (median of 20) and end to end through the CLI.
import { randomBytes, randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { EVENT_NAMES } from "../dist/events/catalog.js";
import { buildEvent } from "../dist/events/build.js";
import { envelopeTemplate } from "../dist/events/template.js";
import { openDatabase } from "../dist/store/database.js";
import { requestStore } from "../dist/store/requests.js";
import { CLI, REPO } from "./lib/children.js";
import { median, seededRandom } from "./lib/stats.js";
import { row } from "./lib/table.js";

const DAY_MS = 86_400_000;
const SPAN_MS = 30 * DAY_MS;
const ACCOUNTS = 2000;
const BATCH = 25_000;
// Frequent events first; the rest share what is left.
const EVENT_WEIGHTS = { "paystubs.added": 30, "account.added": 10, "shifts.added": 10, "income.added": 8, "employment.added": 8, "identity.added": 6 };
const FAILURES = [
  ["bad_signature", 401, 0.02],
  ["stale_timestamp", 401, 0.01],
  ["missing_signature", 401, 0.005],
];
const DUPLICATE_SHARE = 0.02;
const PLACEHOLDER_ACCOUNT = "00000000-feed-4bad-8000-00000000acc7";

function eventPicker(random) {
  const rest = EVENT_NAMES.filter((name) => !(name in EVENT_WEIGHTS));
  const weighted = [...Object.entries(EVENT_WEIGHTS), ...rest.map((name) => [name, (100 - 72) / rest.length])];
  const cumulative = [];
  let total = 0;
  for (const [name, weight] of weighted) cumulative.push([name, (total += weight)]);
  return () => {
    const r = random() * total;
    return cumulative.find(([, upTo]) => r < upTo)[0];
  };
}

/** Generates request rows like listen stores them: real fixture bodies, headers, verdicts, some duplicates. */
function rowGenerator(total, nowMs) {
  const random = seededRandom(20_240_611);
  const pickEvent = eventPicker(random);
  const accounts = Array.from({ length: ACCOUNTS }, () => randomUUID());
  const templates = new Map();
  for (const name of EVENT_NAMES) {
    const envelope = buildEvent(name);
    if ("account_id" in envelope.payload) envelope.payload.account_id = PLACEHOLDER_ACCOUNT;
    templates.set(name, { render: envelopeTemplate(envelope), hasAccount: "account_id" in envelope.payload });
  }
  const webhookId = randomUUID();
  // Signatures only need to look real here; a pool avoids a randomBytes call per row.
  const signatures = Array.from({ length: 4096 }, () => `v2=${randomBytes(32).toString("hex")}`);
  const recent = [];
  const next = (index) => {
    const event = pickEvent();
    // A few accounts are busy, most are quiet: squaring skews the choice toward the first ones.
    const accountId = accounts[Math.floor(random() * random() * ACCOUNTS)];
    const template = templates.get(event);
    const duplicateOf = recent.length > 0 && random() < DUPLICATE_SHARE ? recent[Math.floor(random() * recent.length)] : undefined;
    const eventId = duplicateOf?.eventId ?? randomUUID();
    const text = duplicateOf?.text ?? template.render(eventId, randomUUID()).replace(PLACEHOLDER_ACCOUNT, accountId);
    if (!duplicateOf) {
      if (recent.length < 256) recent.push({ eventId, text });
      else recent[index % 256] = { eventId, text };
    }
    const body = Buffer.from(text);
    let verification = "verified";
    let statusCode = 200;
    let detail = null;
    const roll = random();
    let edge = 0;
    for (const [reason, status, share] of FAILURES) {
      if (roll < (edge += share)) {
        verification = reason;
        statusCode = status;
        detail = reason === "stale_timestamp" ? "timestamp 1,204 s old; tolerance 300 s" : reason.replace("_", " ");
        break;
      }
    }
    const receivedMs = nowMs - SPAN_MS + Math.floor((index / total) * SPAN_MS) + Math.floor(random() * 1000);
    const timestamp = String(Math.floor(receivedMs / 1000));
    return {
      receivedAt: new Date(receivedMs).toISOString(),
      method: "POST",
      path: "/webhooks/pinwheel",
      headers: [
        ["host", "127.0.0.1:3000"],
        ["user-agent", "Pinwheel-Webhooks/1.0"],
        ["content-type", "application/json"],
        ["content-length", String(body.length)],
        ["x-pinwheel-signature", signatures[index % signatures.length]],
        ["x-pinwheel-webhook-id", webhookId],
        ["x-timestamp", timestamp],
        ["connection", "keep-alive"],
      ],
      body,
      bodySize: body.length,
      bodyTruncated: false,
      event,
      eventId,
      accountId: template.hasAccount ? accountId : null,
      webhookId,
      verification,
      verificationDetail: detail,
      schemaErrors: null,
      rejection: null,
      statusCode,
      remoteAddress: "127.0.0.1",
    };
  };
  return { next, accounts };
}

function bytesPerEvent(db, path, rows) {
  db.pragma("wal_checkpoint(TRUNCATE)");
  return statSync(path).size / rows;
}

/**
 * Each timed call runs on a freshly opened connection (opening is not timed), as every
 * `events list` does: SQLite's page cache is cold, the OS file cache is warm. The same query
 * repeated on one warm connection is reported alongside.
 */
function timeList(path, filter, wantedRepeats) {
  const cold = [];
  let found = 0;
  let repeats = wantedRepeats;
  for (let i = 0; i < repeats; i++) {
    const db = openDatabase(path);
    const store = requestStore(db);
    const started = performance.now();
    found = store.list({ ...filter, limit: 50 }).length;
    cold.push(performance.now() - started);
    db.close();
    // A query that scans the table is plainly over its target: fewer repeats keep the run short.
    if (i === 0 && cold[0] > 100) repeats = 5;
  }
  const db = openDatabase(path);
  const store = requestStore(db);
  const warm = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    store.list({ ...filter, limit: 50 });
    warm.push(performance.now() - started);
  }
  db.close();
  return { ms: median(cold), warmMs: median(warm), found, repeats };
}

/**
 * The query plan of the SQL that requestStore(db).list really runs: the store's connection is
 * wrapped so the statement it prepares, and the parameters it binds, can be explained as they are.
 */
function planOf(path, filter) {
  const db = openDatabase(path);
  try {
    let captured;
    const passThrough = (target, key) => {
      const value = target[key];
      return typeof value === "function" ? value.bind(target) : value;
    };
    const spy = new Proxy(db, {
      get(target, key) {
        if (key !== "prepare") return passThrough(target, key);
        return (sql) =>
          new Proxy(target.prepare(sql), {
            get(statement, name) {
              if (name !== "all") return passThrough(statement, name);
              return (...params) => {
                captured = { sql, params };
                return statement.all(...params);
              };
            },
          });
      },
    });
    requestStore(spy).list({ ...filter, limit: 50 });
    if (!captured) return "(not captured)";
    return db
      .prepare(`EXPLAIN QUERY PLAN ${captured.sql}`)
      .all(...captured.params)
      .map((step) => step.detail)
      .join("; ");
  } finally {
    db.close();
  }
}

function wallMs(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: REPO, stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 });
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return performance.now() - started;
}

export async function storeBench({ dir, rows: totalRows, log }) {
  const path = join(dir, "store.db");
  const nowMs = Date.now();
  const { next: generate, accounts } = rowGenerator(totalRows, nowMs);
  const db = openDatabase(path);
  // A large page cache only speeds up building (random event_id index inserts); queries reopen
  // the file with the store's own settings.
  db.pragma("cache_size = -262144");
  const store = requestStore(db);
  const insertRange = db.transaction((from, to) => {
    for (let i = from; i < to; i++) store.insert(generate(i));
  });
  const checkpointAt = Math.max(1, Math.round(totalRows / 10));
  const sizes = [];
  const started = performance.now();
  let lastLog = started;
  for (let from = 0; from < totalRows; ) {
    const to = Math.min(totalRows, from + BATCH, from < checkpointAt ? checkpointAt : totalRows);
    insertRange(from, to);
    from = to;
    if (from === checkpointAt || from === totalRows) sizes.push({ rows: from, bytes: bytesPerEvent(db, path, from) });
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`store: ${from.toLocaleString("en-US")} rows after ${((lastLog - started) / 1000).toFixed(0)} s`);
    }
  }
  const buildSeconds = (performance.now() - started) / 1000;
  log(`store: built ${totalRows.toLocaleString("en-US")} rows in ${buildSeconds.toFixed(1)} s`);
  db.close();

  const busyAccount = accounts[0];
  // Choice is skewed toward low indexes, so one near the end has a few hundred rows per million.
  const quietAccount = accounts[ACCOUNTS - 100];
  const iso = (msAgo) => new Date(nowMs - msAgo).toISOString();
  const filters = [
    ["(no filter)", {}],
    ["--event paystubs.added", { event: "paystubs.added" }],
    ["--event earnings_stream.payouts.refreshed", { event: "earnings_stream.payouts.refreshed" }],
    ["--event (never stored)", { event: "bill.added" }],
    ["--account-id <busy>", { accountId: busyAccount }],
    ["--account-id <quiet>", { accountId: quietAccount }],
    ["--verdict verified", { verdict: "verified" }],
    ["--verdict failed", { verdict: "failed" }],
    ["--verdict stale_timestamp", { verdict: "stale_timestamp" }],
    ["--since 1h", { since: iso(3_600_000) }],
    ["--since 7d", { since: iso(7 * DAY_MS) }],
    ["--since (later than every row)", { since: iso(-60_000) }],
    ["--event paystubs.added --since 24h", { event: "paystubs.added", since: iso(DAY_MS) }],
    ["--verdict failed --since 1h", { verdict: "failed", since: iso(3_600_000) }],
    ["--event income.added --account-id <quiet>", { event: "income.added", accountId: quietAccount }],
    ["--event identity.added --verdict failed", { event: "identity.added", verdict: "failed" }],
    ["--event earnings_stream.payouts.refreshed --verdict failed", { event: "earnings_stream.payouts.refreshed", verdict: "failed" }],
    ["--event earnings_stream.payouts.refreshed --since 1h", { event: "earnings_stream.payouts.refreshed", since: iso(3_600_000) }],
    ["--account-id <busy> --since 7d", { accountId: busyAccount, since: iso(7 * DAY_MS) }],
  ];
  const out = [];
  const repeats = 20;
  for (const [label, filter] of filters) {
    const { ms, warmMs, found, repeats: done } = timeList(path, filter, repeats);
    const plan = planOf(path, filter);
    out.push(
      row({
        group: "store",
        figure: `list ${label}`,
        value: ms,
        unit: "ms",
        target: "< 10 ms",
        pass: ms < 10,
        note: `${found} rows; median of ${done}, each on a new connection; ${warmMs.toFixed(2)} ms on a warm one; plan: ${plan}`,
      }),
    );
  }
  log("store: in-process list timings done; timing the CLI end to end");

  const e2e = [
    ["events list --event paystubs.added --json", [CLI, "events", "list", "--event", "paystubs.added", "--json", "--db", path]],
    ["events list --verdict failed --since 1h --json", [CLI, "events", "list", "--verdict", "failed", "--since", "1h", "--json", "--db", path]],
  ];
  const e2eTimes = Object.fromEntries([["node", []], ...e2e.map(([label]) => [label, []])]);
  for (let i = 0; i < 7; i++) {
    e2eTimes.node.push(wallMs(["-e", "0"]));
    for (const [label, args] of e2e) e2eTimes[label].push(wallMs(args));
  }
  const nodeMs = median(e2eTimes.node);
  for (const [label] of e2e) {
    const ms = median(e2eTimes[label]);
    out.push(
      row({
        group: "store",
        figure: `CLI ${label}`,
        value: ms,
        unit: "ms",
        baseline: nodeMs,
        baselineLabel: "node -e 0",
        ratio: ms / nodeMs,
        target: "reference",
        note: "wall clock, spawn to exit, median of 7 (start-up included)",
      }),
    );
  }

  const [small, large] = sizes;
  const growth = large && small && large.rows !== small.rows ? large.bytes / small.bytes : NaN;
  return {
    rows: [
      row({ group: "store", figure: `build ${totalRows.toLocaleString("en-US")} rows`, value: buildSeconds, unit: "s", target: "reference", note: `${Math.round(totalRows / buildSeconds).toLocaleString("en-US")} rows/s via requestStore.insert, ${BATCH.toLocaleString("en-US")} per transaction` }),
      ...sizes.map((size) =>
        row({ group: "store", figure: `bytes per event at ${size.rows.toLocaleString("en-US")} rows`, value: size.bytes, unit: "B/event", target: "reference", note: `file ${(size.bytes * size.rows / 2 ** 20).toFixed(0)} MiB after wal_checkpoint(TRUNCATE)` }),
      ),
      row({
        group: "store",
        figure: "growth: bytes/event, large vs small",
        value: growth,
        unit: "",
        target: "0.90-1.10 (linear)",
        pass: growth >= 0.9 && growth <= 1.1,
        note: small && large ? `${small.rows.toLocaleString("en-US")} -> ${large.rows.toLocaleString("en-US")} rows` : "",
      }),
      ...out,
    ],
    raw: { buildSeconds, sizes },
  };
}
