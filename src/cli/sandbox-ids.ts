import { NEWEST_VERSION } from "../api/environments.js";
import { ApiTransportError, isPinwheelApiError } from "../api/errors.js";
import { CliError } from "../errors.js";
import type { SandboxIds } from "../delivery/event-sequence.js";

/**
 * simulate --sandbox: a new account in the running mock, stored without events of its own, whose
 * ids the simulated events then carry, so a handler that calls back finds the account, its
 * platform and its data.
 */
export async function sandboxAccountIds(baseUrl: string, secret: string, endUserId: string | undefined, timeoutMs: number): Promise<SandboxIds> {
  const { createHttpSandboxApi } = await import("../api/sandbox-client.js");
  const api = createHttpSandboxApi({ baseUrl, secret, apiVersion: NEWEST_VERSION, timeoutMs });
  try {
    const result = await api.connect({ endUserId, deliver: false });
    return {
      accountId: result.account_id,
      endUserId: result.end_user_id,
      linkTokenId: result.link_token_id,
      platform: { id: result.platform_id, name: result.platform_name },
    };
  } catch (error) {
    if (isPinwheelApiError(error)) {
      const hint = error.statusCode === 401 ? "; pass the mock's secret with --secret or PINWHEEL_API_SECRET" : "";
      throw new CliError(`--sandbox ${baseUrl} refused to create an account (${error.statusCode} ${error.body.code}: ${error.message})${hint}`);
    }
    if (error instanceof ApiTransportError) throw new CliError(`--sandbox ${baseUrl}: ${error.message}; is "pinwheel-cli mock" running there?`);
    throw error;
  } finally {
    await api.close();
  }
}
