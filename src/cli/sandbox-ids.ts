import { NEWEST_VERSION } from "../api/environments.js";
import { ApiTransportError, isPinwheelApiError } from "../api/errors.js";
import { CliError } from "../errors.js";
import type { SandboxIds } from "../delivery/event-sequence.js";
import type { SimulatedEvent } from "../sandbox/account-events.js";

/**
 * simulate --sandbox: a new account in the running mock, stored without events of its own, whose
 * ids the simulated events then carry, so a handler that calls back finds the account, its
 * platform and its data: list events carry the ids and params of the account's own events.
 */
export interface SandboxAccountRequest {
  baseUrl: string;
  secret: string;
  endUserId: string | undefined;
  /** The same seed, end user and day give the same account, ids included (the mock replaces it). */
  seed: number | undefined;
  timeoutMs: number;
  /** The events to be simulated: a job simulated only in error or pending runs so in the account. */
  simulated: readonly SimulatedEvent[];
}

export async function sandboxAccountIds({ baseUrl, secret, endUserId, seed, timeoutMs, simulated }: SandboxAccountRequest): Promise<SandboxIds> {
  const [{ createHttpSandboxApi }, { accountEventData, sandboxOutcomes }] = await Promise.all([import("../api/sandbox-client.js"), import("../sandbox/account-events.js")]);
  const api = createHttpSandboxApi({ baseUrl, secret, apiVersion: NEWEST_VERSION, timeoutMs });
  try {
    // A job simulated only with an error (or pending) outcome runs so in the account too.
    const outcomes = sandboxOutcomes(simulated);
    const result = await api.connect({ endUserId, seed, deliver: false, outcomes: Object.keys(outcomes).length ? outcomes : undefined });
    return {
      accountId: result.account_id,
      endUserId: result.end_user_id,
      linkTokenId: result.link_token_id,
      platform: { id: result.platform_id, name: result.platform_name },
      // A mock from before envelopes were answered gives none: every data event then keeps the fixture's.
      accountData: accountEventData(result.envelopes ?? []),
    };
  } catch (error) {
    if (isPinwheelApiError(error)) {
      // One secret calls the mock and signs the events, as one API secret does both at Pinwheel: the
      // mock's own would fix this call and make the app refuse every event signed with it.
      const hint =
        error.statusCode === 401
          ? "; the mock and your app need the same API secret (it calls the mock and signs the events): start the mock with the one your app verifies with (pinwheel-cli mock --secret ...) and pass it here too"
          : "";
      throw new CliError(`--sandbox ${baseUrl} refused to create an account (${error.statusCode} ${error.body.code}: ${error.message})${hint}`);
    }
    if (error instanceof ApiTransportError) throw new CliError(`--sandbox ${baseUrl}: ${error.message}; is "pinwheel-cli mock" running there?`);
    throw error;
  } finally {
    await api.close();
  }
}
