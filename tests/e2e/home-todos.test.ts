/**
 * Issue 17 in Chromium: the enterprise's and the regulator's home to-do lists (counts, deadlines,
 * links), submitting from the self-assessment summary through its confirmation dialog, and the
 * credit publish dialog counting the applications and certificates the listing affects.
 * The scenario is a tenant of its own (tests/todo-scenario.ts), written to the app's database.
 */
import mongoose from "mongoose";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_PASSWORD } from "../factories";
import { createTodoScenario, type TodoScenario } from "../todo-scenario";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");

let browser: BrowserSession;
let s: TodoScenario;

async function as(email: string): Promise<Page> {
  await browser.context.clearCookies();
  await loginAs(browser.page, baseUrl, email, TEST_PASSWORD, s.tenant.slug);
  return browser.page;
}

const todo = (page: Page, key: string) => page.locator(`[data-todo="${key}"]`);
const shanghaiDate = (d: Date) => new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(d);

beforeAll(async () => {
  // The app's data functions run in this process against the app's database.
  process.env.MONGODB_URI = databaseUri;
  await mongoose.connect(databaseUri);
  s = await createTodoScenario();
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await mongoose.disconnect();
});

describe("to-do homes and confirmations", () => {
  it("the enterprise's home lists its draft and the credit notice with its defence deadline", async () => {
    const page = await as(s.draftCo.admin.email);
    await page.goto(`${baseUrl}/t/${s.tenant.slug}`);
    await expect.poll(() => todo(page, "enterprise.draft").getAttribute("data-count")).toBe("1");
    const notice = todo(page, "enterprise.creditNotice");
    expect(await notice.getAttribute("data-count")).toBe("1");
    expect(await notice.textContent()).toContain(shanghaiDate(s.draftCo.defenceDeadline));
    expect(await notice.textContent()).toContain("陈述申辩截止");
    // Each record is linked: the draft opens the self-assessment.
    await todo(page, "enterprise.draft").getByRole("link", { name: "2026" }).click();
    await page.waitForURL(new RegExp(`/assessments/${String(s.draftCo.applicationId)}`));
  });

  it("the summary submits the application after a confirmation that names the consequences", async () => {
    const page = await as(s.draftCo.admin.email);
    await page.goto(`${baseUrl}/t/${s.tenant.slug}/assessments/${String(s.draftCo.applicationId)}/summary`);
    const section = page.getByTestId("summary-submit");
    await expect.poll(() => section.isVisible()).toBe(true);
    await section.getByTestId("submit-open").click();
    const dialog = section.getByTestId("submit-dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain("企业基本信息在评审结束前锁定");
    // Cancel sends nothing.
    await dialog.getByRole("button", { name: "取消" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(page.url()).toContain("/summary");
    await section.getByTestId("submit-open").click();
    await Promise.all([page.waitForURL(/\/applications\/[0-9a-f]{24}$/), dialog.getByTestId("submit-confirm").click()]);
    await expect.poll(() => page.getByTestId("application-page").getAttribute("data-state")).toBe("submitted");
  });

  it("the regulator's home counts the applications to accept, with the acceptance deadline, as the list does", async () => {
    const page = await as(s.regulator.email);
    await page.goto(`${baseUrl}/t/${s.tenant.slug}`);
    const accept = todo(page, "regulator.accept");
    // waitingCo, draftCo (submitted above) and listedCo's 2027 application.
    await expect.poll(() => accept.getAttribute("data-count")).toBe("3");
    expect(await accept.textContent()).toContain("受理期限");
    expect(await todo(page, "regulator.creditToPublish").getAttribute("data-count")).toBe("1");
    await accept.getByRole("link", { name: /查看全部/ }).click();
    await page.waitForURL(/queue=acceptance/);
    await expect.poll(() => page.getByTestId("applications").locator("tr[data-application]").count()).toBe(3);
    expect(await page.locator('[data-queue="acceptance"] [data-count]').textContent()).toContain("3");
  });

  it("the credit publish dialog counts the applications it stops and the certificates it suspends", async () => {
    const page = await as(s.regulator.email);
    await page.goto(`${baseUrl}/t/${s.tenant.slug}/credit/${String(s.listedCo.decidedRecordId)}`);
    await page.getByTestId("credit-publish-open").click();
    const dialog = page.getByTestId("credit-publish-dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const impact = dialog.getByTestId("publish-impact");
    expect(await impact.getAttribute("data-applications")).toBe("1");
    expect(await impact.getAttribute("data-certificates")).toBe("1");
    const text = (await dialog.textContent()) ?? "";
    expect(text).toContain("正在办理的定级申请：1 件");
    expect(text).toContain("有效证书：1 张");
    await dialog.getByTestId("credit-publish-confirm").click();
    await expect.poll(() => page.getByTestId("credit-record").getAttribute("data-state"), { timeout: 20_000 }).toBe("published.listed");
    // The listed enterprise's home now says it is barred, until the listing ends.
    const ent = await as(s.listedCo.admin.email);
    await ent.goto(`${baseUrl}/t/${s.tenant.slug}`);
    await expect.poll(() => todo(ent, "enterprise.barred").isVisible()).toBe(true);
    await ent.goto(`${baseUrl}/t/${s.tenant.slug}/assessments`);
    expect(await ent.getByTestId("start-barred").isVisible()).toBe(true);
    expect(await ent.getByTestId("start-form").locator('button[type="submit"]').isDisabled()).toBe(true);
  });
});
