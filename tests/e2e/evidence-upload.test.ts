/**
 * Evidence upload notes: a refused file's error disappears once a later upload succeeds (issue 17:
 * the stale error stayed beside the success). Uses a tenant of its own (starts a draft).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SAMPLES } from "../evidence-samples";
import { loginAs, openBrowser, type BrowserSession } from "./browser";
import { createOwnEnterpriseAdmin, OWN_PASSWORD } from "./own-enterprise";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");

describe("evidence upload notes", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("a later successful upload removes the error of an earlier refused file", async () => {
    const { page } = browser;
    const own = await createOwnEnterpriseAdmin(databaseUri);
    await loginAs(page, baseUrl, own.email, OWN_PASSWORD, own.slug);
    await page.goto(`${baseUrl}/t/${own.slug}/assessments`);
    await Promise.all([
      page.waitForURL(/\/assessments\/[0-9a-f]{24}\/E1$/),
      page.getByTestId("start-form").locator('button[type="submit"]').click(),
    ]);
    await page.waitForLoadState("networkidle");
    const item = page.locator("[data-item]").first();
    const input = item.locator('input[type="file"]');
    const errors = item.locator("[data-evidence-error]");

    // An executable named .pdf: refused in the browser, with an error.
    await input.setInputFiles({ name: "制度.pdf", mimeType: "application/pdf", buffer: SAMPLES.exe });
    await expect.poll(() => errors.count(), { timeout: 10_000 }).toBe(1);

    // A real PDF: uploaded; the stale error is gone, the success is said.
    await input.setInputFiles({ name: "目标管理制度.pdf", mimeType: "application/pdf", buffer: SAMPLES.pdf });
    await expect.poll(() => item.getByRole("status").filter({ hasText: "目标管理制度.pdf" }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await errors.count()).toBe(0);
  });
});
