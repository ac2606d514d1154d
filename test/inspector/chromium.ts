/**
 * Headless Chromium for the inspector's browser tests: Debian's package driven by playwright-core
 * (no browser download). In CI a missing browser is a failure (.ci/run installs it); on a
 * developer's machine the browser tests are skipped with a line saying how to get it.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for this machine's closed network: no background connections, no sandbox as root. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
];

export const chromiumAvailable = existsSync(CHROMIUM_PATH);
const inCi = Boolean(process.env.CI) && process.env.CI !== "false";

/** Skip (locally) only when Chromium is missing and this is not CI. */
export const skipBrowserTests = !chromiumAvailable && !inCi;
if (skipBrowserTests) {
  console.warn(`skipping the inspector's browser tests: no Chromium at ${CHROMIUM_PATH} (install it with: apt-get install chromium)`);
}

export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}; .ci/run installs it with apt-get install chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, timeout: 20_000 });
}
