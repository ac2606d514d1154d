/**
 * The inspector page's address and its bounds, in headless Chromium against the BUILT
 * `pinwheel-cli listen` (npm run build first): the filters and the request opened live in the
 * address (reload, a copied link, Back and Forward), never the token; "Load older" stops at the
 * rows the page holds and says so.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { signedHeaders } from "../../src/signing.js";
import { openDatabase } from "../../src/store/database.js";
import { startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";
import { openInspectorPage, skipBrowserTests, useChromium } from "./chromium.js";
import { seedRequests } from "./seed.js";

const SECRET = "inspector-address-secret";

const browser = useChromium();

async function sendRaw(url: string, body: string, secret = SECRET): Promise<number> {
  const headers = signedHeaders(secret, body, { webhookId: "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f" });
  const response = await request(url, { method: "POST", headers, body });
  await response.body.text();
  return response.statusCode;
}

describe.skipIf(skipBrowserTests)("the inspector's address and bounds in Chromium", () => {
  let home: TempHome | undefined;
  let listener: Listener | undefined;
  const contexts: BrowserContext[] = [];
  let problems: string[] = [];

  /** A fresh browser context, failing the test on page errors, dialogs and console errors. */
  async function openPage(url: string): Promise<Page> {
    const { context, page } = await openInspectorPage(browser(), url, problems);
    contexts.push(context);
    return page;
  }

  const rowIds = (page: Page) => page.evaluate(`[...document.querySelectorAll("#rows tr")].map((row) => row.getAttribute("data-id"))`) as Promise<string[]>;
  const filters = async (page: Page) => ({
    event: await page.locator("#filter-event").inputValue(),
    verdict: await page.locator("#filter-verdict").inputValue(),
    text: await page.locator("#filter-text").inputValue(),
  });
  const detailId = (page: Page) => page.locator("#detail").textContent();

  /** A listen of its own, with its own store: each test's request ids start at 1. */
  async function listen(args: string[] = []): Promise<Listener> {
    home = tempHome();
    listener = await startListen(["--secret", SECRET, ...args], home.env, 40_000);
    return listener;
  }

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await listener?.stop();
    listener = undefined;
    home?.cleanup();
    home = undefined;
    expect(problems, problems.join("\n")).toEqual([]);
    problems = [];
  });

  it("keeps the filters and the request opened in the address: reload, a copied link, Back and Forward; never the token", async () => {
    listener = await listen();
    const ids: Record<string, number> = {};
    const send = async (name: "income.added" | "paystubs.added", eventId: string, secret = SECRET) => {
      await sendRaw(listener!.url, JSON.stringify(buildEvent(name, { eventId, accountId: "acct-address-0001" })), secret);
      const line = (await listener!.waitFor((line) => (line as { event_id?: string }).event_id === eventId)) as { id: number };
      ids[eventId] = line.id;
    };
    await send("income.added", "1a000000-0000-4000-8000-000000000001");
    await send("income.added", "1a000000-0000-4000-8000-000000000002", "someone-elses-secret");
    await send("income.added", "1b000000-0000-4000-8000-000000000003", "someone-elses-secret");
    await send("paystubs.added", "1a000000-0000-4000-8000-000000000004", "someone-elses-secret");
    const wanted = ids["1a000000-0000-4000-8000-000000000002"]!;

    const page = await openPage(listener.ready.inspector_url as string);
    const token = await page.locator('meta[name="pinwheel-inspector-token"]').getAttribute("content");
    expect(token).toMatch(/.{16,}/);
    await page.locator("#filter-event").selectOption("income.added");
    await page.locator("#filter-verdict").selectOption("failed");
    await page.locator("#filter-text").fill("1a000000");
    await expect.poll(() => rowIds(page)).toEqual([String(wanted)]);
    await expect.poll(() => new URL(page.url()).hash).toBe("#/?event=income.added&verdict=failed&q=1a000000");
    const historyBefore = (await page.evaluate("history.length")) as number;

    // Opening a request adds a step to the history; filtering did not.
    await page.locator(`#rows tr[data-id="${wanted}"]`).click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/requests/${wanted}?event=income.added&verdict=failed&q=1a000000`);
    await expect.poll(() => detailId(page)).toContain("1a000000-0000-4000-8000-000000000002");
    expect(await page.evaluate("history.length")).toBe(historyBefore + 1);
    const link = page.url();
    expect(link).not.toContain(token!);
    expect(decodeURIComponent(link)).not.toContain(token!);

    // Reload: the same filters, the same rows, the same request.
    await page.reload();
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
    expect(await filters(page)).toEqual({ event: "income.added", verdict: "failed", text: "1a000000" });
    await expect.poll(() => rowIds(page)).toEqual([String(wanted)]);
    await expect.poll(() => detailId(page)).toContain("1a000000-0000-4000-8000-000000000002");
    await expect.poll(() => page.locator(`#rows tr[data-id="${wanted}"]`).getAttribute("class")).toContain("selected");

    // A colleague opening the copied link sees the same.
    const colleague = await openPage(link);
    expect(await filters(colleague)).toEqual({ event: "income.added", verdict: "failed", text: "1a000000" });
    await expect.poll(() => rowIds(colleague)).toEqual([String(wanted)]);
    await expect.poll(() => detailId(colleague)).toContain("1a000000-0000-4000-8000-000000000002");

    // Back closes the request and keeps the filters; Forward opens it again.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).hash).toBe("#/?event=income.added&verdict=failed&q=1a000000");
    await expect.poll(() => detailId(page)).toContain("Select a request");
    expect(await filters(page)).toEqual({ event: "income.added", verdict: "failed", text: "1a000000" });
    expect(await rowIds(page)).toEqual([String(wanted)]);
    await page.goForward();
    await expect.poll(() => detailId(page)).toContain("1a000000-0000-4000-8000-000000000002");
    expect(await filters(page)).toEqual({ event: "income.added", verdict: "failed", text: "1a000000" });

    // Clearing the filters clears them from the address too.
    await page.locator("#filter-verdict").selectOption("");
    await page.locator("#filter-event").selectOption("");
    await page.locator("#filter-text").fill("");
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/requests/${wanted}`);
    await expect.poll(() => rowIds(page)).toHaveLength(4);

    // Moving to the next request by arrow key rewrites the address instead of adding a step to Back.
    const steps = (await page.evaluate("history.length")) as number;
    await page.locator(`#rows tr[data-id="${wanted}"]`).focus();
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/requests/${wanted - 1}`);
    await expect.poll(() => detailId(page)).toContain("1a000000-0000-4000-8000-000000000001");
    expect(await page.evaluate("history.length")).toBe(steps);
  }, 120_000);

  it("ignores unknown or invalid values in the address, without an error", async () => {
    listener = await listen();
    expect(await sendRaw(listener.url, JSON.stringify(buildEvent("income.added", { eventId: "2a000000-0000-4000-8000-000000000001" })))).toBe(200);
    const { id } = (await listener.waitFor((line) => (line as { type?: string }).type === "request")) as { id: number };
    const page = await openPage(`${listener.ready.inspector_url as string}#/requests/abc?event=no.such_event&verdict=bogus&q=${"x".repeat(300)}&token=leak&zzz=1`);
    expect(await filters(page)).toEqual({ event: "", verdict: "", text: "" });
    await expect.poll(() => rowIds(page)).toHaveLength(1);
    expect(await page.locator("#list-status").textContent()).toBe("1 shown");
    expect(await detailId(page)).toContain("Select a request");
    // What was ignored leaves the address.
    await expect.poll(() => new URL(page.url()).hash).toBe("");
    // A valid verdict beside an invalid event is kept; the old form #/requests/<id> still opens a request.
    const kept = await openPage(`${listener.ready.inspector_url as string}#/requests/${id}?verdict=verified&event=%E0%A4%A`);
    expect(await filters(kept)).toEqual({ event: "", verdict: "verified", text: "" });
    await expect.poll(() => detailId(kept)).toContain("2a000000-0000-4000-8000-000000000001");
    await expect.poll(() => new URL(kept.url()).hash).toBe(`#/requests/${id}?verdict=verified`);
  }, 120_000);

  it("loads older rows up to the rows the page holds, then says so; live rows shed from the bottom are counted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinwheel-inspector-cap-"));
    try {
      const dbPath = join(dir, "events.db");
      const db = openDatabase(dbPath);
      seedRequests(db, 1_100);
      db.close();
      listener = await listen(["--db", dbPath]);
      const page = await openPage(listener.ready.inspector_url as string);
      await expect.poll(() => page.locator("#rows tr").count()).toBe(50);
      const older = page.locator("#load-older");
      for (let clicks = 0; clicks < 30; clicks++) {
        if (!(await older.isVisible()) || (await older.isDisabled())) break;
        const before = await page.locator("#rows tr").count();
        await older.click();
        await expect.poll(() => page.locator("#rows tr").count()).toBeGreaterThan(before);
      }
      expect(await page.locator("#rows tr").count()).toBe(1_000);
      const ids = (await rowIds(page)).map(Number);
      expect(ids[0]).toBe(1_100);
      expect(ids.at(-1)).toBe(101);
      expect(await older.isDisabled()).toBe(true);
      await expect.poll(() => page.locator("#list-status").textContent()).toBe(
        "1,000 shown, the most this page holds; older requests are stored: filter or search to reach them",
      );

      // A live row at the bound: shown on top, the oldest row leaves the page, and the page says so.
      expect(await sendRaw(listener.url, JSON.stringify(buildEvent("income.added", { eventId: "3a000000-0000-4000-8000-000000000001" })))).toBe(200);
      await page.locator('#rows tr[data-id="1101"]').waitFor({ timeout: 10_000 });
      expect(await page.locator("#rows tr").count()).toBe(1_000);
      expect((await rowIds(page)).at(-1)).toBe("102");
      await expect.poll(() => page.locator("#list-status").textContent()).toBe(
        "1,000 shown, the most this page holds (1 older row left the page as a new one came); older requests are stored: filter or search to reach them",
      );
    } finally {
      await listener?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
