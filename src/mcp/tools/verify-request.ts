import { z } from "zod";
import { developerSecrets } from "../../config.js";
import { usageError } from "../../errors.js";
import { verificationJson } from "../../output/verification.js";
import { DEFAULT_TOLERANCE_SECONDS, readHeader, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../signing.js";
import { diagnoseSubject } from "../../verify/diagnose-subject.js";
import { rawSubject, storedSubject } from "../../verify/subject.js";
import { findStoredRequest, withStore } from "../store.js";
import { defineTool } from "../tool.js";

/** Standard base64, padded or not, whitespace aside: Buffer.from skips what is not, which would verify other bytes. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

function base64OrToolError(body: string): Buffer {
  const compact = body.replace(/\s+/g, "");
  if (BASE64.test(compact)) return Buffer.from(compact, "base64");
  const bad = /[^A-Za-z0-9+/=]/.exec(compact);
  const why = bad ? `it has ${JSON.stringify(bad[0])} at character ${bad.index + 1}` : "its length or padding is wrong";
  throw usageError(`"body" is not base64 (${why}) though "body_encoding" is "base64"; give the raw bytes base64-encoded, or the text with "body_encoding" "utf8"`);
}

export const verifyRequest = defineTool({
  name: "verify_request",
  title: "Check a webhook signature and say why it fails",
  description:
    "Checks a Pinwheel webhook's signature and timestamp with the server's API secret, and when the check fails explains why: " +
    "the body was re-serialized (parsed and stringified, whitespace or key order changed), it was signed with another secret " +
    "the developer has (env, config file, the built-in development secret), the timestamp was read as milliseconds, the " +
    "clock is off, a header is missing or malformed. Give either `id` (a request stored by listen; checked against the time " +
    "it was received) or the raw `body` with its `headers` as your handler received them (checked against now, or `now`). " +
    "Returns the verdict, the reason, a summary and every diagnosis (matched or ruled out), as `verify --json` does.",
  input: {
    id: z.union([z.number().int().min(1), z.string().min(1)]).optional().describe("a stored request: row id or event_id"),
    body: z.string().optional().describe("the exact raw request body (instead of id)"),
    body_encoding: z.enum(["utf8", "base64"]).optional().describe("how body is given (default utf8)"),
    headers: z.record(z.string(), z.string()).optional().describe("the request's headers: x-pinwheel-signature and x-timestamp at least"),
    now: z.string().optional().describe("check x-timestamp against this time (ISO 8601 or Unix seconds) instead of now"),
    tolerance_seconds: z.number().int().min(1).optional().describe(`accepted age of x-timestamp (default ${DEFAULT_TOLERANCE_SECONDS})`),
  },
  sends: false,
  async run(args, context) {
    const tolerance = args.tolerance_seconds ?? DEFAULT_TOLERANCE_SECONDS;
    const { id, body, headers } = args;
    const raw = body !== undefined || headers !== undefined;
    if (id !== undefined && raw) throw usageError("give either id (a stored request) or body and headers, not both");
    // The diagnoses name the time they check against: the tool's argument, not the CLI's --now.
    const now = args.now === undefined ? undefined : { value: args.now, label: "the given now" };
    let subject;
    if (id !== undefined) {
      subject = withStore(context, (db) => storedSubject(findStoredRequest(db, id), now));
    } else {
      if (!raw) throw usageError("give id (a stored request, see list_requests) or the raw body with its headers");
      if (body === undefined || headers === undefined) throw usageError("a raw request needs both body and headers");
      const bytes = args.body_encoding === "base64" ? base64OrToolError(body) : Buffer.from(body, "utf8");
      subject = rawSubject(bytes, readHeader(headers, SIGNATURE_HEADER), readHeader(headers, TIMESTAMP_HEADER), now);
    }
    const report = diagnoseSubject(subject, context.secret, tolerance, developerSecrets());
    const data = verificationJson(report, subject, context.secret, tolerance);
    const matched = report.diagnoses.filter((d) => d.matched).map((d) => `✗ ${d.message}`);
    return { data, text: [report.summary, ...matched].join("\n") };
  },
});
