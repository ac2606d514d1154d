import { InvalidArgumentError } from "../cli/argument-error.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { didYouMean, didYouMeanOneOf } from "../suggest.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ConformanceError, NO_HTTP_HINT } from "../conformance/errors.js";
import { isReplayError } from "../delivery/replay-error.js";
import { CliError, isCliError, stdoutClosed } from "../errors.js";
import { claimStopSignals, stdoutWasClosed } from "../interrupt.js";
import { describeOverride, isOverrideError, type OverrideOp } from "../events/override-error.js";
import { isScenarioError } from "../events/scenario-error.js";
import { isMissingRequestError } from "../store/missing-request.js";
import { isOutcomeConflictError } from "../sandbox/errors.js";
import { isStoreError, type StoreError } from "../store/store-error.js";
import { isSubjectError } from "../verify/subject-error.js";
import { VERSION } from "../version.js";
import { redactUrlsIn } from "../redact-url.js";
import { LineTransport } from "./line-transport.js";
import { requestParamsProblem } from "./request-params.js";
import { registerResources } from "./resources.js";
import type { McpContext, ToolDefinition } from "./tool.js";
import { TOOLS } from "./tools/index.js";

const INSTRUCTIONS =
  "pinwheel-cli fakes, receives and diagnoses Pinwheel payroll webhooks on this machine. Typical loop: run " +
  "`pinwheel-cli listen` (or the developer's handler), simulate_event to send a signed event, list_requests / get_request " +
  "to see what arrived, verify_request to learn why a signature was rejected, replay_request after a fix, run_smoke to " +
  "check every event type, run_conformance to check the handler refuses forgeries and handles duplicates and retries, " +
  "sandbox_connect to create an account whose data the mock serves. Fixtures and scenarios are resources under pinwheel://.";

/** Shorter secrets would match everywhere (the same bound as the webhooks commands' redaction). */
const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces the secret, and the password of any http(s) URL, wherever they appear in a value bound
 * for the client or the log. The secret: as written,
 * behind percent or JSON `\u` escapes (a stored path or body can carry it either way: the text
 * then comes back unescaped, with the secret replaced), and in bodies sent as base64 (a stored
 * body that is not UTF-8).
 */
export function redactor(secret: string): <T>(value: T) => T {
  const secretBytes = Buffer.from(secret);
  const scrubSecret = (text: string): string => {
    if (secret.length < MIN_REDACTED_LENGTH) return text;
    const literal = text.split(secret).join("[secret]");
    const unescaped = unescapeText(literal);
    return unescaped.includes(secret) ? unescaped.split(secret).join("[secret]") : literal;
  };
  // A URL's password too, wherever a result carries one (the `to` a tool was given, echoed back).
  const scrubText = (text: string): string => redactUrlsIn(scrubSecret(text));
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") return scrubText(value);
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === "object") {
      const scrubbed = Object.fromEntries(Object.entries(value).map(([key, child]) => [scrubText(key), scrub(child)]));
      if (scrubbed.body_encoding === "base64" && typeof scrubbed.body === "string" && secret.length >= MIN_REDACTED_LENGTH) scrubbed.body = scrubBase64(scrubbed.body, secretBytes);
      return scrubbed;
    }
    return value;
  };
  return <T>(value: T) => scrub(value) as T;
}

/** Percent and JSON \uXXXX escapes undone, as far as they decode; the rest kept as it is. */
function unescapeText(text: string): string {
  if (!text.includes("%") && !text.includes("\\u")) return text;
  const percentDecoded = text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  return percentDecoded.replace(/\\u([0-9a-f]{4})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function scrubBase64(encoded: string, secret: Buffer): string {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.indexOf(secret) === -1) return encoded;
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(secret); at !== -1; at = bytes.indexOf(secret, from)) {
    parts.push(bytes.subarray(from, at), Buffer.from("[secret]"));
    from = at + secret.length;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts).toString("base64");
}

