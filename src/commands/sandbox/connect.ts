import { CliError } from "../../errors.js";
import { createOutput } from "../../output/index.js";
import { printConnectResult } from "../../output/sandbox.js";
import { jobOutcomes } from "../../sandbox/outcomes.js";
import { resolveSandboxTarget, withSandbox, type SandboxTargetOptions } from "../../cli/sandbox-target.js";
import { failureHint } from "../../cli/delivery-run.js";

export interface SandboxConnectOptions extends SandboxTargetOptions {
  platform?: string;
  endUserId?: string;
  jobs?: string[];
  seed?: number;
  fail?: string[];
  pending?: string[];
}

export async function run(options: SandboxConnectOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const target = resolveSandboxTarget(options);
  const result = await withSandbox(
    out,
    target,
    options.timeout,
    (api) => api.connect({ platform: options.platform, endUserId: options.endUserId, jobs: options.jobs, seed: options.seed, outcomes: jobOutcomes(options) }),
    { createsStore: true },
  );
  printConnectResult(out, result);
  const failed = result.deliveries.filter((delivery) => !delivery.ok);
  const [first] = failed;
  if (first) {
    // The usual cause, worded as simulate words it: what to do, not only what happened.
    const hint = failureHint({ url: first.url, error: first.error ?? undefined, statusCode: first.status_code ?? undefined }, "events");
    throw new CliError(
      `${failed.length} of ${result.deliveries.length} deliveries failed (first: ${first.event} to ${first.url}: ${first.status_code ?? first.error})${hint}; the account was created all the same`,
    );
  }
}
