import { ClientRequestSchema } from "@modelcontextprotocol/sdk/types.js";

/** Each request MCP defines for a client, by method: the SDK's own schema of its params. */
const REQUEST_SCHEMAS = new Map(ClientRequestSchema.options.map((schema) => [schema.shape.method.value as string, schema]));

/**
 * What is wrong with a request's params, in one line ("params.protocolVersion: expected string,
 * received undefined"); undefined when nothing is, or when MCP defines no such request. The SDK
 * checks them only inside the handler and answers a failure -32603 Internal error, with the whole
 * list of schema issues as a multi-line message.
 */
export function requestParamsProblem(request: { method: string }): string | undefined {
  const schema = REQUEST_SCHEMAS.get(request.method);
  if (schema === undefined) return undefined;
  const parsed = schema.safeParse(request);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (issue === undefined) return "the params do not match the request";
  const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "params";
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : "";
  return `${path}: ${issue.message.replace(/^Invalid input: /, "")}${more}`.replace(/\s*\n\s*/g, " ");
}
