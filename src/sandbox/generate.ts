import { createHash } from "node:crypto";
import { pinwheelTimestamp } from "../events/build.js";
import { dayOf, dayOfMonth, firstDayOfMonth, isoDate, lastDayOfMonth, localTimestamp, weekday, yearOf } from "./dates.js";
import { employersOn, EMPLOYERS, type DataJob, type Platform } from "./platforms.js";
import { seededRandom, type Random } from "./random.js";
import type { Address, EarningLine, Employment, Identity, Income, PayFrequency, Paystub, SandboxAccount, Shift } from "./records.js";

export interface GenerateOptions {
  seed: number;
  /** Epoch ms: pay dates end on this day, timestamps fall just before it. */
  now: number;
  platform: Platform;
  jobs: readonly DataJob[];
  endUserId?: string;
  /** The Link token the account is created from (POST /v1/link_tokens); a new one otherwise. */
  linkTokenId?: string;
}

/** Paystubs cover this many days back from today; shifts are collected for 90 (docs/002). */
export const PAYSTUB_DAYS = 730;
export const SHIFT_DAYS = 90;
/** Job completions are spread over the minute before `now`, in API-DATA.md §4.9's order. */
export const TIMELINE_START_MS = 60_000;

const FIRST_NAMES = ["Avery", "Jordan", "Maya", "Luis", "Priya", "Samuel", "Grace", "Omar", "Elena", "Marcus", "Nina", "Theo"];
const LAST_NAMES = ["Okafor", "Lindqvist", "Ramirez", "Chen", "Novak", "Haddad", "Brennan", "Takahashi", "Moreau", "Patel", "Sorensen", "Diaz"];
const TITLES_HOURLY = ["Warehouse Associate", "Line Cook", "Cashier", "Shift Lead", "Delivery Driver", "Medical Assistant"];
const TITLES_SALARY = ["Account Manager", "Software Engineer", "Office Manager", "Registered Nurse", "Operations Analyst"];
const STREETS = ["Maple Ave", "Harbor Rd", "Cedar St", "Lakeview Dr", "Mill St", "Orchard Ln", "Union Blvd"];

interface Place {
  city: string;
  state: string;
  postal: string;
  area: string;
  timezone: string;
  /** Flat approximation of the state's income tax rate; 0 where there is none. */
  stateTax: number;
}

const PLACES: readonly Place[] = [
  { city: "Columbus", state: "OH", postal: "43215", area: "614", timezone: "America/New_York", stateTax: 0.035 },
  { city: "Raleigh", state: "NC", postal: "27601", area: "919", timezone: "America/New_York", stateTax: 0.045 },
  { city: "Austin", state: "TX", postal: "78701", area: "512", timezone: "America/Chicago", stateTax: 0 },
  { city: "Minneapolis", state: "MN", postal: "55401", area: "612", timezone: "America/Chicago", stateTax: 0.0535 },
  { city: "Denver", state: "CO", postal: "80202", area: "303", timezone: "America/Denver", stateTax: 0.044 },
  { city: "Sacramento", state: "CA", postal: "95814", area: "916", timezone: "America/Los_Angeles", stateTax: 0.04 },
];

/**
 * When each job completed, ms after the timeline's start, in API-DATA.md §4.9's order (identity,
 * income, paystubs and shifts interleaved, employment last): the events and the data share it.
 */
export const JOB_COMPLETED_MS: Readonly<Record<DataJob, number>> = { identity: 2_100, income: 3_400, shifts: 8_700, paystubs: 9_200, employment: 10_500 };
const DATA_WRITTEN_AFTER_MS = 250;

const PERIODS_PER_YEAR: Record<PayFrequency, number> = { weekly: 52, "bi-weekly": 26, "semi-monthly": 24, monthly: 12 };

interface Period {
  payDay: number;
  start: number;
  end: number;
}

function address(random: Random, place: Place): Address {
  const line1 = `${random.int(100, 9899)} ${random.pick(STREETS)}`;
  const line2 = random.chance(0.3) ? `Unit ${random.int(1, 40)}` : null;
  return {
    raw: `${line1}${line2 ? ` ${line2}` : ""}, ${place.city}, ${place.state} ${place.postal}`,
    line1,
    line2,
    city: place.city,
    state: place.state,
    postal_code: place.postal,
    country: "US",
  };
}

