import { MAX_PAGE_SIZE } from "../api/environments.js";
import type { ApiErrorBody, ApiFieldError } from "../api/types.js";
import { invalidParameters, methodNotAllowed } from "../registry/errors.js";
import { defined } from "../invariant.js";
import { isSandboxInputError } from "../sandbox/errors.js";
import { DATA_JOBS, EMPLOYERS, PLATFORM_TYPES, platformById, PLATFORMS, type DataJob, type Platform } from "../sandbox/platforms.js";
import type { ConnectOptions, Sandbox } from "../sandbox/sandbox.js";
import type { ItemKind, ItemPosition, StoredAccount } from "../sandbox/store.js";
import { dataNotAvailable, recordNotFound } from "./data-errors.js";
import type { ApiAnswer } from "./routes.js";

/** Pages of paystubs and shifts hold 25 items, as Pinwheel's shifts did (API-DATA.md §3.7). */
export const DATA_PAGE_SIZE = 25;
const SEARCH_LIMIT = 25;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface DataRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body of a POST (undefined when none was sent). */
  json(): { ok: true; value: unknown } | { ok: false; error: ApiErrorBody };
}

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
const fail = (error: ApiErrorBody): ApiAnswer => ({ status: error.status_code, body: { error } });

interface ListCursor extends ItemPosition {
  from?: string;
  to?: string;
  /** The list the cursor pages through: a cursor of another account's or another kind's list is refused. */
  kind?: string;
  account?: string;
}

function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

function decodeCursor(text: string): ListCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<ListCursor>;
    if (typeof value.date !== "string" || typeof value.id !== "string") return undefined;
    return value as ListCursor;
  } catch {
    return undefined;
  }
}

function isCalendarDate(value: string): boolean {
  const parsed = Date.parse(`${value}T00:00:00Z`);
  return DATE.test(value) && !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === value;
}

function pageParams(query: URLSearchParams, dateNames: [string, string] | undefined, list: { kind: string; account: string }) {
  const fields: ApiFieldError[] = [];
  let limit = DATA_PAGE_SIZE;
  const rawLimit = query.get("limit");
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_PAGE_SIZE) {
      fields.push({ name: "limit", message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}, got "${rawLimit}"` });
    } else limit = Number(rawLimit);
  }
  const rawCursor = query.get("cursor");
  const cursor = rawCursor === null ? undefined : decodeCursor(rawCursor);
  if (rawCursor !== null && (!cursor || cursor.kind !== list.kind || cursor.account !== list.account)) {
    fields.push({ name: "cursor", message: `must be the meta.next_cursor of a previous page of this account's ${list.kind}` });
  }
  let from = cursor?.from;
  let to = cursor?.to;
  if (dateNames) {
    for (const [index, name] of dateNames.entries()) {
      const value = query.get(name);
      if (value === null) continue;
      const windowed = index === 0 ? cursor?.from : cursor?.to;
      if (!isCalendarDate(value)) fields.push({ name, message: `must be a date as YYYY-MM-DD, got "${value}"` });
      // A cursor pages through the window it was made for: the same dates may be repeated, other ones are refused.
      else if (cursor && value !== windowed) fields.push({ name, message: `is ${value}, but the cursor pages through ${windowed ?? "no"} ${name}; drop the cursor to ask for another window` });
      else if (index === 0) from = value;
      else to = value;
    }
    if (from !== undefined && to !== undefined && from > to) fields.push({ name: dateNames[0], message: `is after ${dateNames[1]} (${from} > ${to})` });
  }
  if (fields.length) return { ok: false as const, error: invalidParameters(fields) };
  return { ok: true as const, limit, from, to, after: cursor && { date: cursor.date, id: cursor.id } };
}

function searchItem(platform: Platform, as: { id: string; name: string; response_type: "platform" | "employer" }) {
  const { type, ...fields } = platform;
  return { ...fields, id: as.id, name: as.name, platform_type: type, response_type: as.response_type };
}

