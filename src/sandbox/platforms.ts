/**
 * The sandbox's platforms and employers: a fixed catalog with fixed ids, so a platform_id in an
 * event resolves with GET /v1/platforms/{id} in every mock, on every machine, across resets.
 * Names are those of real payroll and time-and-attendance providers, as Pinwheel's sandbox
 * lists them; every other field is the stand-in's own.
 */
export const DATA_JOBS = ["paystubs", "shifts", "employment", "income", "identity"] as const;
export type DataJob = (typeof DATA_JOBS)[number];

export const PLATFORM_TYPES = ["payroll", "time_and_attendance"] as const;
export type PlatformType = (typeof PLATFORM_TYPES)[number];

export interface Platform {
  id: string;
  name: string;
  type: PlatformType;
  supported_jobs: string[];
  last_updated: string;
  logo_url: string | null;
  amount_supported: boolean;
  percentage_supported: boolean;
  fractional_amount_supported: boolean;
  min_amount: number | null;
  max_amount: number | null;
  min_percentage: number;
  max_percentage: number;
}

export interface Employer {
  id: string;
  name: string;
  /** The platform that runs this employer's payroll. */
  platform_id: string;
}

const PAYROLL_JOBS = ["paystubs", "employment", "income", "identity", "direct_deposit_allocations", "direct_deposit_switch", "tax_forms"];
const PAYROLL_WITH_SHIFTS = [...PAYROLL_JOBS, "shifts"];
const TIME_AND_ATTENDANCE_JOBS = ["shifts", "employment", "identity"];
const CATALOG_UPDATED = "2025-01-15T00:00:00.000000+00:00";

function platform(id: string, name: string, type: PlatformType, supported_jobs: string[]): Platform {
  const switching = supported_jobs.includes("direct_deposit_switch");
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return {
    id,
    name,
    type,
    supported_jobs,
    last_updated: CATALOG_UPDATED,
    logo_url: `https://cdn.sandbox.invalid/logos/${slug}.png`,
    amount_supported: switching,
    percentage_supported: switching,
    fractional_amount_supported: false,
    min_amount: switching ? 1 : null,
    max_amount: switching ? 9999 : null,
    min_percentage: 1,
    max_percentage: 99,
  };
}

const WORKDAY = platform("5b3f0c52-6d1e-4a0b-9c41-2f7a8e1d0a01", "Workday", "payroll", PAYROLL_WITH_SHIFTS);
const ADP = platform("5b3f0c52-6d1e-4a0b-9c41-2f7a8e1d0a02", "ADP", "payroll", PAYROLL_JOBS);
const GUSTO = platform("5b3f0c52-6d1e-4a0b-9c41-2f7a8e1d0a03", "Gusto", "payroll", PAYROLL_JOBS);
const PAYCHEX = platform("5b3f0c52-6d1e-4a0b-9c41-2f7a8e1d0a04", "Paychex", "payroll", PAYROLL_JOBS);
const UKG = platform("5b3f0c52-6d1e-4a0b-9c41-2f7a8e1d0a05", "UKG", "payroll", PAYROLL_WITH_SHIFTS);
const DEPUTY = platform("5b3f0c52-6d1e-4a0b-9c41-2f7a8e1d0a06", "Deputy", "time_and_attendance", TIME_AND_ATTENDANCE_JOBS);
const WHEN_I_WORK = platform("5b3f0c52-6d1e-4a0b-9c41-2f7a8e1d0a07", "When I Work", "time_and_attendance", TIME_AND_ATTENDANCE_JOBS);

export const PLATFORMS: readonly Platform[] = [WORKDAY, ADP, GUSTO, PAYCHEX, UKG, DEPUTY, WHEN_I_WORK];

/** The platform `sandbox connect` uses when none is named: payroll with every data job. */
export const DEFAULT_PLATFORM = WORKDAY;

export const EMPLOYERS: readonly Employer[] = [
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f01", name: "Harbor Freight Logistics", platform_id: WORKDAY.id },
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f02", name: "Maple Street Grocers", platform_id: ADP.id },
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f03", name: "Northwind Health Partners", platform_id: WORKDAY.id },
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f04", name: "Bluebird Coffee Co.", platform_id: GUSTO.id },
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f05", name: "Summit Warehouse Services", platform_id: UKG.id },
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f06", name: "Lakeside Community Clinic", platform_id: PAYCHEX.id },
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f07", name: "Riverbend Hardware", platform_id: DEPUTY.id },
  { id: "9e1d7a30-2c4b-4f6e-8a15-6b0c3d2e1f08", name: "Copperline Diner", platform_id: WHEN_I_WORK.id },
];

export function platformById(id: string): Platform | undefined {
  return PLATFORMS.find((candidate) => candidate.id === id);
}

/** A platform by id, or by name ignoring case and punctuation ("when-i-work" finds "When I Work"). */
export function findPlatform(nameOrId: string): Platform | undefined {
  const key = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, "");
  return platformById(nameOrId) ?? PLATFORMS.find((candidate) => key(candidate.name) === key(nameOrId));
}

export function employersOn(platformId: string): Employer[] {
  return EMPLOYERS.filter((employer) => employer.platform_id === platformId);
}

/** The data jobs a platform can run, in the order the sandbox runs them. */
export function dataJobsOf(target: Platform): DataJob[] {
  return DATA_JOBS.filter((job) => target.supported_jobs.includes(job));
}