function phone(random: Random, place: Place): string {
  return `+1${place.area}${random.int(200, 989)}${random.digits(4)}`;
}

/** A weekend pay date is paid the Friday before, as payroll providers do. */
function businessDay(day: number): number {
  const dow = weekday(day);
  return dow === 6 ? day - 1 : dow === 0 ? day - 2 : day;
}

/** Every pay period whose pay date falls in (today - PAYSTUB_DAYS, today], oldest first. */
function payPeriods(random: Random, frequency: PayFrequency, today: number): Period[] {
  const periods: Period[] = [];
  const first = today - PAYSTUB_DAYS + 1;
  if (frequency === "weekly" || frequency === "bi-weekly") {
    const step = frequency === "weekly" ? 7 : 14;
    let lastFriday = today - ((weekday(today) + 2) % 7);
    if (step === 14 && random.chance(0.5)) lastFriday -= 7;
    for (let payDay = lastFriday; payDay >= first; payDay -= step) {
      const end = payDay - 6;
      periods.unshift({ payDay, start: end - step + 1, end });
    }
    return periods;
  }
  // Semi-monthly pays on the 15th (for the second half of the month before) and on the month's last
  // day (for its first half); monthly pays on the last day for the month before. Never before the period ends.
  for (let month = firstDayOfMonth(first); month <= today; month = lastDayOfMonth(month) + 1) {
    const last = lastDayOfMonth(month);
    const previous = firstDayOfMonth(month - 1);
    const candidates: Period[] =
      frequency === "monthly"
        ? [{ payDay: businessDay(last), start: previous, end: month - 1 }]
        : [
            { payDay: businessDay(month + 14), start: previous + 15, end: month - 1 },
            { payDay: businessDay(last), start: month, end: month + 14 },
          ];
    for (const period of candidates) if (period.payDay >= first && period.payDay <= today) periods.push(period);
  }
  return periods;
}

/** Hundredths of an hour worked each day, and the minute the shift started: one schedule feeds shifts and paystubs. */
function workSchedule(random: Random, from: number, to: number): Map<number, { hundredths: number; startMinute: number }> {
  const schedule = new Map<number, { hundredths: number; startMinute: number }>();
  for (let day = from; day <= to; day++) {
    const weekend = weekday(day) === 0 || weekday(day) === 6;
    if (!random.chance(weekend ? 0.08 : 0.9)) continue;
    const hundredths = random.pick([800, 800, 800, 800, 850, 900, 1000, 600, 750]);
    schedule.set(day, { hundredths, startMinute: random.pick([7, 8, 9, 10]) * 60 + random.pick([0, 0, 30]) });
  }
  return schedule;
}

const hours = (hundredths: number) => Math.round(hundredths) / 100;

/** Hundredths of an hour of one day's work paid at the regular rate, and past the period's 40 hours a week at 1.5x. */
interface DaySplit {
  regular: number;
  overtime: number;
}

/** Earnings lines for hours worked, a shift's or a pay period's: the regular hours, and the overtime hours at 1.5x. */
function hourlyEarnings(rate: number, { regular, overtime }: DaySplit): EarningLine[] {
  const lines: EarningLine[] = [];
  if (regular > 0 || overtime === 0) lines.push({ name: "Regular", category: "hourly", rate, hours: hours(regular), amount: Math.round((rate * regular) / 100) });
  if (overtime > 0) {
    const overtimeRate = Math.round(rate * 1.5);
    lines.push({ name: "Overtime", category: "overtime", rate: overtimeRate, hours: hours(overtime), amount: Math.round((overtimeRate * overtime) / 100) });
  }
  return lines;
}

/**
 * Each worked day's regular and overtime hours, so a shift's earnings and its paystub's agree:
 * within a pay period, the hours past 40 a week are overtime, counted in the order they were
 * worked. Days after the last paid period fall in periods of the same length that are not paid
 * yet; days before the first have no period and are all regular.
 */
