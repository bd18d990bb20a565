import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EMAIL_TEMPLATE_NAMES } from "../../emails/names";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const mailDir = inject("mailDir");

/** The recipient's mailbox: the .eml files the capture transport wrote, parsed. */
async function mailbox(to: string): Promise<string[]> {
  let names: string[] = [];
  try {
    names = readdirSync(mailDir).filter((n) => n.endsWith(".eml"));
  } catch {
    return [];
  }
  const texts: string[] = [];
  for (const name of names) {
    const mail = await simpleParser(readFileSync(path.join(mailDir, name)));
    const rcpt = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(",") : (mail.to?.text ?? "");
    if (rcpt.includes(to)) texts.push(mail.text ?? "");
  }
  return texts;
}
/** A demo user no other e2e test logs in as (its password changes here). */
const USER = "chem-admin@demo.safegrade.cn";
const NEW_PASSWORD = "Reset-by-mail-2026";

/**
 * The demo without SMTP: a forgotten password is asked for on the login page, the outbox worker
 * (the app's scheduler) "sends" it into the capture directory (the recipient's mailbox), the
 * tenant admin sees it in the outbox without the link, the capture page is not served in
 * production, and the link from the mailbox sets a new password. Template previews render.
 */
describe("email (capture transport in the demo)", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("password reset by email end to end; outbox and previews for the tenant admin show no link", async () => {
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
    // The template is named in words; the key stays only in a data attribute.
    expect(await row.first().textContent()).toContain("重置密码");
    expect(await row.first().locator("[data-template]").getAttribute("data-template")).toBe("password-reset");

    // The app's scheduler runs the worker every 15 s; the mail lands in the recipient's mailbox.
    // Wait for the reset mail itself: the user's mailbox may already hold other mail.
    const resetLink = /https?:\/\/\S+\/reset-password\/[\w-]+/;
    let link = "";
    for (let i = 0; i < 30 && link === ""; i += 1) {
      link = resetLink.exec((await mailbox(USER)).join("\n"))?.[0] ?? "";
      if (link === "") await page.waitForTimeout(2000);
    }
    expect(link).toMatch(/\/t\/chengdu\/reset-password\//);
    const token = new URL(link).pathname.split("/").pop() ?? "";

    // The tenant admin's message page shows the mail without its link; no capture page in production.
    await Promise.all([page.waitForURL(/\/admin\/outbox\/[0-9a-f]{24}$/), row.first().getByRole("link").first().click()]);
    const shown = (await page.getByTestId("outbox-message").textContent()) ?? "";
    expect(shown).toContain(USER);
    expect(await page.content()).not.toContain(token);
    const captured = await page.goto(`${baseUrl}/t/chengdu/admin/outbox/captured`);
    expect(captured?.status()).toBe(404);

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
