/** Step 12 in Chromium: the platform admin creates and deactivates a tenant; a district-limited regulator's list. */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");

describe("platform and districts", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("the platform admin creates a tenant on /platform, sees it listed, and deactivates it (its pages answer 410)", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await page.goto(`${baseUrl}/platform`);
    await page.waitForURL(/\/platform\/login/);
    await page.getByLabel("邮箱").fill("platform@demo.safegrade.cn");
    await page.getByLabel("密码").fill("Demo#2026safe");
    await Promise.all([page.waitForURL(`${baseUrl}/platform`), page.getByRole("button", { name: "登录" }).click()]);
    await page.getByTestId("new-tenant").click();
    const form = page.getByTestId("tenant-form");
    await form.getByLabel("标识").fill("mianyang-e2e");
    await form.getByLabel("定级部门名称（中文）").fill("绵阳市应急管理局");
    await form.getByLabel("定级部门名称（英文）").fill("Mianyang Emergency Management Bureau");
    await form.getByLabel("省级区划代码").fill("510000");
    await form.getByLabel("市级区划代码").fill("510700");
    await form.getByLabel("所辖区（县）").fill("510703 涪城区\n510704 游仙区");
    await form.getByLabel("年度目标").fill("2026 510703 12");
    await Promise.all([page.waitForURL(/\/platform\/tenants\/mianyang-e2e\?created=1/), page.getByRole("button", { name: "创建辖区" }).click()]);
    await page.goto(`${baseUrl}/platform`);
    expect(await page.locator("[data-tenant=mianyang-e2e]").textContent()).toContain("绵阳市应急管理局");

    await page.goto(`${baseUrl}/platform/tenants/mianyang-e2e`);
    await page.getByTestId("tenant-status").getByLabel("停用原因").fill("测试停用");
    await Promise.all([page.waitForURL(/saved=1/), page.getByRole("button", { name: "停用辖区" }).click()]);
    const response = await page.goto(`${baseUrl}/t/mianyang-e2e/login`);
    expect(response?.status()).toBe(410);
    expect(await page.locator("h1").first().textContent()).toContain("该辖区已停用");
  });

  it("the 锦江区 regulator's enterprise list holds only 锦江区 enterprises", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await loginAs(page, baseUrl, "jinjiang@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/chengdu/enterprises`);
    const table = await page.locator("main").textContent();
    expect(table).toContain("成都锦江春熙商贸有限公司");
    expect(table).not.toContain("成都锦程精密机械有限公司");
  });
});