function search(query: URLSearchParams): ApiAnswer {
  const text = (query.get("q") ?? "").trim().toLowerCase();
  const jobs = query.getAll("supported_jobs").flatMap((value) => value.split(",")).filter(Boolean);
  const candidates = [
    ...EMPLOYERS.map((employer) => searchItem(defined(platformById(employer.platform_id), `the platform of employer ${employer.name}`), { id: employer.id, name: employer.name, response_type: "employer" })),
    ...PLATFORMS.map((platform) => searchItem(platform, { id: platform.id, name: platform.name, response_type: "platform" })),
  ];
  const data = candidates
    .filter((item) => item.name.toLowerCase().includes(text) && jobs.every((job) => item.supported_jobs.includes(job)))
    .slice(0, SEARCH_LIMIT);
  return ok({ data, meta: { count: data.length } });
}

function listPlatforms(query: URLSearchParams): ApiAnswer {
  const type = query.get("type");
  if (type !== null && !(PLATFORM_TYPES as readonly string[]).includes(type)) {
    return fail(invalidParameters([{ name: "type", message: `must be one of ${PLATFORM_TYPES.join(", ")}, got "${type}"` }]));
  }
  const data = PLATFORMS.filter((platform) => type === null || platform.type === type);
  return ok({ data, meta: { count: data.length, next_cursor: null } });
}

function listItems(sandbox: Sandbox, stored: StoredAccount, kind: ItemKind, query: URLSearchParams): ApiAnswer {
  const params = pageParams(query, kind === "paystubs" ? ["from_pay_date", "to_pay_date"] : undefined, { kind, account: stored.account.id });
  if (!params.ok) return fail(params.error);
  const page = sandbox.store.items(kind, stored.account.id, { from: params.from, to: params.to, after: params.after, limit: params.limit });
  const next = page.more && page.last ? encodeCursor({ ...page.last, from: params.from, to: params.to, kind, account: stored.account.id }) : null;
  return ok({ data: page.items, meta: { count: page.items.length, next_cursor: next, refreshed_at: stored.account.data_refreshed_at[kind] } });
}

function accountData(sandbox: Sandbox, accountId: string, resource: string | undefined, request: DataRequest): ApiAnswer | undefined {
  const stored = sandbox.store.account(accountId);
  if (resource === "disable_monitoring") {
    if (request.method !== "POST") return fail(methodNotAllowed(request.method, request.path, ["POST"]));
    const disabled = sandbox.disableMonitoring(accountId);
    if (!disabled) return fail(recordNotFound("account", accountId));
    // Answered at once; the event follows, as Pinwheel's does (delivery failures are in deliveries list).
    disabled.delivered.catch(() => undefined);
    return ok({ data: disabled.account });
  }
  if (request.method !== "GET") return fail(methodNotAllowed(request.method, request.path, ["GET"]));
  if (!stored) return fail(recordNotFound("account", accountId));
  if (resource === undefined) return ok({ data: stored.account });
  if (!(DATA_JOBS as readonly string[]).includes(resource)) return undefined;
  const job = resource as DataJob;
  if (!stored.jobs.includes(job) || stored.failedJobs.includes(job)) return fail(dataNotAvailable(job, accountId, stored.failedJobs.includes(job)));
  if (job === "paystubs" || job === "shifts") return listItems(sandbox, stored, job, request.query);
  const record = stored[job];
  if (!record) return fail(dataNotAvailable(job, accountId, false));
  return ok({ data: record, meta: { refreshed_at: stored.account.data_refreshed_at[job] } });
}

function endUserAccounts(sandbox: Sandbox, endUserId: string, query: URLSearchParams): ApiAnswer {
  const limit = query.get("limit");
  const params = pageParams(new URLSearchParams(limit !== null ? { limit } : {}), undefined, { kind: "accounts", account: endUserId });
  if (!params.ok) return fail(params.error);
  const rawCursor = query.get("cursor");
  const after = rawCursor === null ? 0 : Number(decodeCursor(rawCursor)?.id);
  if (!Number.isInteger(after) || after < 0) return fail(invalidParameters([{ name: "cursor", message: "must be the meta.next_cursor of a previous page" }]));
  const { rows, more } = sandbox.store.accountsOf(endUserId, after, params.limit);
  const last = rows[rows.length - 1];
  const next = more && last ? encodeCursor({ date: "", id: String(last.seq) }) : null;
  return ok({ data: rows.map((row) => row.account), meta: { count: rows.length, next_cursor: next } });
}

