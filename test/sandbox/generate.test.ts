/** The generator alone: every account adds up, for many seeds, platforms and frequencies. */
import { describe, expect, it } from "vitest";
import { dataResponseSchemas } from "../../src/api/data-schemas.js";
import { generateAccount, PAYSTUB_DAYS } from "../../src/sandbox/generate.js";
import { dataJobsOf, PLATFORMS } from "../../src/sandbox/platforms.js";
import { batches } from "../../src/sandbox/sequence.js";
import { dayFromIso, dayOf } from "../../src/sandbox/dates.js";

const NOW = Date.parse("2026-03-18T15:00:00Z");
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function accountFor(seed: number) {
  const platform = PLATFORMS[seed % PLATFORMS.length]!;
  return generateAccount({ seed, now: NOW, platform, jobs: dataJobsOf(platform) });
}

describe("generateAccount", () => {
  it("is reproducible: the same seed and day give the same account", () => {
    expect(accountFor(77)).toEqual(accountFor(77));
    expect(accountFor(77).account.id).not.toBe(accountFor(78).account.id);
  });

  it("gives each end user and platform its own account from one seed: ids differ, amounts stay the seed's", () => {
    const [workday, adp] = [PLATFORMS.find((p) => p.name === "Workday")!, PLATFORMS.find((p) => p.name === "ADP")!];
    const make = (endUserId: string, platform = workday, seed = 42) => generateAccount({ seed, now: NOW, platform, jobs: dataJobsOf(platform), endUserId });
    const mine = make("user_123");
    expect(make("user_123")).toEqual(mine);
    const ids = (data: ReturnType<typeof make>) => [
      data.account.id,
      data.account.link_token_id,
      data.linkToken.token,
      ...data.paystubs.map((p) => p.id),
      ...data.paystubs.map((p) => p.document.id),
      ...data.shifts.map((s) => s.id),
      data.employment?.id,
      data.income?.id,
      data.identity?.id,
    ];
    const theirs = make("other_user");
    expect(theirs.account.end_user_id).toBe("other_user");
    const shared = ids(theirs).filter((id) => ids(mine).includes(id));
    expect(shared).toEqual([]);
    // Only who owns it changed: the seed's amounts and dates stay.
    expect(theirs.paystubs.map((p) => [p.pay_date, p.gross_pay_amount])).toEqual(mine.paystubs.map((p) => [p.pay_date, p.gross_pay_amount]));
    expect(make("user_123", adp, 103).account.id).not.toBe(make("user_123", workday, 103).account.id);
    // Without an end user, the seed draws one, and with it the same account each time.
    const anonymous = () => generateAccount({ seed: 42, now: NOW, platform: workday, jobs: ["paystubs"] });
    expect(anonymous().account.id).toBe(anonymous().account.id);
  });

  it("makes paystubs whose amounts add up, with year-to-date totals that restart each January", () => {
    const frequencies = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const data = accountFor(seed);
      if (data.income) frequencies.add(data.income.pay_frequency);
      const oldestFirst = [...data.paystubs].reverse();
      let year = "";
      let grossYtd = 0;
      for (const paystub of oldestFirst) {
        expect(paystub.gross_pay_amount).toBe(sum(paystub.earnings.map((line) => line.amount)));
        expect(paystub.total_taxes).toBe(sum(paystub.taxes.map((line) => line.amount)));
        expect(paystub.total_deductions).toBe(sum(paystub.deductions.map((line) => line.amount)));
        expect(paystub.net_pay_amount).toBe(paystub.gross_pay_amount - paystub.total_taxes - paystub.total_deductions);
        expect(paystub.check_amount).toBe(paystub.net_pay_amount + paystub.total_reimbursements);
        expect(paystub.net_pay_amount).toBeGreaterThan(0);
        expect(paystub.pay_period_start <= paystub.pay_period_end && paystub.pay_period_end <= paystub.pay_date).toBe(true);
        if (paystub.pay_date.slice(0, 4) !== year) [year, grossYtd] = [paystub.pay_date.slice(0, 4), 0];
        grossYtd += paystub.gross_pay_amount;
        expect(paystub.gross_pay_ytd).toBe(grossYtd);
        expect(paystub.account_id).toBe(data.account.id);
        for (const line of paystub.earnings) expect(Number.isInteger(line.amount)).toBe(true);
      }
      // Time-and-attendance platforms have no paystubs job.
      if (data.paystubs.length === 0) continue;
      const days = data.paystubs.map((paystub) => dayOf(NOW) - dayFromIso(paystub.pay_date));
      expect(Math.min(...days)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...days)).toBeLessThan(PAYSTUB_DAYS);
      expect(Math.max(...days)).toBeGreaterThan(PAYSTUB_DAYS - 40);
    }
    expect(frequencies.size).toBeGreaterThanOrEqual(3);
  });

  it("lists only shifts that ended before the shifts were collected, at any hour of the UTC day", () => {
    let listed = 0;
    for (const now of [Date.parse("2026-12-02T00:30:00Z"), Date.parse("2026-12-02T18:24:00Z"), Date.parse("2026-12-02T23:50:00Z")]) {
      for (let seed = 1; seed <= 30; seed++) {
        const data = generateAccount({ seed, now, platform: PLATFORMS[0]!, jobs: ["paystubs", "shifts"] });
        for (const shift of data.shifts) {
          expect(Date.parse(shift.timestamps[0]!.to), `seed ${seed}, ${shift.start_date} ${shift.timezone}`).toBeLessThanOrEqual(Date.parse(shift.created_at));
          expect(Date.parse(shift.created_at)).toBeLessThanOrEqual(now);
          listed++;
        }
      }
    }
    expect(listed).toBeGreaterThan(1000);
  });

  it("pays an hourly worker for exactly the hours of the shifts in each pay period, overtime as overtime", () => {
    let checked = 0;
    let overtimeShifts = 0;
    const hoursOf = (lines: { category: string; hours: number | null }[], category: string) =>
      Math.round(sum(lines.filter((line) => line.category === category).map((line) => line.hours! * 100)));
    for (let seed = 1; seed <= 20; seed++) {
      const data = generateAccount({ seed, now: NOW, platform: PLATFORMS[0]!, jobs: ["paystubs", "shifts"] });
      const oldestShift = data.shifts.at(-1)!.start_date;
      for (const paystub of data.paystubs.filter((p) => p.pay_period_start >= oldestShift)) {
        const shifts = data.shifts.filter((s) => s.start_date >= paystub.pay_period_start && s.start_date <= paystub.pay_period_end);
        for (const category of ["hourly", "overtime"]) {
          expect(hoursOf(paystub.earnings, category), `seed ${seed}, ${paystub.pay_period_start} ${category}`).toBe(hoursOf(shifts.flatMap((s) => s.earnings), category));
        }
        checked++;
      }
      for (const shift of data.shifts) {
        expect(shift.earnings.length).toBeGreaterThan(0);
        for (const line of shift.earnings) expect(line.amount).toBe(Math.round(line.rate! * line.hours!));
        if (shift.earnings.some((line) => line.category === "overtime")) overtimeShifts++;
        const [from, to] = [Date.parse(shift.timestamps[0]!.from), Date.parse(shift.timestamps[0]!.to)];
        expect((to - from) / 3_600_000).toBeCloseTo(sum(shift.earnings.map((line) => line.hours!)), 1);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(overtimeShifts).toBeGreaterThan(0);
  });

  it("passes the library's response schemas", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const data = accountFor(seed);
      const meta = { count: 0, next_cursor: null, refreshed_at: data.account.created_at };
      expect(dataResponseSchemas.account.parse({ data: data.account })).toBeTruthy();
      expect(dataResponseSchemas.paystubs.safeParse({ data: data.paystubs, meta }).error?.issues).toBeUndefined();
      expect(dataResponseSchemas.shifts.safeParse({ data: data.shifts, meta }).error?.issues).toBeUndefined();
      for (const job of ["employment", "income", "identity"] as const) {
        if (data[job]) expect(dataResponseSchemas[job].safeParse({ data: data[job], meta: { refreshed_at: data.account.created_at } }).error?.issues).toBeUndefined();
      }
      expect(dataResponseSchemas.linkToken.safeParse({ data: data.linkToken }).success).toBe(true);
    }
  });

  it("splits items into 7, 30, 90-day and older batches, skipping empty windows", () => {
    const today = dayFromIso("2026-03-18");
    const items = ["2026-03-18", "2026-03-12", "2026-03-11", "2026-02-17", "2025-12-19", "2024-01-01"].map((date, index) => ({ id: String(index), date }));
    expect(batches(items, today)).toEqual([
      { ids: ["0", "1"], from: "2026-03-12", to: "2026-03-18", synced: "seven_days_synced" },
      { ids: ["2", "3"], from: "2026-02-17", to: "2026-03-11", synced: "thirty_days_synced" },
      { ids: ["4"], from: "2025-12-19", to: "2025-12-19", synced: "ninety_days_synced" },
      { ids: ["5"], from: "2024-01-01", to: "2024-01-01", synced: undefined },
    ]);
    expect(batches(items.slice(2, 3), today).map((batch) => batch.synced)).toEqual(["thirty_days_synced"]);
  });
});
