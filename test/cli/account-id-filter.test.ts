/**
 * --account-id given as the 8 characters tables show: the one stored id they begin, or a usage
 * error naming the ids they begin, never an empty result. In-process, on a real SQLite store in a
 * temp folder.
 */
import { describe, expect, it } from "vitest";
import { accountIdFilterOrUsageError } from "../../src/cli/inputs.js";
import { CliError } from "../../src/errors.js";
import { requestStore } from "../../src/store/requests.js";
import { storedRow } from "../helpers/stored-requests.js";
import { tempDatabases } from "../helpers/temp-database.js";

const newDb = tempDatabases("pinwheel-account-filter-");
const WHOLE = "449e7a5c-2f1d-4c5e-9a7b-1d2e3f4a5b6c";

describe("accountIdFilterOrUsageError", () => {
  it("keeps an id that matches, or that nothing begins with; takes the start of one as that id, and names them for the start of several", () => {
    const store = requestStore(newDb());
    store.insert(storedRow("e1", { accountId: WHOLE }));
    store.insert(storedRow("e2", { accountId: "7f00aa11-0000-4000-8000-000000000000" }));
    expect(accountIdFilterOrUsageError(undefined, store)).toBeUndefined();
    expect(accountIdFilterOrUsageError(WHOLE, store)).toBe(WHOLE);
    expect(accountIdFilterOrUsageError("no-such-account", store)).toBe("no-such-account");
    expect(accountIdFilterOrUsageError("449e7a5c", store)).toBe(WHOLE);
    store.insert(storedRow("e3", { accountId: "449e7a5c-ffff-4000-8000-000000000000" }));
    let thrown: unknown;
    try {
      accountIdFilterOrUsageError("449e7a5c", store);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).exitCode).toBe(2);
    expect((thrown as CliError).message).toBe(
      `--account-id 449e7a5c is the start of several stored ids: ${WHOLE}, 449e7a5c-ffff-4000-8000-000000000000; pass more of the one you mean`,
    );
    // A prefix is a range, not a pattern: LIKE's wildcards and case folding do not apply.
    expect(accountIdFilterOrUsageError("449E7A5C", store)).toBe("449E7A5C");
    expect(accountIdFilterOrUsageError("%", store)).toBe("%");
  });
});
