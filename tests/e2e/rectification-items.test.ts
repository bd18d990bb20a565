/**
 * Rectification per item (Step 10, decision 021) in Chromium: the reviewer picks a deducted item
 * (scored on the consolidated review sheet) in the rectification request, the enterprise answers that item with a note and an evidence file
 * on the application page, submits the rectification, the reviewer accepts the item and reports.
 *
 * A fresh micro enterprise with its own admin is created in the demo tenant (the other e2e tests
 * use the demo enterprises); the steps before the review are posted to the app's own forms with
 * each user's session, as grading-workflow.test.ts fills the self-assessment.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import mongoose, { type Types } from "mongoose";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Tenant } from "../../models/tenant";
import { User } from "../../models/user";
import { SAMPLES } from "../evidence-samples";
import type { GradingMember } from "~/data/grading.server";
import type { Role } from "~/lib/domain";
import { createEnterprise, createMember, formPanel, TEST_PASSWORD } from "../factories";
import { memberOf } from "../grading-fixtures";
import { completeReviewSheet } from "../review-sheet";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const ROOT = path.resolve(import.meta.dirname, "../..");
const SLUG = "chengdu";
const REGULATOR = "regulator@demo.safegrade.cn";
const REVIEWER = "reviewer@demo.safegrade.cn";
const REVIEWER2 = "reviewer2@demo.safegrade.cn";

type RubricFile = {
  elements: Array<{
    subElements: Array<{ items: Array<{ id: string; evidenceRequired?: boolean; veto?: boolean }> }>;
  }>;
};
const rubric = JSON.parse(
  readFileSync(path.join(ROOT, "rubrics/small-micro@2025.1.json"), "utf8"),
) as RubricFile;
const items = rubric.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));

const appState = (page: Page) => page.getByTestId("application-page").getAttribute("data-state");
const action = (page: Page, type: string) => page.locator(`[data-action="${type}"]`);

describe("rectification per item, end to end", () => {
  let browser: BrowserSession;
  let adminEmail = "";
  let tenantId: Types.ObjectId;
  beforeAll(async () => {
    // The panel and the sheet are filled through the data functions, which connect on their own.
    process.env.MONGODB_URI = databaseUri;
    await mongoose.connect(databaseUri);
    const tenant = await Tenant.findOne({ slug: SLUG }).lean();
    if (!tenant) throw new Error("demo tenant missing");
    tenantId = tenant._id;
    const enterprise = await createEnterprise(tenant._id, {
      name: "成都整改示例食品厂",
      industry: "light",
      sizeClass: "micro",
    });
    const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
    adminEmail = admin.user.email;
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
    await mongoose.disconnect();
  });

  async function switchUser(email: string, password?: string): Promise<void> {
    await browser.context.clearCookies();
    await loginAs(browser.page, baseUrl, email, password);
  }
  async function post(pathname: string, form: Record<string, string>) {
    const res = await browser.page.request.post(`${baseUrl}${pathname}`, {
      form,
      headers: { Accept: "application/json" },
    });
    expect(res.status(), `${pathname} ${JSON.stringify(form)}`).toBeLessThan(400);
  }
  async function member(email: string, role: Role): Promise<GradingMember> {
    const user = await User.findOne({ email }).select({ _id: 1, email: 1 }).lean<{ _id: Types.ObjectId; email: string }>();
    if (!user) throw new Error(`${email} missing`);
    return memberOf(tenantId, user, role);
  }

  it("the reviewer picks an item, the enterprise answers it with a file, the reviewer accepts it", { timeout: 300_000 }, async () => {
    const { page } = browser;
    // --- Enterprise: start, fill in and submit.
    await switchUser(adminEmail, TEST_PASSWORD);
    await page.goto(`${baseUrl}/t/${SLUG}/assessments`);
    const startForm = page.getByTestId("start-form");
    await expect.poll(() => startForm.isVisible()).toBe(true);
    await Promise.all([
      page.waitForURL(/\/assessments\/[0-9a-f]{24}\/[^/]+$/),
      startForm.locator('button[type="submit"]').click(),
    ]);
    const id = /\/assessments\/([0-9a-f]{24})\//.exec(page.url())?.[1] ?? "";
    await post(`/t/${SLUG}/assessments/${id}/save`, {
      intent: "save",
      version: "0",
      changes: JSON.stringify(items.map((item) => ({ itemId: item.id, answer: { choice: "full" } }))),
      performance: "[]",
    });
    for (const item of items.filter((i) => i.evidenceRequired)) {
      const uploaded = await page.request.post(
        `${baseUrl}/t/${SLUG}/assessments/${id}/evidence?itemId=${encodeURIComponent(item.id)}`,
        { multipart: { file: { name: `${item.id}.pdf`, mimeType: "application/pdf", buffer: SAMPLES.pdf } } },
      );
      expect(uploaded.status()).toBe(201);
    }
    const appPath = `/t/${SLUG}/applications/${id}`;
    await post(appPath, { intent: "SUBMIT", appliedLevel: "qualified" });

    // --- Regulator: accept; the demo review body forms the two-expert panel (data functions, as
    // grading-workflow.test.ts covers the panel page); the lead starts the review.
    await switchUser(REGULATOR);
    await post(appPath, { intent: "ACCEPT" });
    const regulator = await member(REGULATOR, "regulator");
    const lead = await member(REVIEWER, "reviewer");
    const second = await member(REVIEWER2, "reviewer");
    await formPanel({
      tenantId,
      applicationId: new mongoose.Types.ObjectId(id),
      regulator,
      reviewerUserIds: [lead.user._id, second.user._id],
    });
    await switchUser(REVIEWER);
    const reviewPath = `/t/${SLUG}/reviews/${id}`;
    await post(reviewPath, { intent: "START_REVIEW" });

    // --- The panel fills the consolidated sheet: everything meets except one deducted item (a
    // non-veto one, so the score still gives a level); both experts confirm their parts.
    const first = items.find((i) => !i.veto)?.id ?? "";
    await completeReviewSheet({
      tenantId,
      id: new mongoose.Types.ObjectId(id),
      scorer: lead,
      members: [lead, second],
      answerFor: (item) => (item.id === first ? { choice: "none", note: "制度文件未盖章" } : { choice: "full" }),
    });
    // The review page shows the deduction on the sheet.
    await page.goto(`${baseUrl}${reviewPath}?element=${first.split(".")[0] ?? ""}`);
    const sheet = page.getByTestId("review-sheet");
    await expect
      .poll(() => sheet.locator(`section[data-item="${first}"] input[data-choice="none"]`).isChecked())
      .toBe(true);

    // --- Reviewer: the rectification request offers the deducted item; pick it.
    await page.goto(`${baseUrl}${appPath}`);
    const request = action(page, "REQUEST_RECTIFICATION");
    await request.locator(`input[name="itemIds"][value="${first}"]`).check();
    await request.locator("textarea").fill("请补充该项的制度文件并加盖公章");
    await request.locator('button[type="submit"]').click();
    await expect.poll(() => appState(page), { timeout: 15_000 }).toBe("underReview.rectification");

    // --- Enterprise: answers the item with a note and a file, then submits the rectification.
    await switchUser(adminEmail, TEST_PASSWORD);
    await page.goto(`${baseUrl}${appPath}`);
    const item = page.locator(`[data-testid="rectification-item"][data-item="${first}"]`);
    await expect.poll(() => item.getAttribute("data-status")).toBe("open");
    expect(await item.textContent()).toContain("请补充该项的制度文件并加盖公章");
    await item.locator('textarea[name="note"]').fill("已补充制度文件并盖章，见附件");
    await item.locator('input[type="file"]').setInputFiles({
      name: "整改材料.pdf",
      mimeType: "application/pdf",
      buffer: SAMPLES.pdf,
    });
    await item.locator('button[type="submit"]').first().click();
    await expect.poll(() => item.getAttribute("data-status"), { timeout: 15_000 }).toBe("answered");
    await expect.poll(() => item.locator("a", { hasText: "整改材料.pdf" }).isVisible()).toBe(true);
    await action(page, "SUBMIT_RECTIFICATION").locator('button[type="submit"]').click();
    await expect.poll(() => appState(page), { timeout: 15_000 }).toBe("underReview.reviewing");

    // --- Reviewer: downloads the file, accepts the item, reports.
    await switchUser(REVIEWER);
    // The review page (the consolidated sheet) shows the rectification panel too.
    await page.goto(`${baseUrl}${reviewPath}`);
    await expect.poll(() => item.getAttribute("data-status")).toBe("answered");
    await page.goto(`${baseUrl}${appPath}`);
    const href = await item.locator("a", { hasText: "整改材料.pdf" }).getAttribute("href");
    const file = await page.request.get(`${baseUrl}${href ?? ""}`);
    expect(file.status()).toBe(200);
    expect((await file.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    await item.getByRole("button", { name: "验收通过" }).click();
    await expect.poll(() => item.getAttribute("data-status"), { timeout: 15_000 }).toBe("accepted");
    await page.locator("#recommended-level").selectOption("qualified");
    // The report asks for confirmation first (it cannot be changed afterwards).
    await action(page, "REPORT_REVIEW").getByTestId("report-open").click();
    await action(page, "REPORT_REVIEW").locator('dialog[open] [data-testid="report-confirm"]').click();
    await expect.poll(() => appState(page), { timeout: 15_000 }).toBe("reviewReported.pendingApproval");
  });
});
