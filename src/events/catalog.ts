// Loaded at CLI start-up (name completion, "did you mean"), so this module stays
// plain data: no zod, no fs. Payload shapes live in schemas.ts.

export const EVENT_NAMES = [
  "account.added",
  "account.additional_connections_recommended",
  "account.monitoring_status.updated",
  "direct_deposit_allocations.added",
  "direct_deposit_switch.added",
  "employment.added",
  "identity.added",
  "income.added",
  "paystubs.added",
  "paystubs.seven_days_synced",
  "paystubs.thirty_days_synced",
  "paystubs.ninety_days_synced",
  "paystubs.fully_synced",
  "shifts.added",
  "shifts.seven_days_synced",
  "shifts.thirty_days_synced",
  "shifts.ninety_days_synced",
  "shifts.fully_synced",
  "verification_reports.refreshed",
  "earnings_stream.payouts.refreshed",
  "paystubs.documents.added",
  "tax_forms.added",
  "documents.added",
  "paycheck_viewer.added",
  "bill.added",
  "bill.updated",
  "bill.removed",
  "bill.reminder",
  "bill_switch.added",
  "bill_switch.cancelled",
  "company_connect.employments.added",
  "company_connect.incomes.added",
  "company_connect.census.added",
  "company_connect.status.updated",
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

export type EventFamily =
  | "account"
  | "direct_deposit"
  | "income_employment"
  | "paystubs"
  | "shifts"
  | "verify"
  | "earnings_stream"
  | "documents"
  | "bills"
  | "company_connect";

export interface CatalogEntry {
  name: EventName;
  family: EventFamily;
  description: string;
  /** The payload is a job payload: id, name, timestamp, outcome, error_code... */
  job: boolean;
  /** payload.name for job events. */
  jobName?: string;
  /** False when Pinwheel names the event but documents no payload for it. */
  documented: boolean;
  source: string;
}

export const FAMILY_LABELS: Record<EventFamily, string> = {
  account: "Account",
  direct_deposit: "Direct deposit",
  income_employment: "Income & employment",
  paystubs: "Paystubs",
  shifts: "Shifts",
  verify: "Verify",
  earnings_stream: "Earnings stream",
  documents: "Documents",
  bills: "Bills",
  company_connect: "Company Connect",
};

/**
 * Pinwheel's enabled_events accepts these (FACTS.md) but the docs describe no payload: their
 * fixtures take the job-event shape every documented job event shares, with the job's name the
 * event's name less its last segment, so that a handler subscribed to them can be exercised.
 */
function undocumentedJob(name: EventName, family: EventFamily, what: string): CatalogEntry {
  return {
    name,
    family,
    description: `${what} (named in enabled_events; payload undocumented, job-event shape).`,
    job: true,
    jobName: name.slice(0, name.lastIndexOf(".")),
    documented: false,
    source: "FACTS.md (enabled_events)",
  };
}

// Descriptions are the docs' own sentence for each event, trimmed to one line.
export const CATALOG: readonly CatalogEntry[] = [
  {
    name: "account.added",
    family: "account",
    description: "User successfully logs into their payroll account (correlates to the onLogin callback).",
    job: false,
    documented: true,
    source: "docs/001, docs/002",
  },
  {
    name: "account.additional_connections_recommended",
    family: "account",
    description:
      "Another account (e.g., a T&A account) could provide additional data; carries a suggested action.",
    job: false,
    documented: true,
    source: "docs/001, docs/002",
  },
  {
    name: "account.monitoring_status.updated",
    family: "account",
    description: "Pinwheel's ability to monitor a payroll account has changed.",
    job: false,
    documented: true,
    source: "docs/000, docs/001, docs/002",
  },
  {
    name: "direct_deposit_allocations.added",
    family: "direct_deposit",
    description: "Direct deposit allocations data is now available for the payroll account.",
    job: true,
    jobName: "direct_deposit_allocations",
    documented: true,
    source: "docs/002",
  },
  {
    name: "direct_deposit_switch.added",
    family: "direct_deposit",
    description: "A direct_deposit_switch job to add a new direct deposit allocation completed.",
    job: true,
    jobName: "direct_deposit_switch",
    documented: true,
    source: "docs/002",
  },
  {
    name: "employment.added",
    family: "income_employment",
    description: "Employment data for the payroll account is available.",
    job: true,
    jobName: "employment",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "identity.added",
    family: "income_employment",
    description: "Identity data for the payroll account is available.",
    job: true,
    jobName: "identity",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "income.added",
    family: "income_employment",
    description: "Income data for the payroll account is available.",
    job: true,
    jobName: "income",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "paystubs.added",
    family: "paystubs",
    description: "A set of paystubs is available; params describes which paystubs.",
    job: true,
    jobName: "paystubs",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "paystubs.seven_days_synced",
    family: "paystubs",
    description: "Triggered when 7 days of paystubs have been collected.",
    job: true,
    jobName: "paystubs",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "paystubs.thirty_days_synced",
    family: "paystubs",
    description: "Triggered when 30 days of paystubs have been collected.",
    job: true,
    jobName: "paystubs",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "paystubs.ninety_days_synced",
    family: "paystubs",
    description: "Triggered when 90 days of paystubs have been collected.",
    job: true,
    jobName: "paystubs",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "paystubs.fully_synced",
    family: "paystubs",
    description: "Triggered when all available paystubs have been collected.",
    job: true,
    jobName: "paystubs",
    documented: true,
    source: "docs/002, docs/004",
  },
  {
    name: "shifts.added",
    family: "shifts",
    description: "A set of shifts is available; params describes the number of shifts.",
    job: true,
    jobName: "shifts",
    documented: true,
    source: "docs/002, docs/003, docs/004",
  },
  {
    name: "shifts.seven_days_synced",
    family: "shifts",
    description: "Triggered when 7 days of shifts have been collected.",
    job: true,
    jobName: "shifts",
    documented: true,
    source: "docs/002, docs/003, docs/004",
  },
  {
    name: "shifts.thirty_days_synced",
    family: "shifts",
    description: "Triggered when 30 days of shifts have been collected.",
    job: true,
    jobName: "shifts",
    documented: true,
    source: "docs/002, docs/003, docs/004",
  },
  {
    name: "shifts.ninety_days_synced",
    family: "shifts",
    description: "Triggered when 90 days of shifts have been collected.",
    job: true,
    jobName: "shifts",
    documented: true,
    source: "docs/002, docs/003, docs/004",
  },
  {
    name: "shifts.fully_synced",
    family: "shifts",
    description: "Triggered when all available shifts have been collected.",
    job: true,
    jobName: "shifts",
    documented: true,
    source: "docs/002, docs/003, docs/004",
  },
  {
    name: "verification_reports.refreshed",
    family: "verify",
    description: "Verification reports for a user have been refreshed.",
    job: false,
    documented: true,
    source: "docs/004",
  },
  {
    name: "earnings_stream.payouts.refreshed",
    family: "earnings_stream",
    description: "Earnings stream payouts were refreshed (named for webhook registration; payload undocumented).",
    job: false,
    documented: false,
    source: "docs/003",
  },
  undocumentedJob("paystubs.documents.added", "paystubs", "Paystub documents are available"),
  undocumentedJob("tax_forms.added", "documents", "Tax forms are available"),
  undocumentedJob("documents.added", "documents", "Documents are available"),
  undocumentedJob("paycheck_viewer.added", "documents", "Paycheck viewer data is available"),
  undocumentedJob("bill.added", "bills", "A bill was added"),
  undocumentedJob("bill.updated", "bills", "A bill was updated"),
  undocumentedJob("bill.removed", "bills", "A bill was removed"),
  undocumentedJob("bill.reminder", "bills", "A bill reminder"),
  undocumentedJob("bill_switch.added", "bills", "A bill switch was added"),
  undocumentedJob("bill_switch.cancelled", "bills", "A bill switch was cancelled"),
  undocumentedJob("company_connect.employments.added", "company_connect", "Company Connect employments are available"),
  undocumentedJob("company_connect.incomes.added", "company_connect", "Company Connect incomes are available"),
  undocumentedJob("company_connect.census.added", "company_connect", "Company Connect census data is available"),
  undocumentedJob("company_connect.status.updated", "company_connect", "Company Connect status was updated"),
];

const NAME_SET: ReadonlySet<string> = new Set(EVENT_NAMES);
const BY_NAME: ReadonlyMap<string, CatalogEntry> = new Map(CATALOG.map((entry) => [entry.name, entry]));

export function isEventName(name: string): name is EventName {
  return NAME_SET.has(name);
}

export function catalogEntry(name: EventName): CatalogEntry {
  const entry = BY_NAME.get(name);
  // Unreachable while CATALOG covers EVENT_NAMES (the tests hold it to that),
  // but a cast-in name from untyped input should fail loudly, not return undefined.
  if (!entry) throw new Error(`No catalog entry for event "${name}"`);
  return entry;
}
