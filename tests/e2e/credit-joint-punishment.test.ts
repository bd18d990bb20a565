import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import { TEST_NOW_HEADER } from "~/clock.server";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const SLUG = "chengdu";
/** Seeded for this flow: certified (三级), not used by any other e2e test. */
const NAME = "成都龙泉危化品经营有限公司";
const CODE = "91510112MA6AQ8TK57";
const ENTERPRISE = "hazchem-admin@demo.safegrade.cn";
const REGULATOR = "regulator@demo.safegrade.cn";

const recordState = (page: Page) => page.getByTestId("credit-record").getAttribute("data-state");

async function switchUser(browser: BrowserSession, email: string): Promise<void> {
  await browser.context.clearCookies();
  await loginAs(browser.page, baseUrl, email);
}

/** Public registry search (no login); returns the subject names shown. */
async function publicSearch(page: Page, path: string, q: string): Promise<string[]> {
  await page.goto(`${baseUrl}${path}?q=${encodeURIComponent(q)}`);
  const table = page.getByTestId("credit-registry-table");
  const empty = page.getByTestId("credit-registry-empty");
  await expect.poll(async () => (await table.isVisible()) || (await empty.isVisible())).toBe(true);
  if (await empty.isVisible()) return [];
  return table.locator("tbody tr td:first-child").allTextContents();
}

/**
 * Joint punishment end to end (issue 7): the regulator lists a certified enterprise → the public
 * finds it → the certificate is REVOKED (default effect) on the public verification page → submission is refused →
 * 12 months later (moved clock) the enterprise applies for credit repair, the regulator grants it →
 * the record leaves the public registry (and stays in the regulator's archive).
 */
