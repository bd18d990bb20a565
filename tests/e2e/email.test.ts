import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EMAIL_TEMPLATE_NAMES } from "../../emails/names";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
/** A demo user no other e2e test logs in as (its password changes here). */
const USER = "chem-admin@demo.safegrade.cn";
const NEW_PASSWORD = "Reset-by-mail-2026";

/**
 * The demo without SMTP: a forgotten password is asked for on the login page, the outbox worker
 * (the app's scheduler) "sends" it into the capture, the tenant admin sees it in the outbox and
 * the captured mail, and the link in it sets a new password. Template previews render.
 */
describe("email (capture transport in the demo)", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("password reset by email end to end; outbox, captured mail and previews for the tenant admin", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await page.goto(`${baseUrl}/t/chengdu/login`);
    await Promise.all([page.waitForURL(/\/forgot-password$/), page.getByRole("link", { name: "忘记密码？" }).click()]);
    await page.getByLabel("登录邮箱").fill(USER);
    await page.getByRole("button", { name: "发送重置链接" }).click();
    await page.getByTestId("reset-requested").waitFor();

    await loginAs(page, baseUrl, "admin@demo.safegrade.cn");
    await page.goto(`${baseUrl}/t/chengdu/admin/outbox`);
    const row = page.getByTestId("outbox-table").locator("tr", { hasText: USER });
    expect(await row.first().textContent()).toContain("password-reset");

    // The app's scheduler runs the worker every 15 s; the capture page shows the mail once sent.
    const captured = `${baseUrl}/t/chengdu/admin/outbox/captured`;
    const mailLink = page.getByTestId("captured-table").getByRole("link", { name: "重置您的 SafeGrade 密码" });
    for (let i = 0; i < 30 && (await mailLink.count()) === 0; i += 1) {
      await page.goto(captured);
      if ((await mailLink.count()) === 0) await page.waitForTimeout(2000);
    }
    await Promise.all([page.waitForURL(/\?file=/), mailLink.first().click()]);
    const mail = page.getByTestId("captured-mail");
    expect(await mail.textContent()).toContain(USER);
    await mail.locator("summary").click();
    const text = (await mail.locator("pre").textContent()) ?? "";
    const link = /https?:\/\/\S+\/reset-password\/[\w-]+/.exec(text)?.[0] ?? "";
    expect(link).toMatch(/\/t\/chengdu\/reset-password\//);

    // The outbox now says "sent", with one attempt.
    await page.goto(`${baseUrl}/t/chengdu/admin/outbox?status=sent`);
    expect(await page.getByTestId("outbox-table").textContent()).toContain(USER);

    // Template previews: every template, both languages, in sandboxed frames.
    await page.goto(`${baseUrl}/t/chengdu/admin/emails`);
    expect(await page.locator("section[data-template]").count()).toBe(EMAIL_TEMPLATE_NAMES.length);
    expect(await page.locator("section[data-template] iframe[sandbox]").count()).toBe(EMAIL_TEMPLATE_NAMES.length * 2);

    // The link (same origin as the app: APP_URL may differ in the run, so keep only the path).
    await context.clearCookies();
    await page.goto(`${baseUrl}${new URL(link).pathname}`);
    await page.getByLabel("新密码", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("确认新密码").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "保存新密码" }).click();
    await page.getByTestId("reset-done").waitFor();
    await loginAs(page, baseUrl, USER, NEW_PASSWORD);
    expect(new URL(page.url()).pathname).toBe("/t/chengdu");
  });

  it("the outbox page fits a phone screen", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await loginAs(page, baseUrl, "admin@demo.safegrade.cn");
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${baseUrl}/t/chengdu/admin/outbox`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
