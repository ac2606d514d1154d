/**
 * Running npm from a test (npm pack, install, ci) with no notifier, funding or audit chatter, and
 * telling a registry that cannot be reached (or, offline, a package missing from the cache) apart
 * from a real failure, so a test can skip and say why instead of failing on a network outage.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export const NPM_ENV = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
const UNREACHABLE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|ENOTCACHED/;

/** `npm <args>` in cwd; resolves with the error code when the registry or the cache cannot supply a package, undefined on success; throws on any other failure. */
export async function npmUnlessUnreachable(args: string[], cwd: string): Promise<string | undefined> {
  try {
    await run("npm", args, { cwd, env: NPM_ENV, timeout: 120_000 });
    return undefined;
  } catch (error) {
    const { stderr = "", message } = error as { stderr?: string; message: string };
    const code = UNREACHABLE.exec(stderr)?.[0];
    if (code) return code;
    throw new Error(`npm ${args.join(" ")} failed: ${message}\n${stderr}`);
  }
}
