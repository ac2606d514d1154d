/**
 * Headless Chromium for the inspector's browser tests: Debian's package driven by playwright-core
 * (no browser download). In CI a missing browser is a failure (.ci/run installs it); on a
 * developer's machine the browser tests are skipped with a line saying how to get it.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

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

/** One Chromium for the calling test file: launched before its tests (unless they are skipped), closed after. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!skipBrowserTests) browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("Chromium is not running: useChromium() launches it before the file's tests");
    return browser;
  };
}

/**
 * The inspector opened in a fresh browser context, once its live stream is up. Page errors,
 * dialogs, console errors and failed requests go to `problems`, which a test expects empty.
 */
export async function openInspectorPage(
  browser: Browser,
  url: string,
  problems: string[],
  viewport = { width: 1360, height: 860 },
  colorScheme: "light" | "dark" = "light",
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  // Names the resource a console error does not (a reload or a closed page aborts what it had open).
  page.on("requestfailed", (failed) => {
    const reason = failed.failure()?.errorText ?? "";
    if (reason !== "net::ERR_ABORTED") problems.push(`request failed: ${failed.method()} ${new URL(failed.url()).pathname} ${reason}`);
  });
  await page.goto(url);
  await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
  return { context, page };
}
