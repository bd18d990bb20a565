import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");

/**
 * The regulator opens the dashboard from the home page, filters it to one industry, follows a
 * district bar to the enterprise list behind it, and downloads that table as CSV. Reads the demo
 * seed only (成都锦程精密机械有限公司: machinery, 龙泉驿区); changes nothing.
 */
describe("regulator dashboard", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("filter → chart link → filtered list; CSV download with the same numbers", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await loginAs(page, baseUrl, "regulator@demo.safegrade.cn");
    await Promise.all([page.waitForURL(/\/t\/chengdu\/dashboard$/), page.getByTestId("home-dashboard").click()]);
    await expect.poll(() => page.getByTestId("as-of").textContent()).toMatch(/数据截至/);
    expect(await page.getByTestId("chart-districts").locator("title").first().textContent()).toBe("按区县统计");

    // Recount now, so the figures include whatever other tests changed before this one.
    await page.getByTestId("refresh").click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("已重新统计");

    // Filter to one industry (the form writes the URL).
    await page.locator('select[name="industry"]').selectOption("machinery");
    await Promise.all([page.waitForURL(/industry=machinery/), page.getByTestId("apply-filters").click()]);
    // The page has rendered the filtered data once its export link carries the filter.
    const csvLink = page.locator('[data-panel="districts"] [data-export="districts-csv"]');
    await expect.poll(() => csvLink.getAttribute("href"), { timeout: 10_000 }).toContain("industry=machinery");
    const bar = page.getByTestId("chart-districts").locator('a[data-label^="龙泉驿区"]');
    const label = (await bar.getAttribute("data-label")) ?? "";
    const shown = Number(label.split(":").pop()?.trim());
    expect(shown).toBeGreaterThanOrEqual(1);

    // CSV of that table, with the filter applied.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      csvLink.click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("区县,企业数,持证企业,新增达标,首次定级,复评/延期,年度目标");
    const row = lines.find((l) => l.startsWith("龙泉驿区,"));
    expect(row?.split(",")[1]).toBe(String(shown));

    // Follow the bar to the enterprise list behind it.
    await Promise.all([page.waitForURL(/\/t\/chengdu\/enterprises\?/), bar.locator("text").first().click()]);
    const url = new URL(page.url());
    expect(url.searchParams.get("district")).toBe("510112");
    expect(url.searchParams.get("industry")).toBe("machinery");
    const table = page.getByTestId("enterprise-table");
    expect(await table.textContent()).toContain("成都锦程精密机械有限公司");
    expect(await table.locator("tbody tr").count()).toBe(shown);
  });
});
