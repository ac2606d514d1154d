import type { MockAnswer } from "../mock/server.js";
import { formatDuration } from "./delivery.js";
import type { Output } from "./index.js";

/** The mock's request log: a JSON line, or "GET    /v1/accounts/x  404 not_found  1.2 ms". */
export function printMockAnswer(out: Output, answer: MockAnswer): void {
  if (out.json) {
    out.ndjson({
      type: "request",
      method: answer.method,
      path: answer.path,
      status_code: answer.status,
      code: answer.code ?? null,
      duration_ms: Math.round(answer.durationMs * 100) / 100,
    });
    return;
  }
  const status = answer.status < 300 ? out.c.green(String(answer.status)) : out.c.red(String(answer.status));
  out.line(`${answer.method.padEnd(6)} ${answer.path}  ${status}${answer.code ? ` ${answer.code}` : ""}  ${formatDuration(answer.durationMs)}`);
}