function connectOptions(value: unknown): ConnectOptions | ApiErrorBody {
  const body = (value ?? {}) as Record<string, unknown>;
  if (typeof body !== "object" || Array.isArray(body)) return invalidParameters([{ name: "body", message: "must be a JSON object" }]);
  const fields: ApiFieldError[] = [];
  const optionalString = (name: string) => {
    const given = body[name];
    if (given !== undefined && (typeof given !== "string" || given === "")) fields.push({ name, message: "must be a non-empty string" });
    return given as string | undefined;
  };
  const platform = optionalString("platform");
  const endUserId = optionalString("end_user_id");
  const linkTokenId = optionalString("link_token_id");
  const jobs = body.jobs;
  if (jobs !== undefined && (!Array.isArray(jobs) || !jobs.every((job) => typeof job === "string"))) fields.push({ name: "jobs", message: "must be a list of job names" });
  const seed = body.seed;
  if (seed !== undefined && (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > 2 ** 32 - 1)) fields.push({ name: "seed", message: "must be a whole number from 0 to 4294967295" });
  const outcomes = body.outcomes;
  if (outcomes !== undefined && (typeof outcomes !== "object" || outcomes === null || Array.isArray(outcomes))) fields.push({ name: "outcomes", message: "must map job names to error or pending" });
  if (body.deliver !== undefined && typeof body.deliver !== "boolean") fields.push({ name: "deliver", message: "must be true or false" });
  if (fields.length) return invalidParameters(fields);
  return {
    platform,
    endUserId,
    linkTokenId,
    jobs: jobs as string[] | undefined,
    seed: seed as number | undefined,
    outcomes: outcomes as ConnectOptions["outcomes"],
    deliver: body.deliver as boolean | undefined,
  };
}

async function sandboxAccounts(sandbox: Sandbox, request: DataRequest): Promise<ApiAnswer> {
  if (request.method === "GET") return ok({ data: sandbox.accounts(), meta: { count: sandbox.accounts().length } });
  if (request.method === "DELETE") return ok({ data: sandbox.reset() });
  if (request.method !== "POST") return fail(methodNotAllowed(request.method, request.path, ["GET", "POST", "DELETE"]));
  const parsed = request.json();
  if (!parsed.ok) return fail(parsed.error);
  const options = connectOptions(parsed.value);
  if ("type" in options) return fail(options);
  return ok({ data: await sandbox.connect(options) });
}

/**
 * Pinwheel's Core Data API (API-DATA.md §3) over the sandbox, plus the stand-in's own
 * /sandbox/accounts (connect, list, reset). Undefined when the path is none of these.
 */
export async function answerDataRequest(request: DataRequest, sandbox: Sandbox): Promise<ApiAnswer | undefined> {
  const parts = request.path.split("/").slice(1).map((part) => decodeURIComponent(part));
  try {
    if (parts[0] === "sandbox" && parts[1] === "accounts" && parts.length === 2) return await sandboxAccounts(sandbox, request);
    if (parts[0] !== "v1") return undefined;
    const [, collection, id, resource, extra] = parts;
    if (extra !== undefined || id === "") return undefined;
    if (collection === "accounts" && id !== undefined) return accountData(sandbox, id, resource, request);
    if (collection === "end_users" && id !== undefined && resource === "accounts") {
      return request.method === "GET" ? endUserAccounts(sandbox, id, request.query) : fail(methodNotAllowed(request.method, request.path, ["GET"]));
    }
    if (collection === "platforms" && resource === undefined) {
      if (request.method !== "GET") return fail(methodNotAllowed(request.method, request.path, ["GET"]));
      if (id === undefined) return listPlatforms(request.query);
      const platform = platformById(id);
      return platform ? ok({ data: platform }) : fail(recordNotFound("platform", id));
    }
    if (collection === "search" && id === undefined) return request.method === "GET" ? search(request.query) : fail(methodNotAllowed(request.method, request.path, ["GET"]));
    if (collection === "link_tokens" && id === undefined) {
      if (request.method !== "POST") return fail(methodNotAllowed(request.method, request.path, ["POST"]));
      const parsed = request.json();
      if (!parsed.ok) return fail(parsed.error);
      return ok({ data: sandbox.createLinkToken((parsed.value ?? {}) as Record<string, unknown>) });
    }
    return undefined;
  } catch (error) {
    if (isSandboxInputError(error)) return fail(invalidParameters([{ name: error.field, message: error.reason }]));
    throw error;
  }
}
