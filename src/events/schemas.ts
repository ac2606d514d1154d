import { z } from "zod";
import { EVENT_NAMES, isEventName } from "./catalog.js";
import type { EventName } from "./catalog.js";

// Every object is loose: Pinwheel adds fields over time, and a test tool must
// show what actually arrived instead of silently stripping or rejecting it. A field the
// docs do not list is reported by validateWebhookEvent as an issue (see fieldWalker),
// never refused; objects the docs leave open are marked with open().

/** Objects whose fields the docs leave open: nothing in them is an unknown field. */
const OPEN_OBJECTS = new WeakSet<z.ZodType>();

function open<T extends z.ZodType>(schema: T): T {
  OPEN_OBJECTS.add(schema);
  return schema;
}

// z.uuid() enforces RFC 9562 version/variant bits; Pinwheel's ids are UUID-shaped
// and rejecting one over a version nibble would only hide a real delivery.
const uuid = z.guid();
// The docs' samples carry an offset and usually microseconds
// (2021-01-12T02:36:01.287148+00:00); docs/003 also has whole seconds.
const isoTimestamp = z.iso.datetime({ offset: true });
const payDate = z.iso.date();
const count = z.int().nonnegative();
// "if provided" in every table: the Link token may have been created without one.
const endUserId = z.string().nullish();

const monitoringStatus = z.enum([
  "active",
  "degraded",
  "user_action_required",
  "unavailable",
  "customer_disabled",
]);

// Refinements below also run when other fields already failed, so one
// validation pass reports every problem with a delivery at once.
const whenObject = {
  when: (payload: { value: unknown }) => typeof payload.value === "object" && payload.value !== null,
};

function isSet(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}

// ---------------------------------------------------------------------------
// Job events

export const jobPayloadBase = z
  .looseObject({
    /** Deprecated job UUID; account_id is the identifier to use. */
    id: uuid,
    account_id: uuid,
    end_user_id: endUserId,
    // "or an undefined link token if triggered by a refresh job (such as from DDA Monitoring)"
    link_token_id: uuid.nullish(),
    timestamp: isoTimestamp,
    outcome: z.enum(["success", "error", "pending"]),
    // "(optional)" in every table, even on error (shifts.added has no error_type at all);
    // docs/003's sample sends "error_code": null on success.
    error_code: z.string().nullish(),
    error_type: z.string().nullish(),
    // What a job's params hold is documented per job, where it is at all.
    params: open(z.looseObject({})).optional(),
  });

const idList = z.array(z.looseObject({ id: uuid }));

const directDepositAllocationsAdded = jobPayloadBase.safeExtend({
  name: z.literal("direct_deposit_allocations"),
});

const switchAllocation = z
  .looseObject({
    type: z.enum(["remainder", "amount", "percentage"]),
    value: count.optional(),
  })
  .superRefine((allocation, ctx) => {
    if ((allocation.type === "amount" || allocation.type === "percentage") && allocation.value === undefined) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `value is required for a "${allocation.type}" allocation` });
    }
  }, whenObject);

const directDepositSwitchAdded = jobPayloadBase.safeExtend({
  name: z.literal("direct_deposit_switch"),
  params: z
    .looseObject({
      action: z.enum(["full_switch", "partial_switch"]).optional(),
      allocation: switchAllocation.optional(),
      // Pre-2022-08 structure, still accepted: the new allocation in pennies.
      amount: count.optional(),
    })
    .superRefine((params, ctx) => {
      if (params.allocation !== undefined && params.action !== "partial_switch") {
        ctx.addIssue({
          code: "custom",
          path: ["allocation"],
          message: 'allocation is only present when action is "partial_switch"',
        });
      }
    }, whenObject)
    .optional(),
});

const employmentAdded = jobPayloadBase.safeExtend({ name: z.literal("employment") });
const identityAdded = jobPayloadBase.safeExtend({ name: z.literal("identity") });
const incomeAdded = jobPayloadBase.safeExtend({ name: z.literal("income") });