function overtimeSplit(schedule: Map<number, { hundredths: number }>, periods: Period[], today: number): Map<number, DaySplit> {
  const split = new Map<number, DaySplit>();
  const spans = periods.map(({ start, end }) => ({ start, end }));
  const last = periods.at(-1);
  if (last) {
    const length = last.end - last.start + 1;
    for (let start = last.end + 1; start <= today; start += length) spans.push({ start, end: start + length - 1 });
  }
  for (const { start, end } of spans) {
    const limit = Math.round(4000 * ((end - start + 1) / 7));
    let worked = 0;
    for (let day = start; day <= end; day++) {
      const hundredths = schedule.get(day)?.hundredths ?? 0;
      if (hundredths === 0) continue;
      const regular = Math.max(0, Math.min(hundredths, limit - worked));
      split.set(day, { regular, overtime: hundredths - regular });
      worked += hundredths;
    }
  }
  return split;
}

/**
 * The account's identifiers (account, Link token, paystub, shift and record ids) belong to its
 * owner: each is the seeded draw hashed with the end user and the platform, so one seed gives one
 * end user on one platform the same account every time, and another end user or platform a
 * different one (API-DATA.md §4.2: the account is its end user's). The draws themselves are made
 * as before, so amounts and dates do not depend on who owns the account.
 */
