/**
 * The self-assessment on a phone (390 × 844): the first screen is a question, not the element
 * menu; the score stays on screen (sticky) while the person scrolls down and answers; from the lg
 * breakpoint up the phone bar is not shown. Uses a tenant of its own (starts a draft).
 */
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";
import { createOwnEnterpriseAdmin, OWN_PASSWORD } from "./own-enterprise";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const PHONE = { width: 390, height: 844 };

async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const size = page.viewportSize();
  if (!box || !size) return false;
  return box.y >= 0 && box.y + box.height <= size.height && box.x >= 0 && box.x + box.width <= size.width;
}

describe("self-assessment on a phone", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("shows the question first and keeps the score visible while answering further down", async () => {
    const { page } = browser;
    await page.setViewportSize(PHONE);
    const own = await createOwnEnterpriseAdmin(databaseUri);
    await loginAs(page, baseUrl, own.email, OWN_PASSWORD, own.slug);
    await page.goto(`${baseUrl}/t/${own.slug}/assessments`);
    await Promise.all([
      page.waitForURL(/\/assessments\/[0-9a-f]{24}\/E1$/),
      page.getByTestId("start-form").locator('button[type="submit"]').click(),
    ]);
    await expect.poll(() => page.getByTestId("save-status").getAttribute("data-status")).toBe("saved");

    // First screen: the first question is on it; the element menu is not (it comes after the questions).
    const firstItem = page.locator("[data-item]").first();
    expect(await inViewport(page, firstItem.locator('input[value="full"]'))).toBe(true);
    expect(await inViewport(page, page.locator("#element-nav"))).toBe(false);
    const score = page.getByTestId("phone-score");
    expect(await inViewport(page, score)).toBe(true);
    expect(await page.getByTestId("phone-live-score").textContent()).toBe("0.0");

    // Scroll far down to the last item of the element and answer it: the score is still on screen and updates.
    const lastItem = page.locator("[data-item]").last();
    const full = lastItem.locator('input[value="full"]');
    await full.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(PHONE.height);
    await full.check();
    expect(await inViewport(page, score)).toBe(true);
    await expect.poll(() => page.getByTestId("phone-live-score").textContent()).not.toBe("0.0");
    expect(await page.getByTestId("phone-live-score").textContent()).toBe(await page.getByTestId("live-score").textContent());

    // The element list is reachable from the bar.
    await score.getByRole("link").click();
    await expect.poll(() => inViewport(page, page.locator("#element-nav [data-element-link]").first())).toBe(true);

    // Wide screens keep the side panel; the phone bar is hidden.
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await score.isVisible()).toBe(false);
    expect(await page.getByTestId("live-score").isVisible()).toBe(true);
  });
});
