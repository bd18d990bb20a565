/**
 * axe-core on the key pages of every role, in Chinese and in English: no critical and no serious
 * violation. Demo-tenant pages are only read; the self-assessment pages use a tenant of their own
 * (a draft started here must not change what the other e2e files find in the demo tenant).
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { blockingViolations, describeViolations } from "./axe";
import { loginAs, openBrowser, type BrowserSession } from "./browser";
import { createOwnEnterpriseAdmin, OWN_PASSWORD } from "./own-enterprise";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const SLUG = "chengdu";
const LOCALES = ["zh-CN", "en"] as const;

/** The app's locale cookie (an unsigned Remix cookie: base64 of the JSON value). */
async function chooseLocale(browser: BrowserSession, locale: string): Promise<void> {
  const value = Buffer.from(JSON.stringify(locale)).toString("base64");
  await browser.context.addCookies([{ name: "sg_lang", value, url: baseUrl }]);
}

/** The href of the first link matching the selector on the current page. */
async function firstHref(page: Page, selector: string): Promise<string> {
  const link = page.locator(selector).first();
  await expect.poll(() => link.count(), { message: `no link ${selector} on ${page.url()}` }).toBeGreaterThan(0);
  const href = await link.getAttribute("href");
  if (!href) throw new Error(`link ${selector} has no href`);
  return href;
}

/** Visits each path in both languages and collects every blocking violation into one report. */
async function auditPaths(browser: BrowserSession, paths: string[]): Promise<string> {
  const reports: string[] = [];
  for (const locale of LOCALES) {
    await chooseLocale(browser, locale);
    for (const p of paths) {
      const response = await browser.page.goto(`${baseUrl}${p}`);
      expect(response?.status(), p).toBeLessThan(400);
      const violations = await blockingViolations(browser.page);
      if (violations.length > 0) reports.push(describeViolations(`${locale} ${p}`, violations));
    }
  }
  return reports.join("\n");
}

describe("accessibility (axe-core): 0 critical and 0 serious violations on key pages", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await chooseLocale(browser, "zh-CN");
    await browser.close();
  });

  async function as(email: string, password?: string, slug = SLUG): Promise<Page> {
    await browser.context.clearCookies();
    await loginAs(browser.page, baseUrl, email, password, slug);
    return browser.page;
  }

  it("public pages: verify, registry, notices", async () => {
    await browser.context.clearCookies();
    expect(await auditPaths(browser, ["/verify", `/t/${SLUG}/registry`, `/t/${SLUG}/notices`])).toBe("");
  });

  it("enterprise: home, self-assessment element page, summary", async () => {
    const own = await createOwnEnterpriseAdmin(databaseUri);
    const page = await as(own.email, OWN_PASSWORD, own.slug);
    await page.goto(`${baseUrl}/t/${own.slug}/assessments`);
    const form = page.getByTestId("start-form");
    await Promise.all([page.waitForURL(/\/assessments\/[0-9a-f]{24}\/E1$/), form.locator('button[type="submit"]').click()]);
    const elementPath = new URL(page.url()).pathname;
    // One answer with a deduction shown, so the rule inputs are on the page too.
    await page.locator('[data-item] input[value="partial"]').first().check();
    await expect.poll(() => page.getByTestId("save-status").getAttribute("data-status"), { timeout: 10_000 }).toMatch(/^(saved|incomplete)$/);
    const summaryPath = elementPath.replace(/\/E1$/, "/summary");
    expect(await auditPaths(browser, [`/t/${own.slug}`, elementPath, summaryPath])).toBe("");
  });

  it("enterprise: application page (a certified demo enterprise)", async () => {
    const page = await as("chem-admin@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/${SLUG}/applications`);
    const application = await firstHref(page, `a[href^="/t/${SLUG}/applications/"]`);
    expect(await auditPaths(browser, [`/t/${SLUG}/applications`, application])).toBe("");
  });

  it("regulator: home, applications, application detail, dashboard, credit list", async () => {
    const page = await as("regulator@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/${SLUG}/applications?queue=done`);
    const application = await firstHref(page, `a[href^="/t/${SLUG}/applications/"]`);
    expect(
      await auditPaths(browser, [`/t/${SLUG}`, `/t/${SLUG}/applications?queue=done`, application, `/t/${SLUG}/dashboard`, `/t/${SLUG}/credit`]),
    ).toBe("");
  });

  it("reviewer: review page", async () => {
    const page = await as("reviewer@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/${SLUG}/reviews`);
    const review = await firstHref(page, `a[href^="/t/${SLUG}/reviews/"]`);
    expect(await auditPaths(browser, [`/t/${SLUG}/reviews`, review])).toBe("");
  });

  it("tenant admin: users, rubrics, a weight profile", async () => {
    const page = await as("admin@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/${SLUG}/rubrics`);
    const rubric = await firstHref(page, `a[href^="/t/${SLUG}/rubrics/"]`);
    await page.goto(`${baseUrl}/t/${SLUG}/weights`);
    const weights = await firstHref(page, `a[href^="/t/${SLUG}/weights/"]`);
    expect(await auditPaths(browser, [`/t/${SLUG}/admin/users`, `/t/${SLUG}/rubrics`, rubric, weights])).toBe("");
  });
});
