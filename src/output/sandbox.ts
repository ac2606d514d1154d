import type { ConnectResult } from "../sandbox/sandbox.js";
import type { AccountSummary } from "../sandbox/store.js";
import type { Output } from "./index.js";
import { printable } from "./printable.js";

/** sandbox connect --json: the ids a test needs, and what each webhook answered. */
export function connectJson(result: ConnectResult): Record<string, unknown> {
  return {
    account_id: result.account_id,
    end_user_id: result.end_user_id,
    platform_id: result.platform_id,
    platform_name: result.platform_name,
    link_token_id: result.link_token_id,
    seed: result.seed,
    jobs: result.jobs,
    failed_jobs: result.failed_jobs,
    paystubs: result.paystubs,
    shifts: result.shifts,
    events: result.events.length,
    deliveries: result.deliveries.map((delivery) => ({
      event: delivery.event,
      event_id: delivery.event_id,
      status_code: delivery.status_code,
      ok: delivery.ok,
      url: delivery.url,
      webhook_id: delivery.webhook_id,
      error: delivery.error,
    })),
    skipped_webhooks: result.skipped,
  };
}

export function printConnectResult(out: Output, result: ConnectResult): void {
  if (out.json) return out.data(connectJson(result));
  const { c } = out;
  out.line(`${c.bold("account")}      ${result.account_id}`);
  out.line(`${c.bold("end user")}     ${printable(result.end_user_id)}`);
  out.line(`${c.bold("platform")}     ${result.platform_name} (${result.platform_id})`);
  out.line(`${c.bold("link token")}   ${result.link_token_id}`);
  out.line(`${c.bold("seed")}         ${result.seed}`);
  const failed = result.failed_jobs.length ? `; ended in error: ${result.failed_jobs.join(", ")}` : "";
  out.line(`${c.bold("data")}         ${result.paystubs} paystubs, ${result.shifts} shifts; jobs ${result.jobs.join(", ")}${failed}`);
  for (const skipped of result.skipped) out.notice(`Skipped paused webhook ${skipped.webhook_id} (${printable(skipped.url)})`);
  if (result.deliveries.length === 0) {
    out.notice(
      `No active webhook is subscribed to these events, so none was sent (${result.events.length} events); ` +
        'register one with "pinwheel-cli webhooks create --url <url> --events account.added,paystubs.fully_synced,..."',
    );
    return;
  }
  out.line("");
  out.table(
    ["EVENT", "STATUS", "TARGET", "EVENT ID"],
    result.deliveries.map((delivery) => [
      delivery.event,
      delivery.ok ? c.green(String(delivery.status_code)) : c.red(delivery.status_code === null ? printable(delivery.error ?? "error") : String(delivery.status_code)),
      printable(delivery.url),
      c.dim(delivery.event_id),
    ]),
  );
}

export function accountsJson(accounts: readonly AccountSummary[]): Record<string, unknown>[] {
  return accounts.map((summary) => ({ ...summary.account, jobs: summary.jobs, failed_jobs: summary.failedJobs, paystubs: summary.paystubs, shifts: summary.shifts }));
}

export function printAccounts(out: Output, accounts: readonly AccountSummary[], platformName: (id: string) => string, where: string): void {
  if (out.json) return out.data(accountsJson(accounts));
  if (accounts.length === 0) {
    out.notice(`No sandbox accounts in ${where}; create one with "pinwheel-cli sandbox connect".`);
    return;
  }
  out.notice(`${accounts.length} sandbox account${accounts.length === 1 ? "" : "s"} in ${where}:`);
  out.table(
    ["ACCOUNT", "END USER", "PLATFORM", "PAYSTUBS", "SHIFTS", "MONITORING", "CREATED"],
    accounts.map(({ account, paystubs, shifts }) => [
      account.id,
      printable(account.end_user_id),
      platformName(account.platform_id),
      String(paystubs),
      String(shifts),
      account.monitoring_status,
      account.created_at.slice(0, 19).replace("T", " "),
    ]),
  );
}