// The batch's earliest and latest pay_date (API-DATA.md, session facts 5): a batch with no
// paystubs, as an errored or pending job's is, has neither.
const paystubsSyncParams = z
  .looseObject({
    from_pay_date: payDate.optional(),
    to_pay_date: payDate.optional(),
    count,
  })
  .superRefine((params, ctx) => {
    if (!(typeof params.count === "number" && params.count > 0)) return;
    for (const key of ["from_pay_date", "to_pay_date"] as const) {
      if (params[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: `${key} is missing from a batch of ${params.count} paystub(s)` });
    }
  }, whenObject);

const paystubsAdded = jobPayloadBase.safeExtend({
  name: z.literal("paystubs"),
  added: idList,
  deleted: idList,
  params: paystubsSyncParams.safeExtend({ sync_status: z.enum(["in_progress", "complete"]) }),
});

const paystubsSynced = jobPayloadBase.safeExtend({
  name: z.literal("paystubs"),
  params: paystubsSyncParams,
});

const shiftsAdded = jobPayloadBase.safeExtend({
  name: z.literal("shifts"),
  added: idList,
  deleted: idList,
  // The only job table that marks params "(optional)" while giving it fields.
  params: z.looseObject({ count, sync_status: z.enum(["in_progress", "complete"]) }).optional(),
});

const shiftsSynced = jobPayloadBase.safeExtend({
  name: z.literal("shifts"),
  params: z.looseObject({ count }),
});

// ---------------------------------------------------------------------------
// Account events (not jobs: no outcome)

const accountAdded = z.looseObject({
  account_id: uuid,
  end_user_id: endUserId,
  link_token_id: uuid,
  platform_id: uuid,
  // Both tables list these, but docs/003's account.added sample omits them.
  platform_name: z.string().optional(),
  created_at: isoTimestamp,
  connected: z.boolean(),
  monitoring_status: monitoringStatus.optional(),
});

const platformRecommendation = z
  .looseObject({
    // "Currently, only supports time_and_attendance": kept open for future types.
    platform_type: z.string().min(1),
    action: z.enum(["none", "login", "search", "ask"]),
    platform_id: uuid.nullish(),
  })
  .superRefine((recommendation, ctx) => {
    if (recommendation.action === "login" && !isSet(recommendation.platform_id)) {
      ctx.addIssue({ code: "custom", path: ["platform_id"], message: 'platform_id is required when action is "login"' });
    }
  }, whenObject);

// docs/002 calls the list additional_platforms, docs/001 additional_connections.
const additionalConnectionsRecommended = z
  .looseObject({
    account_id: uuid,
    end_user_id: endUserId,
    link_token_id: uuid,
    additional_platforms: z.array(platformRecommendation).optional(),
    additional_connections: z.array(platformRecommendation).optional(),
  })
  .superRefine((payload, ctx) => {
    if (payload.additional_platforms === undefined && payload.additional_connections === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["additional_platforms"],
        message: "expected additional_platforms (docs/002) or additional_connections (docs/001)",
      });
    }
  }, whenObject);

const monitoringStatusUpdated = z.looseObject({
  account_id: uuid,
  end_user_id: endUserId,
  updated_at: isoTimestamp,
  current_monitoring_status: monitoringStatus,
});

// ---------------------------------------------------------------------------
// Verify

const reportAvailability = z.looseObject({
  status: z.enum(["available", "unavailable"]),
  updated_at: isoTimestamp,
  refreshed_at: isoTimestamp,
});

const verificationReportsRefreshed = z.looseObject({
  // "if provided", as in every other table: a handler must cope without it.
  end_user_id: endUserId,
  availability: z.looseObject({
    voe: reportAvailability,
    voie: reportAvailability,
  }),
});

// ---------------------------------------------------------------------------
// Earnings stream

// docs/003 names this event only in a webhook registration step and documents no
// payload, so anything object-shaped is accepted; the two ids every other
// Pinwheel payload carries are checked only when present.
const earningsStreamPayoutsRefreshed = open(
  z.looseObject({
    account_id: uuid.optional(),
    end_user_id: endUserId,
  }),
);

// ---------------------------------------------------------------------------
// Named in enabled_events, payload undocumented: the fields every job event has are checked
// only when present, and nothing is required.

