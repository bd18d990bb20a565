import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { computeCheckCharacter } from "~/lib/credit-code";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");

/**
 * The regulator's credit-list pages in a browser: the seeded archive and published records are
 * listed; a new record for an unregistered subject goes draft → notice → paper defence → decision
 * → publication through the page's forms (react-hook-form validation first). No page errors.
 */
describe("credit records (regulator UI)", () => {
  let browser: BrowserSession;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    browser = await openBrowser();
    browser.page.on("pageerror", (e) => pageErrors.push(String(e)));
    browser.page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
  });
  afterAll(async () => {
    await browser.close();
  });

  it("lists seeded records and takes a new one from draft to published", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await loginAs(page, baseUrl, "regulator@demo.safegrade.cn");
    await page.getByTestId("main-nav").locator('[data-nav="credit"]').first().click();
    await page.waitForURL(/\/t\/chengdu\/credit$/);
    const table = page.getByTestId("credit-table");
    await expect.poll(() => table.locator('tr[data-status="published"]').count()).toBeGreaterThanOrEqual(2);
    expect(await table.locator('tr[data-status="removed"]').count(), await table.innerHTML()).toBeGreaterThanOrEqual(1);

    await Promise.all([page.waitForURL(/\/credit\/new$/), page.getByTestId("credit-new").click()]);
    const form = page.getByTestId("credit-draft-form");
    // Client-side validation: a wrong check character is reported by position, nothing is posted.
    await form.getByLabel("统一社会信用代码").fill("91510100MA6123456I");
    await form.getByLabel("主体名称").fill("成都测试失信主体有限公司");
    await page.getByTestId("credit-draft-submit").click();
    await expect.poll(() => form.locator("[data-field-error]").count()).toBeGreaterThan(0);
    expect(page.url()).toMatch(/\/credit\/new$/);

    const body = `91510100MA6E2E${String(Date.now() % 1000).padStart(3, "0")}`;
    await form.getByLabel("统一社会信用代码").fill(body + computeCheckCharacter(body));
    await form.getByLabel("列入情形").selectOption("c2023_concealed_accident");
    await form.getByLabel("负责人（法定代表人）").fill("测试人");
    await form.getByLabel("负责人身份证号码").fill("510104198001011234");
    await form.getByLabel("行政处罚决定书文号").fill("成应急罚〔2026〕E2E号");
    await form.getByLabel("作出决定的机关").fill("成都市应急管理局");
    await form.getByLabel("失信事实").fill("瞒报生产安全事故。");
    await form.getByLabel("列入依据").fill("《安全生产严重失信主体名单管理办法》第七条");
    await Promise.all([page.waitForURL(/\/credit\/[0-9a-f]{24}$/), page.getByTestId("credit-draft-submit").click()]);
    const record = page.getByTestId("credit-record");
    expect(await record.getAttribute("data-state")).toBe("draft");
    expect(await page.getByTestId("credit-facts").textContent()).toContain("510104********1234");

    // Notice (the deadline is prefilled from the tenant setting).
    const notice = page.getByTestId("credit-action-SEND_NOTICE");
    expect(await notice.getByLabel("陈述申辩截止日期").inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.getByTestId("credit-submit-SEND_NOTICE").click();
    await expect.poll(() => record.getAttribute("data-state")).toBe("notified.awaiting");
    expect(await page.getByTestId("credit-defence-deadline").textContent()).toContain("陈述申辩截止");

    // A defence received on paper, then the decision (empty text refused in the browser first).
    const defence = page.getByTestId("credit-action-DEFENCE_RECEIVED");
    await defence.getByLabel("陈述申辩").fill("书面陈述：请求从轻处理。");
    await page.getByTestId("credit-submit-DEFENCE_RECEIVED").click();
    await expect.poll(() => record.getAttribute("data-state")).toBe("defenceReceived");
    await page.getByTestId("credit-submit-DECIDE_LIST").click();
    await expect.poll(() => page.getByTestId("credit-action-DECIDE_LIST").locator("[data-field-error]").count()).toBe(1);
    await page.getByTestId("credit-action-DECIDE_LIST").getByLabel("决定书内容").fill("申辩理由不成立，决定列入。");
    await page.getByTestId("credit-submit-DECIDE_LIST").click();
    await expect.poll(() => record.getAttribute("data-state")).toBe("decided");
    await page.getByTestId("credit-publish-open").click();
    await page.getByTestId("credit-publish-confirm").click();
    await expect.poll(() => record.getAttribute("data-state")).toBe("published.listed");
    expect(await page.getByTestId("credit-status").first().getAttribute("data-status")).toBe("published");
    const events = await page.getByTestId("credit-history").locator("li").evaluateAll((els) => els.map((e) => e.getAttribute("data-event")));
    expect(events).toEqual(expect.arrayContaining(["CREATE", "SEND_NOTICE", "DEFENCE_RECEIVED", "DECIDE_LIST", "PUBLISH"]));

    // On a phone the list still shows name, status and deadline.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/t/chengdu/credit?q=${encodeURIComponent("成都测试失信主体")}`);
    const row = page.getByTestId("credit-table").locator("tr[data-credit-record]");
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute("data-status")).toBe("published");
    expect(pageErrors).toEqual([]);
  });
});
