import type { ConnectOptions, ConnectResult } from "../sandbox/sandbox.js";
import type { AccountSummary } from "../sandbox/store.js";
import { createJsonCaller, type HttpClientOptions } from "./client.js";

/** What `sandbox` commands do, against a running mock (HTTP) or the database directly (--env local). */
export interface SandboxApi {
  connect(options: ConnectOptions): Promise<ConnectResult>;
  accounts(): Promise<AccountSummary[]>;
  reset(): Promise<{ accounts: number; linkTokens: number }>;
  close(): Promise<void>;
}

const COLLECTION = "/sandbox/accounts";

/** The mock's own /sandbox/accounts routes (not Pinwheel's API): connect, list, reset. */
export function createHttpSandboxApi(options: HttpClientOptions): SandboxApi {
  const { call, close } = createJsonCaller(options);
  const data = async <T>(method: "GET" | "POST" | "DELETE", body?: unknown) => ((await call(method, COLLECTION, body)) as { data: T }).data;
  return {
    connect: (connect) =>
      data<ConnectResult>("POST", {
        platform: connect.platform,
        end_user_id: connect.endUserId,
        jobs: connect.jobs,
        seed: connect.seed,
        link_token_id: connect.linkTokenId,
        outcomes: connect.outcomes,
        deliver: connect.deliver,
      }),
    accounts: () => data<AccountSummary[]>("GET"),
    reset: () => data<{ accounts: number; linkTokens: number }>("DELETE"),
    close,
  };
}