const undocumentedJob = open(jobPayloadBase.partial());

// ---------------------------------------------------------------------------

export const payloadSchemas = {
  "account.added": accountAdded,
  "account.additional_connections_recommended": additionalConnectionsRecommended,
  "account.monitoring_status.updated": monitoringStatusUpdated,
  "direct_deposit_allocations.added": directDepositAllocationsAdded,
  "direct_deposit_switch.added": directDepositSwitchAdded,
  "employment.added": employmentAdded,
  "identity.added": identityAdded,
  "income.added": incomeAdded,
  "paystubs.added": paystubsAdded,
  "paystubs.seven_days_synced": paystubsSynced,
  "paystubs.thirty_days_synced": paystubsSynced,
  "paystubs.ninety_days_synced": paystubsSynced,
  "paystubs.fully_synced": paystubsSynced,
  "shifts.added": shiftsAdded,
  "shifts.seven_days_synced": shiftsSynced,
  "shifts.thirty_days_synced": shiftsSynced,
  "shifts.ninety_days_synced": shiftsSynced,
  "shifts.fully_synced": shiftsSynced,
  "verification_reports.refreshed": verificationReportsRefreshed,
  "earnings_stream.payouts.refreshed": earningsStreamPayoutsRefreshed,
  "paystubs.documents.added": undocumentedJob,
  "tax_forms.added": undocumentedJob,
  "documents.added": undocumentedJob,
  "paycheck_viewer.added": undocumentedJob,
  "bill.added": undocumentedJob,
  "bill.updated": undocumentedJob,
  "bill.removed": undocumentedJob,
  "bill.reminder": undocumentedJob,
  "bill_switch.added": undocumentedJob,
  "bill_switch.cancelled": undocumentedJob,
  "company_connect.employments.added": undocumentedJob,
  "company_connect.incomes.added": undocumentedJob,
  "company_connect.census.added": undocumentedJob,
  "company_connect.status.updated": undocumentedJob,
} satisfies { [K in EventName]: z.ZodType };

type PayloadSchemas = typeof payloadSchemas;
export type EventPayload<K extends EventName> = z.infer<PayloadSchemas[K]>;

// The docs type event_id as "string": a UUID is what Pinwheel's samples and `simulate` send, but a
// handler keys on it, it does not parse it.
const eventId = z.string().min(1);

/** What every delivery has, whatever the event (the same rule as envelope.ts). */
export const envelopeSchema = z.looseObject({
  event: z.string().min(1),
  event_id: eventId,
  payload: z.looseObject({}),
});

function envelopeFor<N extends EventName, P extends PayloadSchemas[EventName]>(event: N, payload: P) {
  return z.looseObject({ event: z.literal(event), event_id: eventId, payload });
}

type EventSchemas = { [K in EventName]: ReturnType<typeof envelopeFor<K, PayloadSchemas[K]>> };

export const eventSchemas = Object.fromEntries(
  EVENT_NAMES.map((name) => [name, envelopeFor(name, payloadSchemas[name])]),
) as EventSchemas;

type AnyEventSchema = EventSchemas[EventName];

export const webhookEventSchema = z.discriminatedUnion(
  "event",
  EVENT_NAMES.map((name) => eventSchemas[name]) as [AnyEventSchema, ...AnyEventSchema[]],
);

export type PinwheelWebhookEvent = z.infer<typeof webhookEventSchema>;

export interface SchemaIssue {
  /** Dotted path into the body, e.g. "payload.params.count"; "(root)" for the body itself. */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; event: PinwheelWebhookEvent } | { ok: false; issues: SchemaIssue[] };

/**
 * A payload's issues are listed up to this many, and the rest counted in one last issue: a body of
 * 1 MiB can hold 100,000 keys the docs do not list, and listen stores and prints what this returns.
 */
export const MAX_LISTED_ISSUES = 50;

/** Issues as they are found: the first MAX_LISTED_ISSUES listed, the others only counted. */
interface IssueList {
  listed: SchemaIssue[];
  unlisted: number;
}

