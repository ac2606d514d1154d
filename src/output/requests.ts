import type { ChalkInstance } from "chalk";
import type { DeliveryAttempt } from "../store/deliveries.js";
import type { ListedRequest, StoredRequest } from "../store/requests.js";
import { EVENT_NAMES } from "../events/catalog.js";
import type { Output } from "./index.js";
import { printable, terminalSafeJson } from "./printable.js";
import { tableTime } from "./table.js";
import { deliveryAttemptJson } from "./stored.js";

export function isVerified(request: Pick<StoredRequest, "verification">): boolean {
  return request.verification === "verified";
}

/** The stable JSON shape of a stored request in listen --json and events list --json. */
export function requestJson(request: ListedRequest): Record<string, unknown> {
  return {
    id: request.id,
    event_id: request.eventId,
    event: request.event,
    account_id: request.accountId,
    received_at: request.receivedAt,
    method: request.method,
    path: request.path,
    verified: isVerified(request),
    verification: request.verification,
    verification_detail: request.verificationDetail,
    duplicate: request.duplicate,
    status_code: request.statusCode,
    rejection: request.rejection,
    schema_errors: request.schemaErrors,
    webhook_id: request.webhookId,
    body_size: request.bodySize,
  };
}

/** events show --json: the stored request with its headers, body and deliveries. */
export function requestDetailJson(request: StoredRequest, deliveries: readonly DeliveryAttempt[]): Record<string, unknown> {
  return {
    ...requestJson(request),
    headers: request.headers,
    body: request.body.toString("utf8"),
    body_base64: request.body.toString("base64"),
    body_truncated: request.bodyTruncated,
    deliveries: deliveries.map(deliveryAttemptJson),
  };
}

const jsonText = (value: string | null): string => (value === null ? "null" : JSON.stringify(value));

/**
 * listen --json's line for a request: exactly JSON.stringify({ type: "request", ...requestJson(request) }),
 * written straight from the row, with no object built per request to serialize.
 */
export function requestJsonLine(request: StoredRequest): string {
  return terminalSafeJson(
    `{"type":"request","id":${request.id},"event_id":${jsonText(request.eventId)},"event":${jsonText(request.event)}` +
    `,"account_id":${jsonText(request.accountId)},"received_at":${jsonText(request.receivedAt)},"method":${jsonText(request.method)}` +
    `,"path":${jsonText(request.path)},"verified":${isVerified(request)},"verification":${jsonText(request.verification)}` +
    `,"verification_detail":${jsonText(request.verificationDetail)},"duplicate":${request.duplicate},"status_code":${request.statusCode}` +
    `,"rejection":${jsonText(request.rejection)},"schema_errors":${JSON.stringify(request.schemaErrors)}` +
    `,"webhook_id":${jsonText(request.webhookId)},"body_size":${request.bodySize}}`
  );
}

/** The time of day in UTC, marked Z like every other time the CLI prints. */
function time(iso: string): string {
  return `${iso.slice(11, 19)}Z`;
}

function verdictText(c: ChalkInstance, request: StoredRequest): string {
  if (request.verification === "verified") return c.green("verified");
  if (request.verification === "skipped") return c.yellow("not verified (--skip-verify)");
  if (request.verification === "not_checked") return c.red(printable(request.rejection ?? "rejected"));
  return c.red(`${request.verification}${request.verificationDetail ? `: ${printable(request.verificationDetail)}` : ""}`);
}

/** Every catalog name fits, so lines stay in columns; a longer unknown name just pushes its own line on. */
const EVENT_COLUMN = Math.max(...EVENT_NAMES.map((name) => name.length));
const ACCOUNT_COLUMN = 13;

/** The event's name, or for a request that carried none, what it was: its method and path when they were read. */
export function requestLabel(request: Pick<StoredRequest, "event" | "method" | "path">): string {
  if (request.event !== null) return printable(request.event);
  // A client that stalled before finishing its headers (408) leaves nothing of its request line.
  return request.method ? printable(`${request.method} ${request.path}`.slice(0, 60)) : "(request line not read)";
}

/** One readable line per request, plus indented lines for schema problems. */
export function formatRequestLine(c: ChalkInstance, request: StoredRequest): string {
  const status = request.statusCode < 300 ? c.green(String(request.statusCode)) : c.red(String(request.statusCode));
  const eventText = requestLabel(request);
  const event = (request.event ? c.bold : c.dim)(eventText.padEnd(EVENT_COLUMN));
  const account = c.dim((request.accountId ? `acct ${printable(request.accountId.slice(0, 8))}` : "").padEnd(ACCOUNT_COLUMN));
  const duplicate = request.duplicate ? c.yellow(" duplicate") : "";
  // A request refused before verification already shows its rejection as its verdict.
  const rejection = request.statusCode === 400 && request.rejection && request.verification !== "not_checked" ? `  ${c.red(printable(request.rejection))}` : "";
  const lines = [
    `${c.dim(time(request.receivedAt))}  ${status}  ${event}  ${account}  ${verdictText(c, request)}${duplicate}${rejection}  ${c.dim(`#${request.id}`)}`,
  ];
  for (const issue of request.schemaErrors ?? []) {
    lines.push(c.yellow(`            schema: ${printable(issue.path)}: ${printable(issue.message)}`));
  }
  return lines.join("\n");
}

/** events list: a row per stored request, its status, verdict and any duplicate or schema mark coloured. */
export function printRequestTable(out: Output, rows: readonly ListedRequest[]): void {
  const { c } = out;
  out.table(
    ["ID", "RECEIVED", "STATUS", "EVENT", "ACCOUNT", "VERDICT", "EVENT ID"],
    rows.map((row) => [
      String(row.id),
      tableTime(row.receivedAt),
      row.statusCode < 300 ? c.green(String(row.statusCode)) : c.red(String(row.statusCode)),
      row.event !== null ? requestLabel(row) : c.dim(requestLabel(row)),
      row.accountId ? printable(row.accountId.slice(0, 8)) : "",
      (row.verification === "verified" ? c.green(row.verification) : c.red(row.verification)) +
        (row.duplicate ? c.yellow(" (duplicate)") : "") +
        (row.schemaErrors ? c.yellow(" (schema)") : ""),
      printable(row.eventId ?? ""),
    ]),
  );
}
