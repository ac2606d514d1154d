/**
 * listen's cap on a request's body, through the BUILT binary: a genuine event over it is stored
 * cut short, answered 413 (which Pinwheel never retries) and named once on stderr with the flag
 * that raises the cap; under a raised cap the same event is verified and stored whole.
 */
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { buildEvent } from "../../../src/events/build.js";
import { signedHeaders } from "../../../src/signing.js";
import { runCli, startListen, tempHome, type Listener, type TempHome } from "../../helpers/cli.js";

const SECRET = "listen-body-size-secret";

let home: TempHome | undefined;
let listener: Listener | undefined;
afterEach(async () => {
  await listener?.stop("SIGKILL");
  listener = undefined;
  home?.cleanup();
  home = undefined;
});

/** A genuine shifts.added of about 2.3 MiB: a batch of 50,000 shift ids. */
function largeEvent(): string {
  const event = buildEvent("shifts.added");
  const payload = event.payload as { added: { id: string }[]; params: { count: number } };
  payload.added = Array.from({ length: 50_000 }, () => ({ id: crypto.randomUUID() }));
  payload.params = { ...payload.params, count: payload.added.length };
  return JSON.stringify(event);
}

async function send(url: string, body: string): Promise<number> {
  const response = await request(url, { method: "POST", headers: { ...signedHeaders(SECRET, body), "content-type": "application/json" }, body });
  await response.body.dump();
  return response.statusCode;
}

async function storedRows(env: NodeJS.ProcessEnv): Promise<{ status_code: number; verification: string; body_size: number; rejection: string | null }[]> {
  return JSON.parse((await runCli(["events", "list", "--json"], { env })).stdout) as never;
}

describe("listen --max-body-mb", () => {
  it("refuses a genuine event over the default 1 MiB with 413, stores it, and names the flag once", async () => {
    home = tempHome();
    listener = await startListen(["--secret", SECRET], home.env);
    const body = largeEvent();
    expect(Buffer.byteLength(body)).toBeGreaterThan(2 * 1024 * 1024);
    expect(await send(listener.url, body)).toBe(413);
    expect(await send(listener.url, body)).toBe(413);
    const { stderr } = await listener.stop("SIGTERM");
    const warnings = stderr.split("\n").filter((line) => line.includes("--max-body-mb"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/over --max-body-mb 1: it was stored cut short and answered 413, which Pinwheel never retries/);
    const rows = await storedRows(home.env);
    const tooLarge = [413, "the body is larger than 1048576 bytes", Buffer.byteLength(body)];
    expect(rows.map((row) => [row.status_code, row.rejection, row.body_size])).toEqual([tooLarge, tooLarge]);
  });

  it("verifies and stores the same event whole under a raised cap", async () => {
    home = tempHome();
    listener = await startListen(["--secret", SECRET, "--max-body-mb", "3"], home.env);
    const body = largeEvent();
    expect(await send(listener.url, body)).toBe(200);
    const { stderr } = await listener.stop("SIGTERM");
    expect(stderr).not.toContain("--max-body-mb");
    const [row] = await storedRows(home.env);
    expect(row).toMatchObject({ status_code: 200, verification: "verified", body_size: Buffer.byteLength(body), rejection: null });
  });

  it("refuses a cap that is no whole number of MiB from 1 to 1024 as a usage error", async () => {
    home = tempHome();
    const result = await runCli(["listen", "--max-body-mb", "0.5"], { env: home.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--max-body-mb <n>.*expected a whole number from 1 to 1024/);
  });
});
