import { z } from "zod";

/**
 * Zod schemas for the Core Data responses a webhook handler fetches (API-DATA.md §3, Pinwheel-Version
 * 2023-11-22). Objects are loose, as in events/schemas.ts: Pinwheel adds fields over time, and a
 * handler should read what it needs, not reject a response for a field it does not know. Nullable
 * where any recorded response had a null; enumerations are strings, since only part of each is known.
 */
const uuid = z.guid();
const timestamp = z.iso.datetime({ offset: true });
const date = z.iso.date();
const cents = z.int();
const hours = z.number();

const address = z.looseObject({
  raw: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  state: z.string(),
  postal_code: z.string(),
  country: z.string(),
});
const phoneNumber = z.looseObject({ value: z.string(), type: z.string().nullable() });
const earning = z.looseObject({
  name: z.string(),
  category: z.string(),
  amount: cents,
  rate: cents.nullable(),
  hours: hours.nullable(),
});

export const accountSchema = z.looseObject({
  id: uuid,
  end_user_id: z.string(),
  platform_id: uuid,
  link_token_id: uuid,
  created_at: timestamp,
  connected: z.boolean(),
  monitoring_status: z.string(),
  data_updated_at: z.record(z.string(), timestamp),
  data_refreshed_at: z.record(z.string(), timestamp),
});

export const platformSchema = z.looseObject({
  id: uuid,
  name: z.string(),
  type: z.string(),
  supported_jobs: z.array(z.string()),
  last_updated: timestamp,
  logo_url: z.string().nullable(),
  amount_supported: z.boolean(),
  percentage_supported: z.boolean(),
  fractional_amount_supported: z.boolean(),
  min_amount: z.int().nullable(),
  max_amount: z.int().nullable(),
  min_percentage: z.int(),
  max_percentage: z.int(),
});

/** GET /v1/search: platform fields, the kind in platform_type, and whether it is an employer or a platform. */
export const searchItemSchema = platformSchema.omit({ type: true }).extend({
  platform_type: z.string(),
  response_type: z.enum(["employer", "platform"]),
});

export const paystubSchema = z.looseObject({
  id: uuid,
  account_id: uuid,
  created_at: timestamp,
  pay_date: date.optional(),
  pay_period_start: date,
  pay_period_end: date,
  currency: z.string(),
  gross_pay_amount: cents,
  net_pay_amount: cents,
  check_amount: cents,
  gross_pay_ytd: cents.nullable(),
  net_pay_ytd: cents.nullable(),
  total_taxes: cents,
  total_deductions: cents,
  total_reimbursements: cents,
  external_paystub_id: z.string().nullish(),
  employer_name: z.string().nullable(),
  taxes: z.array(z.looseObject({ name: z.string(), category: z.string(), amount: cents })),
  deductions: z.array(z.looseObject({ name: z.string(), category: z.string(), type: z.string().optional(), amount: cents.nullable() })),
  earnings: z.array(earning),
  time_off: z.array(
    z.looseObject({ name: z.string(), category: z.string(), available_hours: hours, earned_hours: hours, used_hours: hours }),
  ),
  document: z.looseObject({ id: z.string(), download_url: z.string(), download_url_expiration: timestamp }).optional(),
});

export const shiftSchema = z.looseObject({
  id: uuid,
  account_id: uuid,
  created_at: z.string(),
  start_date: date,
  end_date: date,
  type: z.string(),
  timezone: z.string(),
  timestamps: z.array(z.looseObject({ from: timestamp, to: timestamp })),
  currency: z.string(),
  earnings: z.array(earning),
});

export const employmentSchema = z.looseObject({
  id: uuid,
  account_id: uuid,
  created_at: timestamp,
  updated_at: timestamp,
  status: z.string().nullable(),
  start_date: date,
  termination_date: date.nullable(),
  employer_name: z.string(),
  employer_address: address.nullish(),
  employer_phone_number: phoneNumber.nullish(),
  title: z.string().nullable(),
});

export const incomeSchema = z.looseObject({
  id: uuid,
  account_id: uuid,
  created_at: timestamp,
  updated_at: timestamp,
  compensation_amount: cents.nullish(),
  compensation_unit: z.string().nullish(),
  currency: z.string(),
  pay_frequency: z.string().nullish(),
});

export const identitySchema = z.looseObject({
  id: uuid,
  account_id: uuid,
  created_at: timestamp,
  updated_at: timestamp,
  full_name: z.string(),
  emails: z.array(z.string()).nullable(),
  date_of_birth: date,
  last_four_ssn: z.string().regex(/^\d{4}$/),
  address,
  phone_numbers: z.array(phoneNumber).nullable(),
});

export const linkTokenSchema = z.looseObject({
  id: uuid,
  token: z.string(),
  mode: z.string(),
  expires: timestamp,
  smart_branch_url: z.string().nullable(),
});

const listMeta = z.looseObject({ count: z.int().nonnegative(), next_cursor: z.string().nullable() });
const dataListMeta = listMeta.extend({ refreshed_at: timestamp.optional() });
const recordMeta = z.looseObject({ refreshed_at: timestamp });

/** Whole response bodies, envelope included, per endpoint. */
export const dataResponseSchemas = {
  account: z.looseObject({ data: accountSchema }),
  endUserAccounts: z.looseObject({ data: z.array(accountSchema), meta: listMeta }),
  platform: z.looseObject({ data: platformSchema }),
  platforms: z.looseObject({ data: z.array(platformSchema), meta: listMeta }),
  search: z.looseObject({ data: z.array(searchItemSchema), meta: z.looseObject({ count: z.int().nonnegative() }) }),
  paystubs: z.looseObject({ data: z.array(paystubSchema), meta: dataListMeta }),
  shifts: z.looseObject({ data: z.array(shiftSchema), meta: dataListMeta }),
  employment: z.looseObject({ data: employmentSchema, meta: recordMeta }),
  income: z.looseObject({ data: incomeSchema, meta: recordMeta }),
  identity: z.looseObject({ data: identitySchema, meta: recordMeta }),
  linkToken: z.looseObject({ data: linkTokenSchema }),
} as const;

export type DataResponseName = keyof typeof dataResponseSchemas;
export type PinwheelAccount = z.infer<typeof accountSchema>;
export type PinwheelPlatform = z.infer<typeof platformSchema>;
export type PinwheelPaystub = z.infer<typeof paystubSchema>;
export type PinwheelShift = z.infer<typeof shiftSchema>;
export type PinwheelEmployment = z.infer<typeof employmentSchema>;
export type PinwheelIncome = z.infer<typeof incomeSchema>;
export type PinwheelIdentity = z.infer<typeof identitySchema>;
