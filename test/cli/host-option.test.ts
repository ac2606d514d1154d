/**
 * An empty --host is an unset variable (--host "$HOST"), not a choice: node would bind every
 * interface, putting the receiver, its store and the inspector on the network. In-process: argv checks.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe("an empty --host", () => {
  it("is a usage error for listen and mock, before anything is bound or opened", async () => {
    home = tempHome();
    // --db names a directory: were --host taken, the command would stop there instead (exit 1).
    for (const command of ["listen", "mock"]) {
      for (const host of ["", "  "]) {
        const result = await runInProcess([command, "--port", "0", "--host", host, "--db", home.home], { env: home.env });
        expectExit(result, 2);
        expect(expectOneLineError(result.stderr), `${command} --host "${host}"`).toBe(
          "error: --host is empty (an unset variable?); leave it out to bind 127.0.0.1, or pass 0.0.0.0 to be reachable from the network",
        );
      }
    }
  });
});
