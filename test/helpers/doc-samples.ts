/**
 * The sample webhook events of Pinwheel's docs (../shared/pinwheel/docs/), kept verbatim in
 * test/events/doc-samples.txt so that a clean clone runs them without the docs, and repaired as
 * FACTS.md says (trailing commas, the legacy sample's unquoted `amount` key) before parsing.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./cli.js";

export const DOC_SAMPLES_FILE = join(REPO_ROOT, "test", "events", "doc-samples.txt");
const SEPARATOR = "\n--- ";

export interface DocSample {
  /** e.g. "002 #7 direct_deposit_switch.added" */
  source: string;
  /** The text as the docs print it, possibly invalid JSON. */
  text: string;
}

/** Every top-level `{...}` block of a docs page that carries an event_id: its sample events. */
export function extractSamples(page: string, pageId: string): DocSample[] {
  const samples: DocSample[] = [];
  const lines = page.split("\n");
  for (let start = 0; start < lines.length; start++) {
    if (lines[start] !== "{") continue;
    let depth = 0;
    let end = start;
    for (; end < lines.length; end++) {
      for (const char of lines[end]!) depth += char === "{" ? 1 : char === "}" ? -1 : 0;
      if (depth === 0) break;
    }
    const text = lines.slice(start, end + 1).join("\n");
    const name = /"event":\s*"([^"]+)"/.exec(text)?.[1];
    // docs/002's request example elides its payload with "...": it shows headers, not a payload.
    const elided = /^\s*\.\.\.\s*$/m.test(text);
    if (name !== undefined && text.includes('"event_id"') && !elided) samples.push({ source: `${pageId} #${samples.length + 1} ${name}`, text });
    start = end;
  }
  return samples;
}

/** Where the docs are when this checkout sits beside the workplace's shared/ folder. */
export function findDocsDir(): string | undefined {
  return [join(REPO_ROOT, "..", "shared", "pinwheel", "docs"), join(REPO_ROOT, "..", "..", "shared", "pinwheel", "docs")].find((dir) => existsSync(dir));
}

export function samplesFromDocs(dir: string): DocSample[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".txt"))
    .sort()
    .flatMap((file) => extractSamples(readFileSync(join(dir, file), "utf8"), file.slice(0, 3)));
}

export function serializeSamples(samples: DocSample[]): string {
  return samples.map((sample) => `--- ${sample.source}\n${sample.text}`).join("\n") + "\n";
}

export function committedSamples(): DocSample[] {
  const text = readFileSync(DOC_SAMPLES_FILE, "utf8");
  return ("\n" + text.trimEnd()).split(SEPARATOR).slice(1).map((chunk) => {
    const newline = chunk.indexOf("\n");
    return { source: chunk.slice(0, newline), text: chunk.slice(newline + 1) };
  });
}

/** FACTS.md: "trailing commas in params ..., and amount: 5400 with an unquoted key". */
export function repairSample(text: string): string {
  return text.replace(/,(\s*[}\]])/g, "$1").replace(/^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*):/gm, '$1"$2"$3:');
}