/** The argument of simulate_event each event override comes from. */
const ARGUMENT_OF: Record<OverrideOp, string> = {
  set: '"set"',
  add: '"add"',
  unset: '"unset"',
  outcome: '"outcome"',
  accountId: '"account_id"',
  endUserId: '"end_user_id"',
};

/** The server's database is the one it was started with: another file means another --db for the server. */
function storeAdvice(error: StoreError): string {
  if (error.kind === "not_a_database") return "; move it aside, or start the server with --db <path>";
  if (error.kind === "locked") return "; try again";
  if (error.kind === "unwritable") return "; start the server with --db <path>";
  return "";
}

/**
 * A tool's failure as the agent reads it: the core's errors in the tool's argument names, with any
 * credentials in a URL hidden (as the CLI hides them in every line it prints).
 */
export function toolErrorText(error: unknown): string {
  return redactUrlsIn(errorText(error));
}

function errorText(error: unknown): string {
  if (isOverrideError(error)) return describeOverride(error, (op) => ARGUMENT_OF[op]);
  if (isScenarioError(error)) return error.message;
  if (isStoreError(error)) return `${error.message}${storeAdvice(error)}`;
  if (isMissingRequestError(error)) return `${error.message}; list_requests shows what is stored`;
  if (isReplayError(error)) {
    if (error.data.kind === "body_truncated") return error.message;
    const include = error.data.kind === "unverified" ? "include_unverified" : "include_rejected";
    return `${error.message}. Set "${include}" to send it anyway, or "as_recorded" to send its original headers`;
  }
  if (isOutcomeConflictError(error)) return `"fail" and "pending" both name ${error.job}; a job is pending then settles, or it fails`;
  if (isSubjectError(error)) return error.data.kind === "unreadable_now" ? `"now" ${error.message}` : error.message;
  // What keeps the conformance suite from starting: the state URL the agent gave, or nothing answering.
  if (error instanceof ConformanceError) {
    if (error.code === "state_url") return `"state_url" ${error.url}: ${error.message}`;
    if (error.code === "unresponsive") return `${error.url} is not answering: ${error.message}; is the app stuck?`;
    if (error.code === "no_http") return `no HTTP answer from ${error.url} (${error.message}); ${NO_HTTP_HINT}`;
    return `nothing answered at ${error.url} (${error.message}); is your app running there?`;
  }
  if (isCliError(error)) return error.message;
  if (error instanceof InvalidArgumentError) return error.message;
  return `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * A tool's arguments as clients see them (additionalProperties: false) and as the SDK parses them:
 * an argument the tool does not take is kept, for unknownArgument to refuse in the tool's words,
 * where a stripped one would be ignored (a mistyped "url" for "to" sent to the default URL).
 */
function argumentsSchema(tool: ToolDefinition): z.ZodObject {
  return z.object(tool.input).loose().meta({ additionalProperties: false });
}

/** Names an agent gives an argument that no spelling distance leads from to ours. */
const ARGUMENT_SYNONYMS: Readonly<Record<string, string>> = { url: "to", uri: "to", target: "to", endpoint: "to", webhook_url: "to", destination: "to" };

/** The refusal of the first argument the tool does not take, naming the nearest it does. */
export function unknownArgument(tool: Pick<ToolDefinition, "name" | "input">, args: unknown): string | undefined {
  if (args === null || typeof args !== "object") return undefined;
  const known = Object.keys(tool.input);
  const name = Object.keys(args).find((key) => !Object.hasOwn(tool.input, key));
  if (name === undefined) return undefined;
  const meant = ARGUMENT_SYNONYMS[name.toLowerCase()];
  const hint =
    known.length === 0 ? "it takes none" : (meant !== undefined && known.includes(meant) ? didYouMeanOneOf([meant]) : didYouMean(name, known)) || `use ${known.join(", ")}`;
  return `${tool.name} has no argument ${JSON.stringify(name)}; ${hint}`;
}

/** The tool calls still running: one per request the client has in flight, so bounded by the client. */
export type CallsInFlight = Set<Promise<unknown>>;

/** A server with every tool and resource; connect it to a transport. `inFlight` tracks the tool calls running. */
export function createMcpServer(context: McpContext, tools: readonly ToolDefinition[] = TOOLS, inFlight: CallsInFlight = new Set()): McpServer {
  const server = new McpServer({ name: "pinwheel-cli", version: VERSION }, { instructions: INSTRUCTIONS });
  const redact = redactor(context.secret.secret);
  const log = (line: string) => context.log(redact(line));
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: argumentsSchema(tool),
        annotations: { readOnlyHint: !tool.sends, destructiveHint: false, openWorldHint: tool.sends },
      },
      async (args: unknown, extra): Promise<CallToolResult> => {
        const unknown = unknownArgument(tool, args);
        if (unknown !== undefined) {
          log(`${tool.name}: ${unknown}`);
          return redact({ content: [{ type: "text", text: unknown }], isError: true });
        }
        const token = extra._meta?.progressToken;
        // Progress already reported is written before the result, never after it.
        const notifying: Promise<void>[] = [];
        const progress =
          token === undefined
            ? undefined
            : (done: number, total: number, message: string) => {
                const sent = extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: done, total, message: redact(message) } });
                // A client gone mid-run costs the notification, not the run.
                notifying.push(sent.catch(() => {}));
              };
        const running = tool.run(args as never, { ...context, progress, signal: extra.signal });
        inFlight.add(running);
        try {
          const outcome = await running;
          await Promise.all(notifying);
          log(`${tool.name}: ${outcome.text.split("\n", 1)[0]}`);
          return redact({ content: [{ type: "text", text: outcome.text }], structuredContent: outcome.data });
        } catch (error) {
          const text = toolErrorText(error);
          log(`${tool.name}: ${text}`);
          return redact({ content: [{ type: "text", text }], isError: true });
        } finally {
          inFlight.delete(running);
        }
      },
    );
  }
  registerResources(server);
  return server;
}

/** True when the server answers this method (the SDK refuses to set a second handler for it). */
function handles(server: McpServer, method: string): boolean {
  try {
    server.server.assertCanSetRequestHandler(method);
    return false;
  } catch {
    return true;
  }
}

/**
 * Serves on stdin/stdout until the client closes stdin (or a signal stops the process); then the
 * calls in flight stop sending and it returns once what they sent is recorded.
 */
export async function serveStdio(context: McpContext): Promise<void> {
  const inFlight: CallsInFlight = new Set();
  const server = createMcpServer(context, TOOLS, inFlight);
  const transport = new LineTransport(process.stdin, process.stdout);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  // A line that is not JSON-RPC is answered with a JSON-RPC error and the connection goes on; one
  // past the transport's bound ends it. Either way the log says so, and an ending the client did
  // not ask for is a failure.
  let lastError: Error | undefined;
  let stopping = false;
  const redact = redactor(context.secret.secret);
  transport.onrefused = (what) => context.log(redact(`refused a line: ${what}`));
  // Only for a request the server handles: one it does not is the SDK's -32601 Method not found.
  transport.paramsProblem = (request) => (handles(server, request.method) ? requestParamsProblem(request) : undefined);
  server.server.onerror = (error) => {
    lastError = error;
    context.log(redact(`error: ${error.message.split("\n")[0]}`));
  };
  // A second signal while closing is the process-wide handler's: it exits at once.
  const release = claimStopSignals();
  const stop = () => {
    stopping = true;
    release();
    void server.close();
  };
  process.stdin.once("end", stop);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await server.connect(transport);
    await closed;
    // Closing aborted every call in flight (the SDK aborts their signals): their sends stop, and
    // what they made is recorded before the server returns.
    await Promise.allSettled([...inFlight]);
    // The client stopped reading (process-hooks sent the SIGTERM): the calls in flight are done, but the session did not end cleanly.
    if (stdoutWasClosed()) throw stdoutClosed("the MCP client no longer reads the server's answers");
    if (!stopping && lastError) throw new CliError(redact(`the MCP connection closed after an error: ${lastError.message.split("\n")[0]}`));
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    release();
  }
}
