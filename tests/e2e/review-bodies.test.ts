/**
 * Review bodies and experts in Chromium (Step 10): the regulator reads the review bodies; the demo
 * body's admin sees its four experts, registers a fifth through the form (a bad certificate number
 * is refused next to the field first) and imports one more from a CSV with a row error reported.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const SLUG = "chengdu";

describe("review bodies and experts, end to end", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("regulator reads the bodies; the body admin registers and imports experts", { timeout: 120_000 }, async () => {
    const { page, context } = browser;
    await loginAs(page, baseUrl, "regulator@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/${SLUG}/review-bodies`);
    await expect.poll(() => page.getByTestId("review-bodies").textContent()).toContain("四川安泰安全评审咨询有限公司");
    expect(await page.getByTestId("review-body-form").count()).toBe(0);

    await context.clearCookies();
    await loginAs(page, baseUrl, "body-admin@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/${SLUG}/experts`);
    await expect.poll(() => page.locator("[data-testid=experts] tr[data-expert]").count()).toBe(4);
    const form = page.getByTestId("expert-form");
    await form.locator('input[name="name"]').fill("评审专家 孙丽");
    await form.locator('input[name="certificateNo"]').fill("SC PS 9");
    await form.locator('input[name="email"]').fill("sunli@example.com");
    await form.locator('input[name="specialties"][value="machinery"]').check();
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.locator("[data-field-error]").first().textContent()).toContain("证书编号");
    await form.locator('input[name="certificateNo"]').fill("SC-PS-2026-0009");
    await form.locator('input[name="specialties"][value="machinery"]').check();
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator("[data-testid=experts] tr[data-expert]").count(), { timeout: 15_000 }).toBe(5);

    await page.goto(`${baseUrl}/t/${SLUG}/experts/import`);
    const csv = "\uFEFF姓名,评审员证书编号,邮箱,专业领域\r\n评审专家 钱进,SC-PS-2026-0010,qianjin@example.com,商贸\r\n坏行,SC-PS-2026-0011,not-an-email,商贸\r\n";
    await page.locator('input[type="file"]').setInputFiles({ name: "experts.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.locator('input[name="validOnly"]').check();
    await page.getByTestId("import-form").locator('button[type="submit"]').click();
    await expect.poll(() => page.getByTestId("import-errors").textContent(), { timeout: 15_000 }).toContain("3");
    await page.goto(`${baseUrl}/t/${SLUG}/experts`);
    await expect.poll(() => page.locator("[data-testid=experts] tr[data-expert]").count()).toBe(6);
  });
});
