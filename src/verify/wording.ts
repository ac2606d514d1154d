import { withThousands } from "../thousands.js";

/** Shared phrases for diagnoses: durations in words, and the raw-body fix per framework. */

const NODE_RAW_BODY =
  "Express: `express.raw({ type: 'application/json' })`; " +
  "Fastify: `addContentTypeParser('application/json', { parseAs: 'buffer' }, ...)`; " +
  "Next.js or Hono: `await req.text()` or `await req.arrayBuffer()`; Node's http: concatenate the request's chunks";

/** The same in the usual Python frameworks, for advice that is not the JavaScript library's. */
const PYTHON_RAW_BODY = "Flask: `request.get_data()`; Django: `request.body`; FastAPI or Starlette: `await request.body()`";

/**
 * For the library's errors: its callers run on Node. A JSON parser mounted for the whole app runs
 * before a route's own raw parser, which then finds the stream already read.
 */
export const RAW_BODY_FIX =
  `Verify the raw bytes, before any JSON parsing (${NODE_RAW_BODY}), ` +
  "and mount the webhook route before any app-wide JSON parser (app.use(express.json())) or exclude its path from it.";

/** For verify's diagnoses, which a handler in any language gets. */
export const RAW_BODY_FIX_ANY_LANGUAGE = `Verify the raw bytes, before any JSON parsing (${NODE_RAW_BODY}; ${PYTHON_RAW_BODY}).`;

const MINUTE: readonly [number, string] = [60, "minute"];
const UNITS: readonly (readonly [number, string])[] = [
  [365.25 * 86_400, "year"],
  [86_400, "day"],
  [3_600, "hour"],
  MINUTE,
];

/** "412 s (about 7 minutes)": exact seconds for the reader who compares clocks, words for the rest. */
export function seconds(value: number): string {
  const whole = Math.round(Math.abs(value));
  const exact = `${withThousands(whole)} s`;
  if (whole < 120) return exact;
  const [size, unit] = UNITS.find(([size]) => whole >= 2 * size) ?? MINUTE;
  const count = Math.round(whole / size);
  return `${exact} (about ${count} ${unit}${count === 1 ? "" : "s"})`;
}

export function years(valueSeconds: number): number {
  return Math.round(valueSeconds / (365.25 * 86_400));
}
