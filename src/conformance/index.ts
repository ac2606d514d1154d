/**
 * The conformance suite: does a Pinwheel webhook handler do the right thing? Plain core (no
 * console, no flags): `runConformance({ url, secret })` returns the report card as data, for the
 * CLI (smoke --suite conformance), an MCP tool or a test.
 */
export { CHECKS, CHECK_IDS, checkDefinition, isCheckId, PINWHEEL_TIMEOUT_MS, RESPONSE_TIME_WARN_MS, type CheckDefinition, type CheckId } from "./checks.js";
export { runConformance, selectChecks, type CheckResult, type ConformanceOptions, type ConformanceReport } from "./runner.js";
export { ConformanceError, NO_HTTP_HINT, type ConformanceErrorCode } from "./errors.js";
export { answerText, type Exchange } from "./exchange.js";
export { UNKNOWN_EVENT_NAME } from "./probes.js";
export type { StateReader, StateReading } from "./state.js";
export type { Verdict } from "./verdict.js";
