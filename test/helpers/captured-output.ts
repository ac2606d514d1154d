import { Writable } from "node:stream";
import type { TerminalSettings } from "../../src/config.js";
import { prepareColors } from "../../src/output/colors.js";
import { createOutput, type Output } from "../../src/output/index.js";

export interface CapturedOutput {
  out: Output;
  /** What was printed to stdout, one entry per line. */
  lines(): string[];
}

function collecting(into: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      into.push(chunk.toString("utf8"));
      callback();
    },
  });
}

/** An Output whose stdout a test reads back: without colours, or with chalk's basic colours (`color: true`); `json`: as --json makes it. */
export async function capturedOutput({ color = false, json = false }: { color?: boolean; json?: boolean } = {}): Promise<CapturedOutput> {
  const settings: TerminalSettings = { color, stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, ci: true, debug: false };
  await prepareColors(color);
  const stdout: string[] = [];
  const out = createOutput({ json }, { stdout: collecting(stdout), stderr: collecting([]) }, settings);
  return { out, lines: () => stdout.join("").split("\n").slice(0, -1) };
}
