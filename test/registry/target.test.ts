/** Target resolution and the pre-request checks, in-process (no network: nothing is sent). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PinwheelApiError } from "../../src/api/errors.js";
import { CliError } from "../../src/errors.js";
import { validateCreateBody } from "../../src/registry/validate.js";
import { usableOrUsageError } from "../../src/cli/webhook-input.js";
import { describeApiFailure } from "../../src/cli/webhooks-api.js";
import { resolveTarget } from "../../src/registry/target.js";

const saved = { ...process.env };
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "pinwheel-target-"));
  for (const name of Object.keys(process.env)) if (name.startsWith("PINWHEEL_")) delete process.env[name];
  process.env.PINWHEEL_HOME = home;
});
afterAll(() => {
  process.env = saved;
  rmSync(home, { recursive: true, force: true });
});

function precheck(url: string, allowLoopbackHttp: boolean): unknown {
  const body = { url, status: "active", enabled_events: ["income.added"], version: "2025-07-08" };
  try {
    return usableOrUsageError(validateCreateBody(body, { allowLoopbackHttp }), body);
  } catch (error) {
    return error;
  }
}

describe("which URLs a target accepts", () => {
  it("local (the default) accepts http://localhost and http://127.0.0.1", () => {
    const target = resolveTarget({ timeout: 1000 });
    expect(target).toMatchObject({ kind: "local", environment: "local", allowLoopbackHttp: true, apiVersion: "2025-07-08" });
    expect(precheck("http://localhost:3000/hook", target.allowLoopbackHttp)).toMatchObject({ url: "http://localhost:3000/hook" });
  });

  it("a Pinwheel environment wants https://, and says http://localhost is for local only", () => {
    const target = resolveTarget({ env: "sandbox", secret: "a-secret", timeout: 1000 });
    expect(target).toMatchObject({ kind: "http", baseUrl: "https://sandbox.getpinwheel.com", allowLoopbackHttp: false });
    const error = precheck("http://127.0.0.1:3000/hook", target.allowLoopbackHttp);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toMatch(/^--url: must start with https:\/\/.*accepted only by the local registry/);
    expect(precheck("https://example.com/hook", target.allowLoopbackHttp)).toMatchObject({ url: "https://example.com/hook" });
  });

  it("a base URL on this machine is treated as a local stand-in, another one is not", () => {
    expect(resolveTarget({ baseUrl: "http://127.0.0.1:4010", timeout: 1 }).allowLoopbackHttp).toBe(true);
    expect(resolveTarget({ baseUrl: "https://pinwheel-proxy.example.com", timeout: 1 }).allowLoopbackHttp).toBe(false);
  });
});

describe("API failures", () => {
  it("never repeat the secret, even when the API echoes it", () => {
    const target = resolveTarget({ baseUrl: "http://127.0.0.1:4010", secret: "echoed-secret-value", timeout: 1 });
    const error = describeApiFailure(
      new PinwheelApiError({ type: "UNKNOWN_ERROR", code: "boom", message: "failed for key echoed-secret-value", status_code: 500 }),
      target,
      1,
    );
    expect((error as Error).message).toBe("http://127.0.0.1:4010 answered 500 UNKNOWN_ERROR (boom): failed for key [secret]");
  });
});
