import type { DeliveryAttempt } from "../store/deliveries.js";
import type { StoredRequest } from "../store/requests.js";
import type { Output } from "./index.js";
import { whySchemaUnchecked } from "../receiver/schema-unchecked.js";
import { printable } from "./printable.js";
import { formatBody, formatDeliveryAttempt } from "./stored.js";

/** events show: one stored request whole (its verdict, schema issues, headers and body), then the deliveries of it and of its event_id. */
export function printRequestDetail(out: Output, request: StoredRequest, deliveries: readonly DeliveryAttempt[]): void {
  const { c } = out;
  const verdict =
    request.verification === "verified"
      ? c.green("verified")
      : c.red(`${request.verification}${request.verificationDetail ? ` (${printable(request.verificationDetail)})` : ""}`);
  out.line(`${c.bold(`#${request.id}`)}  ${c.bold(printable(request.event ?? "(no event)"))}  answered ${request.statusCode}`);
  out.line(`  event_id    ${printable(request.eventId ?? "-")}${request.duplicate ? c.yellow("  (duplicate: seen before)") : ""}`);
  out.line(`  received    ${request.receivedAt}  from ${request.remoteAddress ?? "?"}`);
  out.line(`  request     ${printable(`${request.method} ${request.path}`)}`);
  out.line(`  signature   ${verdict}`);
  if (request.rejection) out.line(`  rejected    ${c.red(printable(request.rejection))}`);
  if (request.schemaErrors) {
    // The same list parseWebhookEvent returns as event.issues: a genuine event is still accepted.
    const count = request.schemaErrors.length;
    const accepted = request.statusCode < 300 ? " (accepted all the same: Pinwheel does not retry a 4XX; the library lists these as event.issues)" : "";
    out.line(`  schema      ${c.yellow(`${count} issue${count === 1 ? "" : "s"}`)}${accepted}`);
    for (const issue of request.schemaErrors) out.line(`              ${printable(issue.path)}: ${printable(issue.message)}`);
  } else if (request.event) {
    const unchecked = whySchemaUnchecked(request);
    out.line(`  schema      ${unchecked === null ? c.green("valid") : c.dim(`not checked: ${unchecked}`)}`);
  }
  out.line("");
  out.line(c.bold("Headers"));
  for (const [name, value] of request.headers) out.line(`  ${printable(name)}: ${printable(value)}`);
  out.line("");
  out.line(c.bold(`Body (${request.bodySize} bytes${request.bodyTruncated ? ", truncated to the first MiB" : ""})`));
  out.line(formatBody(request.body));
  if (deliveries.length > 0) {
    out.line("");
    out.line(c.bold("Deliveries of this request and its event_id"));
    for (const attempt of deliveries) out.line(`  ${formatDeliveryAttempt(c, attempt)}`);
  }
}