function addIssue(list: IssueList, path: () => string, message: string): void {
  if (list.listed.length < MAX_LISTED_ISSUES) list.listed.push({ path: path(), message });
  else list.unlisted++;
}

function addZodIssues(list: IssueList, error: z.ZodError): void {
  for (const issue of error.issues) addIssue(list, () => (issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)"), issue.message);
}

function listedIssues(list: IssueList): SchemaIssue[] {
  if (list.unlisted === 0) return list.listed;
  return [...list.listed, { path: "(root)", message: `${list.unlisted} more issue(s) not listed (the first ${MAX_LISTED_ISSUES} are above)` }];
}

function toIssues(error: z.ZodError): SchemaIssue[] {
  const list: IssueList = { listed: [], unlisted: 0 };
  addZodIssues(list, error);
  return listedIssues(list);
}

/** Said of a field the docs do not list: accepted as it arrived, and reported. */
export const UNKNOWN_FIELD_MESSAGE = "not in Pinwheel's docs for this event (a field added since?); accepted as it arrived";

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
}

/** Finds the unknown fields in a value at `path` (segments, joined only for an issue). */
type FieldWalker = (value: unknown, path: (string | number)[], issues: IssueList) => void;

const walkers = new WeakMap<z.ZodType, FieldWalker | null>();

/**
 * The walker for a schema, built once: null where nothing below can be unknown (a value, an open
 * object). It runs on every request listen stores, so it visits only objects and arrays, and
 * reads each object's keys against the schema's once-made list.
 */
function fieldWalker(schema: z.ZodType): FieldWalker | null {
  const cached = walkers.get(schema);
  if (cached !== undefined) return cached;
  walkers.set(schema, null); // A schema that refers to itself sees no walker for itself (none does today).
  const walker = buildWalker(schema);
  walkers.set(schema, walker);
  return walker;
}

function buildWalker(schema: z.ZodType): FieldWalker | null {
  if (OPEN_OBJECTS.has(schema)) return null;
  const def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const inner = def.innerType ?? def.in;
  if (inner !== undefined) return fieldWalker(inner);
  if (def.type === "array" && def.element !== undefined) {
    const element = fieldWalker(def.element);
    if (element === null) return null;
    return (value, path, issues) => {
      if (!Array.isArray(value)) return;
      for (let index = 0; index < value.length; index++) {
        path.push(index);
        element(value[index], path, issues);
        path.pop();
      }
    };
  }
  if (def.type !== "object" || def.shape === undefined) return null;
  const children = new Map(Object.entries(def.shape).map(([key, child]) => [key, fieldWalker(child)]));
  return (value, path, issues) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    const fields = value as Record<string, unknown>;
    for (const key in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
      const child = children.get(key);
      if (child === null) continue;
      path.push(key);
      if (child === undefined) addIssue(issues, () => path.join("."), UNKNOWN_FIELD_MESSAGE);
      else child(fields[key], path, issues);
      path.pop();
    }
  };
}

function unknownEventMessage(name: string): string {
  return `"${name}" is not a known Pinwheel event`;
}

export function validateWebhookEvent(body: unknown): ValidationResult {
  const event = typeof body === "object" && body !== null ? (body as { event?: unknown }).event : undefined;
  if (typeof event !== "string" || !isEventName(event)) {
    if (typeof event === "string" && event.length > 0) {
      // One clear issue beats the union's generic "no matching discriminator".
      return { ok: false, issues: [{ path: "event", message: unknownEventMessage(event) }] };
    }
    // No usable event name: report against the envelope every event shares.
    const envelope = envelopeSchema.safeParse(body);
    const issues = envelope.success ? [{ path: "event", message: "event is required" }] : toIssues(envelope.error);
    return { ok: false, issues };
  }
  const parsed = webhookEventSchema.safeParse(body);
  const issues: IssueList = { listed: [], unlisted: 0 };
  if (!parsed.success) addZodIssues(issues, parsed.error);
  fieldWalker(eventSchemas[event])?.(body, [], issues);
  if (parsed.success && issues.listed.length === 0) return { ok: true, event: parsed.data };
  return { ok: false, issues: listedIssues(issues) };
}
