/**
 * The Core Data records the sandbox generates and the mock serves, field for field as
 * API-DATA.md §3 describes them for Pinwheel-Version 2023-11-22. Money is integer cents.
 */
import type { DataJob } from "./platforms.js";

export interface Address {
  raw: string;
  line1: string;
  line2: string | null;
  city: string;
  state: string;
  postal_code: string;
  country: string;
}

export interface PhoneNumber {
  value: string;
  type: string | null;
}

export interface Account {
  id: string;
  end_user_id: string;
  platform_id: string;
  link_token_id: string;
  created_at: string;
  connected: boolean;
  monitoring_status: "active" | "degraded" | "user_action_required" | "unavailable" | "customer_disabled";
  data_updated_at: Partial<Record<DataJob, string>>;
  data_refreshed_at: Partial<Record<DataJob, string>>;
}

export interface LinkToken {
  id: string;
  token: string;
  mode: "sandbox";
  expires: string;
  smart_branch_url: string | null;
}

export interface EarningLine {
  name: string;
  category: string;
  amount: number;
  rate: number | null;
  hours: number | null;
}

export interface Paystub {
  id: string;
  account_id: string;
  created_at: string;
  pay_date: string;
  pay_period_start: string;
  pay_period_end: string;
  currency: "USD";
  gross_pay_amount: number;
  net_pay_amount: number;
  check_amount: number;
  gross_pay_ytd: number;
  net_pay_ytd: number;
  total_taxes: number;
  total_deductions: number;
  total_reimbursements: number;
  external_paystub_id: string | null;
  employer_name: string;
  taxes: { name: string; category: string; amount: number }[];
  deductions: { name: string; category: string; type: "pre_tax" | "post_tax" | "unknown"; amount: number }[];
  earnings: EarningLine[];
  time_off: { name: string; category: string; available_hours: number; earned_hours: number; used_hours: number }[];
  document: { id: string; download_url: string; download_url_expiration: string };
}

export interface Shift {
  id: string;
  account_id: string;
  created_at: string;
  start_date: string;
  end_date: string;
  type: "shift";
  timezone: string;
  timestamps: { from: string; to: string }[];
  currency: "USD";
  earnings: EarningLine[];
}

export interface Employment {
  id: string;
  account_id: string;
  created_at: string;
  updated_at: string;
  status: "employed" | "inactive" | "terminated" | null;
  start_date: string;
  termination_date: string | null;
  employer_name: string;
  employer_address: Address;
  employer_phone_number: PhoneNumber;
  title: string | null;
}

export interface Income {
  id: string;
  account_id: string;
  created_at: string;
  updated_at: string;
  compensation_amount: number;
  compensation_unit: "hourly" | "annually";
  currency: "USD";
  pay_frequency: PayFrequency;
}

export interface Identity {
  id: string;
  account_id: string;
  created_at: string;
  updated_at: string;
  full_name: string;
  emails: string[];
  date_of_birth: string;
  last_four_ssn: string;
  address: Address;
  phone_numbers: PhoneNumber[];
}

export const PAY_FREQUENCIES = ["weekly", "bi-weekly", "semi-monthly", "monthly"] as const;
export type PayFrequency = (typeof PAY_FREQUENCIES)[number];

/** Everything one connected account is: what the data API serves and the events describe. */
export interface SandboxAccount {
  account: Account;
  linkToken: LinkToken;
  /** The data jobs that ran; endpoints of the others answer 404 data_not_available. */
  jobs: DataJob[];
  /** Jobs among `jobs` that ended in error: no data, and their endpoints say so. */
  failedJobs: DataJob[];
  /** Newest first, as the API lists them. */
  paystubs: Paystub[];
  shifts: Shift[];
  employment: Employment | undefined;
  income: Income | undefined;
  identity: Identity | undefined;
}