describe("credit list: listing, joint punishment and credit repair", () => {
  let browser: BrowserSession;
  let visitor: BrowserSession;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    browser = await openBrowser();
    visitor = await openBrowser();
    for (const p of [browser.page, visitor.page]) p.on("pageerror", (e) => pageErrors.push(String(e)));
  });
  afterAll(async () => {
    await browser.close();
    await visitor.close();
  });

  it("lists, revokes, blocks submission, and lifts the listing after repair", { timeout: 240_000 }, async () => {
    const { page, context } = browser;

    // --- Before: the enterprise starts this year's self-assessment (a draft application).
    await switchUser(browser, ENTERPRISE);
    await page.goto(`${baseUrl}/t/${SLUG}/assessments`);
    const startForm = page.getByTestId("start-form");
    await expect.poll(() => startForm.isVisible()).toBe(true);
    await Promise.all([
      page.waitForURL(/\/assessments\/[0-9a-f]{24}\/[^/]+$/),
      startForm.locator('button[type="submit"]').click(),
    ]);
    const applicationId = /\/assessments\/([0-9a-f]{24})\//.exec(page.url())?.[1] ?? "";
    expect(applicationId).toMatch(/^[0-9a-f]{24}$/);

    // Its certificate and the public verification link.
    await page.goto(`${baseUrl}/t/${SLUG}/certificates`);
    const certRow = page.getByTestId("certificate-table").locator("tr", { hasText: NAME });
    await Promise.all([page.waitForURL(/\/certificates\/[0-9a-f]{24}$/), certRow.getByRole("link").first().click()]);
    const verifyPath = (await page.getByTestId("certificate-verify-link").getAttribute("href")) ?? "";
    expect(verifyPath).toMatch(/^\/verify\//);
    await visitor.page.goto(`${baseUrl}${verifyPath}`);
    expect(await visitor.page.getByTestId("verify-state").getAttribute("data-state")).toBe("VALID");
    // Not listed yet: the public registry does not know the company.
    expect(await publicSearch(visitor.page, "/credit-registry", "龙泉危化")).toEqual([]);

    // --- The regulator records, notifies, decides and publishes.
    await switchUser(browser, REGULATOR);
    await page.goto(`${baseUrl}/t/${SLUG}/credit/new`);
    const form = page.getByTestId("credit-draft-form");
    await form.getByLabel("主体名称").fill(NAME);
    await form.getByLabel("统一社会信用代码").fill(CODE);
    await form.getByLabel("列入情形").selectOption("c2023_no_licence");
    await form.getByLabel("负责人（法定代表人）").fill("孙志刚");
    await form.getByLabel("负责人身份证号码").fill("510112197805061234");
    await form.getByLabel("行政处罚决定书文号").fill("成应急罚〔2026〕88号");
    await form.getByLabel("作出决定的机关").fill("成都市应急管理局");
    await form.getByLabel("失信事实").fill("危险化学品经营许可证被吊销后仍从事经营活动。");
    await form.getByLabel("列入依据").fill("《安全生产严重失信主体名单管理办法》第七条第六项");
    await Promise.all([page.waitForURL(/\/credit\/[0-9a-f]{24}$/), page.getByTestId("credit-draft-submit").click()]);
    const recordPath = new URL(page.url()).pathname;
    const recordId = recordPath.split("/").pop() ?? "";
    await page.getByTestId("credit-submit-SEND_NOTICE").click();
    await expect.poll(() => recordState(page), { timeout: 20_000 }).toBe("notified.awaiting");
    await page.getByTestId("credit-action-DEFENCE_RECEIVED").getByLabel("陈述申辩").fill("企业书面申辩：已停止经营。");
    await page.getByTestId("credit-submit-DEFENCE_RECEIVED").click();
    await expect.poll(() => recordState(page), { timeout: 20_000 }).toBe("defenceReceived");
    await page.getByTestId("credit-action-DECIDE_LIST").getByLabel("决定书内容").fill("申辩理由不成立，决定列入严重失信主体名单。");
    await page.getByTestId("credit-submit-DECIDE_LIST").click();
    await expect.poll(() => recordState(page), { timeout: 20_000 }).toBe("decided");
    await page.getByTestId("credit-publish-open").click();
    await page.getByTestId("credit-publish-confirm").click();
    await expect.poll(() => recordState(page), { timeout: 20_000 }).toBe("published.listed");
    // The effects are recorded on the record: one certificate revoked.
    const effects = page.getByTestId("credit-history").locator('li[data-event="EFFECTS_APPLIED"]');
    expect((await effects.allTextContents()).join("\n")).toContain("处理证书 1 份");

    // --- The public finds it: partial name, and the start of the credit code typed in lower case.
    expect(await publicSearch(visitor.page, "/credit-registry", "龙泉危化")).toEqual([NAME]);
    expect(await publicSearch(visitor.page, `/t/${SLUG}/credit-registry`, "91510112ma6aq8")).toEqual([NAME]);
    await visitor.page.goto(`${baseUrl}/credit-registry/${recordId}`);
    const detail = (await visitor.page.getByTestId("credit-record-detail").textContent()) ?? "";
    expect(detail).toContain(CODE);
    expect(detail).toContain("510112********1234");
    expect(detail).not.toContain("510112197805061234");
    const api = await visitor.page.request.get(`${baseUrl}/api/public/credit-records?q=${CODE}&tenant=${SLUG}`);
    expect(api.status()).toBe(200);
    const body = (await api.json()) as { total: number; items: Array<{ id: string; creditCode: string }> };
    expect(body.total).toBe(1);
    expect(body.items[0]?.creditCode).toBe(CODE);

    // --- The certificate is revoked (the default credit effect) on the public verification page,
    // on the ground of the listing.
    await visitor.page.goto(`${baseUrl}${verifyPath}`);
    expect(await visitor.page.getByTestId("verify-state").getAttribute("data-state")).toBe("REVOKED");
    expect(await visitor.page.getByTestId("revocation-grounds").textContent()).toContain("严重失信主体名单");

    // --- The enterprise's submission is refused, naming the record; the application stays a draft.
    await switchUser(browser, ENTERPRISE);
    await page.goto(`${baseUrl}/t/${SLUG}/applications/${applicationId}`);
    await expect.poll(() => page.getByTestId("application-page").isVisible()).toBe(true);
    expect(await page.getByTestId("submit-credit-listed").textContent()).toContain(NAME);
    const submit = await page.request.post(`${baseUrl}/t/${SLUG}/applications/${applicationId}`, {
      form: { intent: "SUBMIT", version: "0", appliedLevel: "level3" },
    });
    expect(submit.status()).toBeGreaterThanOrEqual(400);
    expect(submit.status()).toBeLessThan(500);
    await page.reload();
    expect(await page.getByTestId("application-page").getAttribute("data-state")).toMatch(/^draft/);

    // Repair is not open yet: the page says from when.
    await page.goto(`${baseUrl}${recordPath}`);
    expect(await page.getByTestId("credit-action-APPLY_REPAIR").count()).toBe(0);
    expect(await page.getByTestId("credit-repair-from").textContent()).toMatch(/\d{4}/);

    // --- 13 months later (the e2e server's test clock, for this browser only): repair.
    const later = new Date(Date.now() + 396 * 24 * 60 * 60 * 1000).toISOString();
    await context.setExtraHTTPHeaders({ [TEST_NOW_HEADER]: later });
    try {
      await page.goto(`${baseUrl}${recordPath}`);
      const apply = page.getByTestId("credit-action-APPLY_REPAIR");
      await expect.poll(() => apply.isVisible(), { timeout: 10_000 }).toBe(true);
      await apply.locator("textarea").first().fill("已取得新的经营许可，完成全面整改并接受复查。");
      await page.getByTestId("credit-submit-APPLY_REPAIR").click();
      await expect.poll(() => recordState(page), { timeout: 20_000 }).toBe("published.repairRequested");

      await switchUser(browser, REGULATOR);
      await page.goto(`${baseUrl}${recordPath}`);
      const grant = page.getByTestId("credit-action-GRANT_REPAIR");
      await expect.poll(() => grant.isVisible(), { timeout: 10_000 }).toBe(true);
      await grant.locator("textarea").first().fill("整改到位，同意提前移出。");
      // The conditions are a checklist the regulator ticks, each with its evidence.
      for (const [key, evidence] of [
        ["penaltyCarriedOut", "罚款缴纳凭证"],
        ["harmRemedied", "整改复查意见书"],
        ["noNewConduct", "查询无新的失信行为"],
      ] as const) {
        const row = grant.locator(`[data-repair-condition="${key}"]`);
        await row.locator('input[type="checkbox"]').check();
        await row.locator('input[type="text"], input:not([type])').first().fill(evidence);
      }
      await page.getByTestId("credit-submit-GRANT_REPAIR").click();
      await expect.poll(() => recordState(page), { timeout: 20_000 }).toBe("removed.repaired");
    } finally {
      await context.setExtraHTTPHeaders({});
    }

    // --- Gone from the public registry and API; still in the regulator's archive.
    expect(await publicSearch(visitor.page, "/credit-registry", "龙泉危化")).toEqual([]);
    const gone = await visitor.page.goto(`${baseUrl}/credit-registry/${recordId}`);
    expect(gone?.status()).toBe(404);
    const after = (await (await visitor.page.request.get(`${baseUrl}/api/public/credit-records?q=${CODE}`)).json()) as { total: number };
    expect(after.total).toBe(0);
    await page.goto(`${baseUrl}/t/${SLUG}/credit?status=removed`);
    expect(await page.getByTestId("credit-table").locator(`tr[data-credit-record="${recordId}"]`).count()).toBe(1);
    // The certificate is not silently reinstated.
    await visitor.page.goto(`${baseUrl}${verifyPath}`);
    expect(await visitor.page.getByTestId("verify-state").getAttribute("data-state")).toBe("REVOKED");

    expect(pageErrors).toEqual([]);
  });
});