function ownedUuid(drawn: string, endUserId: string, platformId: string): string {
  const hex = createHash("sha256").update(JSON.stringify([endUserId, platformId, drawn])).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[parseInt(hex.charAt(16), 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * One end user's connected account, every record consistent with the others: the paystubs' hours
 * are the shifts' hours, their amounts add up (gross = Σ earnings, net = gross − taxes −
 * deductions, check = net + reimbursements), year-to-date totals restart each January, and every
 * record carries the account's id. The same seed, end user, platform and day give the same account;
 * another end user or platform gets its own account (its own ids) from the same seed.
 */
export function generateAccount(options: GenerateOptions): SandboxAccount {
  const random = seededRandom(options.seed);
  const jobs = new Set(options.jobs);
  const { platform } = options;
  const today = dayOf(options.now);
  const start = options.now - TIMELINE_START_MS;
  const stamp = (offsetMs: number) => pinwheelTimestamp(start + offsetMs);

  const drawnAccountId = random.uuid();
  const drawnLinkTokenId = options.linkTokenId ?? random.uuid();
  const endUserId = options.endUserId ?? `sandbox_user_${random.digits(6)}`;
  const uuid = () => ownedUuid(random.uuid(), endUserId, platform.id);
  const accountId = ownedUuid(drawnAccountId, endUserId, platform.id);
  const linkTokenId = options.linkTokenId ?? ownedUuid(drawnLinkTokenId, endUserId, platform.id);
  const employer = random.pick(employersOn(platform.id).length ? employersOn(platform.id) : EMPLOYERS);
  const place = random.pick(PLACES);
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const hourly = jobs.has("shifts") || platform.type === "time_and_attendance" || random.chance(0.6);
  const frequency: PayFrequency = hourly ? random.pick(["weekly", "bi-weekly"] as const) : random.pick(["bi-weekly", "semi-monthly", "monthly"] as const);
  const rate = random.int(64, 152) * 25; // cents per hour: $16.00 to $38.00
  const annual = random.int(45, 120) * 1000_00;
  const retirementShare = random.pick([0, 0.03, 0.04, 0.05, 0.06]);
  const medical = random.int(25, 90) * 100 * (26 / PERIODS_PER_YEAR[frequency]);
  const federalRate = random.int(8, 14) / 100;

  // The data is written a moment after its job's webhook (API-DATA.md §4.8).
  const refreshedAt = (job: DataJob) => stamp(JOB_COMPLETED_MS[job] + DATA_WRITTEN_AFTER_MS);

  const periods = payPeriods(random, frequency, today);
  const firstWorkDay = Math.min(periods[0]?.start ?? today, today - SHIFT_DAYS + 1);
  const schedule = hourly ? workSchedule(random, firstWorkDay, today) : new Map<number, { hundredths: number; startMinute: number }>();
  const split = overtimeSplit(schedule, periods, today);

  const paystubs: Paystub[] = [];
  const ytd = { year: 0, gross: 0, net: 0, ptoEarned: 0, ptoUsed: 0, sickEarned: 0 };
  for (const period of periods) {
    const weeks = (period.end - period.start + 1) / 7;
    const earnings: EarningLine[] = [];
    let ptoUsedHours = 0;
    if (hourly) {
      let regular = 0;
      let overtime = 0;
      for (let day = period.start; day <= period.end; day++) {
        regular += split.get(day)?.regular ?? 0;
        overtime += split.get(day)?.overtime ?? 0;
      }
      earnings.push(...hourlyEarnings(rate, { regular, overtime }));
      if (random.chance(0.12)) {
        ptoUsedHours = 8;
        earnings.push({ name: "PTO", category: "pto", rate, hours: 8, amount: rate * 8 });
      }
    } else {
      const standard = Math.round((208_000 / PERIODS_PER_YEAR[frequency]) | 0);
      earnings.push({ name: "Salary", category: "salary", rate: null, hours: hours(standard), amount: Math.round(annual / PERIODS_PER_YEAR[frequency]) });
    }
    if (new Date(period.payDay * 86_400_000).getUTCMonth() === 11 && dayOfMonth(period.payDay) > 14 && random.chance(0.5)) {
      earnings.push({ name: "Holiday Bonus", category: "bonus", rate: null, hours: null, amount: random.int(10, 50) * 1000 });
    }
    const gross = earnings.reduce((sum, line) => sum + line.amount, 0);

    const deductions: Paystub["deductions"] = [];
    if (retirementShare > 0) deductions.push({ name: "401(k)", category: "retirement", type: "pre_tax", amount: Math.round(gross * retirementShare) });
    deductions.push({ name: "Medical", category: "benefits", type: "pre_tax", amount: Math.round(medical) });
    if (!hourly) deductions.push({ name: "Life Insurance", category: "other", type: "post_tax", amount: 450 });
    const preTax = deductions.filter((line) => line.type === "pre_tax").reduce((sum, line) => sum + line.amount, 0);
    const taxable = Math.max(gross - preTax, 0);
    const taxes: Paystub["taxes"] = [
      { name: "Federal Income Tax", category: "federal_income", amount: Math.round(taxable * federalRate) },
      ...(place.stateTax > 0 ? [{ name: `${place.state} State Income Tax`, category: "state_income", amount: Math.round(taxable * place.stateTax) }] : []),
      { name: "Social Security", category: "social_security", amount: Math.round(gross * 0.062) },
      { name: "Medicare", category: "medicare", amount: Math.round(gross * 0.0145) },
    ];
    const totalTaxes = taxes.reduce((sum, line) => sum + line.amount, 0);
    const totalDeductions = deductions.reduce((sum, line) => sum + line.amount, 0);
    const net = gross - totalTaxes - totalDeductions;
    const reimbursements = hourly && random.chance(0.1) ? random.int(10, 60) * 100 : 0;

    const year = yearOf(period.payDay);
    if (year !== ytd.year) Object.assign(ytd, { year, gross: 0, net: 0, ptoEarned: 0, ptoUsed: 0, sickEarned: 0 });
    ytd.gross += gross;
    ytd.net += net;
    ytd.ptoEarned += Math.round(4 * weeks * 100) / 100;
    ytd.ptoUsed += ptoUsedHours;
    ytd.sickEarned += Math.round(1.5 * weeks * 100) / 100;

    const id = uuid();
    const documentId = uuid();
    paystubs.push({
      id,
      account_id: accountId,
      created_at: refreshedAt("paystubs"),
      pay_date: isoDate(period.payDay),
      pay_period_start: isoDate(period.start),
      pay_period_end: isoDate(period.end),
      currency: "USD",
      gross_pay_amount: gross,
      net_pay_amount: net,
      check_amount: net + reimbursements,
      gross_pay_ytd: ytd.gross,
      net_pay_ytd: ytd.net,
      total_taxes: totalTaxes,
      total_deductions: totalDeductions,
      total_reimbursements: reimbursements,
      external_paystub_id: null,
      employer_name: employer.name,
      taxes,
      deductions,
      earnings,
      time_off: [
        { name: "Paid Time Off", category: "pto", available_hours: round2(16 + ytd.ptoEarned - ytd.ptoUsed), earned_hours: round2(ytd.ptoEarned), used_hours: ytd.ptoUsed },
        { name: "Sick Leave", category: "sick", available_hours: round2(8 + ytd.sickEarned), earned_hours: round2(ytd.sickEarned), used_hours: 0 },
      ],
      document: {
        id: documentId,
        download_url: `https://documents.sandbox.invalid/paystubs/${documentId}.pdf`,
        download_url_expiration: stamp(TIMELINE_START_MS + 15 * 60_000),
      },
    });
  }
  paystubs.reverse();

  const shifts: Shift[] = [];
  // Days are UTC days: today's shift in an American time zone may not have ended (or begun) when
  // the data is collected, and hours not yet worked are no shift.
  const shiftsCollectedAt = start + JOB_COMPLETED_MS.shifts + DATA_WRITTEN_AFTER_MS;
  for (let day = today; day > today - SHIFT_DAYS; day--) {
    const work = schedule.get(day);
    if (!work) continue;
    const endMinute = work.startMinute + Math.round((work.hundredths * 60) / 100);
    if (Date.parse(localTimestamp(day, endMinute, place.timezone)) > shiftsCollectedAt) continue;
    shifts.push({
      id: uuid(),
      account_id: accountId,
      created_at: refreshedAt("shifts"),
      start_date: isoDate(day),
      end_date: isoDate(day),
      type: "shift",
      timezone: place.timezone,
      timestamps: [{ from: localTimestamp(day, work.startMinute, place.timezone), to: localTimestamp(day, endMinute, place.timezone) }],
      currency: "USD",
      earnings: hourlyEarnings(rate, split.get(day) ?? { regular: work.hundredths, overtime: 0 }),
    });
  }

  const employerPlace = random.pick(PLACES.filter((candidate) => candidate.timezone === place.timezone));
  const startDay = today - random.int(3 * 365, 10 * 365);
  const employment: Employment = {
    id: uuid(),
    account_id: accountId,
    created_at: refreshedAt("employment"),
    updated_at: refreshedAt("employment"),
    status: "employed",
    start_date: isoDate(startDay),
    termination_date: null,
    employer_name: employer.name,
    employer_address: address(random, employerPlace),
    employer_phone_number: { value: phone(random, employerPlace), type: "work" },
    title: random.pick(hourly ? TITLES_HOURLY : TITLES_SALARY),
  };
  const income: Income = {
    id: uuid(),
    account_id: accountId,
    created_at: refreshedAt("income"),
    updated_at: refreshedAt("income"),
    compensation_amount: hourly ? rate : annual,
    compensation_unit: hourly ? "hourly" : "annually",
    currency: "USD",
    pay_frequency: frequency,
  };
  const identity: Identity = {
    id: uuid(),
    account_id: accountId,
    created_at: refreshedAt("identity"),
    updated_at: refreshedAt("identity"),
    full_name: `${first} ${last}`,
    emails: [`${first}.${last}@example.com`.toLowerCase()],
    date_of_birth: isoDate(today - random.int(22 * 365, 60 * 365)),
    last_four_ssn: random.digits(4),
    address: address(random, place),
    phone_numbers: [{ value: phone(random, place), type: "mobile" }],
  };

  const ran = options.jobs;
  const byJob = Object.fromEntries(ran.map((job) => [job, refreshedAt(job)])) as Partial<Record<DataJob, string>>;
  return {
    account: {
      id: accountId,
      end_user_id: endUserId,
      platform_id: platform.id,
      link_token_id: linkTokenId,
      created_at: stamp(0),
      connected: true,
      monitoring_status: "active",
      data_updated_at: byJob,
      data_refreshed_at: { ...byJob },
    },
    linkToken: {
      id: linkTokenId,
      token: fakeJwt(random, linkTokenId),
      mode: "sandbox",
      expires: stamp(-60_000 + 3_600_000),
      smart_branch_url: null,
    },
    jobs: [...ran],
    failedJobs: [],
    paystubs: jobs.has("paystubs") ? paystubs : [],
    shifts: jobs.has("shifts") ? shifts : [],
    employment: jobs.has("employment") ? employment : undefined,
    income: jobs.has("income") ? income : undefined,
    identity: jobs.has("identity") ? identity : undefined,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Shaped like a JWT (three base64url parts) but signed by nothing: Link never runs in the sandbox. */
export function fakeJwt(random: Random, linkTokenId: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part({ link_token_id: linkTokenId, mode: "sandbox" })}.${Buffer.from(random.digits(32)).toString("base64url")}`;
}
