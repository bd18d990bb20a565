/**
 * Issue 16's flow in Chromium: a certified enterprise submits its yearly report with a fatal
 * accident → the regulator sees the revocation-review flag → revokes on that ground (pre-ticked,
 * with the confirmation) → the public verification page says 已撤销 and offers no PDF → the
 * enterprise's new application is refused with the date it may reapply.
 *
 * The enterprise and its certificate are created in the e2e database for this test (the demo's
 * certified companies belong to other e2e tests); the self-assessment answers are saved through the
 * data layer (the wizard itself is covered by self-assessment.test.ts).
 */
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Tenant } from "../../models/tenant";
import { saveAnswers } from "~/data/assessments.server";
import { runYearlyReports } from "~/data/certificates/yearly-report-job.server";
import { getRubricVersion } from "~/data/rubrics.server";
import { connectDb } from "~/db.server";
import { rubricItems } from "~/lib/assessment/answers";
import { certifiedApplication, issueFor } from "../certificate-fixtures";
import { createEnterprise, createMember, TEST_PASSWORD } from "../factories";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const SLUG = "chengdu";
const REGULATOR = "regulator@demo.safegrade.cn";
const DAY = 86_400_000;

describe("yearly report → revocation review → revocation → reapply bar", () => {
  let browser: BrowserSession;
  let visitor: BrowserSession;
  const pageErrors: string[] = [];
  let adminEmail = "";
  let creditCode = "";
  let adminId: mongoose.Types.ObjectId;
  let tenantId: mongoose.Types.ObjectId;

  beforeAll(async () => {
    process.env.MONGODB_URI = databaseUri;
    await connectDb();
    const tenant = await Tenant.findOne({ slug: SLUG }).lean();
    if (!tenant) throw new Error("demo tenant missing");
    tenantId = tenant._id;
    const enterprise = await createEnterprise(tenantId, { name: "成都锦程机械有限公司", industry: "machinery", sizeClass: "medium" });
    const admin = await createMember(tenantId, "enterprise_admin", { enterpriseId: enterprise._id });
    adminEmail = admin.user.email;
    creditCode = enterprise.creditCode;
    adminId = admin.user._id;
    const app = await certifiedApplication(tenantId, enterprise._id, { issuedAt: new Date(Date.now() - 340 * DAY), createdBy: admin.user._id });
    await issueFor(tenantId, app._id, new Date(Date.now() - 340 * DAY));
    await runYearlyReports();
    browser = await openBrowser();
    visitor = await openBrowser();
    for (const p of [browser.page, visitor.page]) p.on("pageerror", (e) => pageErrors.push(String(e)));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await visitor?.close();
    await mongoose.disconnect();
  });

  it("runs end to end", { timeout: 240_000 }, async () => {
    const { page, context } = browser;
    await loginAs(page, baseUrl, adminEmail, TEST_PASSWORD);

    // --- The enterprise: its report is due; it starts the self-assessment on the certificate's rubric.
    await page.goto(`${baseUrl}/t/${SLUG}/yearly-reports`);
    const row = page.getByTestId("yearly-table").locator("tr[data-report]");
    expect(await row.getAttribute("data-state")).toBe("due");
    await Promise.all([page.waitForURL(/\/yearly-reports\/[0-9a-f]{24}$/), row.getByRole("link").click()]);
    const reportUrl = page.url();
    await Promise.all([page.waitForURL(/\/assessments\/[0-9a-f]{24}/), page.getByTestId("yearly-self-start").click()]);
    const assessmentId = /\/assessments\/([0-9a-f]{24})/.exec(page.url())?.[1] ?? "";
    const assessment = await Assessment.findOne({ tenantId, _id: assessmentId }).lean();
    if (!assessment) throw new Error("self-assessment not created");
    const rubric = await getRubricVersion({ tenantId, id: assessment.rubricVersionId });
    if (!rubric) throw new Error("rubric");
    const saved = await saveAnswers({
      tenantId,
      id: assessment._id,
      expectedVersion: assessment.version,
      actor: { id: adminId, email: adminEmail, role: "enterprise_admin" },
      changes: rubricItems(rubric.rubric).map((item) => ({ itemId: item.id, answer: { choice: "full" as const } })),
    });
    expect(saved.ok).toBe(true);

    // --- The structured part: a fatal accident this year; then submit.
    await page.goto(reportUrl);
    const form = page.getByTestId("yearly-part-form");
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    await form.locator('input[name="accidents.0.occurredOn"]').fill(today);
    await form.locator('input[name="accidents.0.deaths"]').fill("1");
    await form.locator('input[name="accidents.0.directLoss"]').fill("420000");
    await form.locator('textarea[name="accidents.0.summary"]').fill("车间起重作业时一名工人被吊物砸中身亡");
    await form.getByRole("button", { name: "保存" }).click();
    await expect.poll(() => page.locator("[data-notice]").textContent()).toContain("已保存");
    await page.getByTestId("yearly-submit-form").getByRole("button", { name: "报送报告" }).click();
    await expect.poll(() => page.getByTestId("yearly-report").getAttribute("data-state")).toBe("submitted");
    expect(await page.getByTestId("yearly-read-only").isVisible()).toBe(true);
    expect(await page.getByTestId("yearly-part-form").count()).toBe(0);

    // --- The regulator: the report is flagged for a revocation review; revoke on the pre-ticked ground.
    await context.clearCookies();
    await loginAs(page, baseUrl, REGULATOR);
    await page.goto(`${baseUrl}/t/${SLUG}/yearly-reports?filter=review`);
    const flagged = page.getByTestId("yearly-table").locator("tr", { hasText: "成都锦程机械有限公司" });
    expect(await flagged.getByTestId("revocation-review-flag").textContent()).toContain("撤销审查");
    expect(await flagged.textContent()).toContain("发生生产安全死亡事故");
    await Promise.all([page.waitForURL(/\/yearly-reports\/[0-9a-f]{24}$/), flagged.getByRole("link").click()]);
    await Promise.all([page.waitForURL(/\/certificates\/[0-9a-f]{24}/), page.getByTestId("yearly-revoke-link").click()]);
    const revoke = page.getByTestId("revoke-form");
    expect(await revoke.locator('input[data-ground="fatalAccident"]').isChecked()).toBe(true);
    expect(await page.getByTestId("revoke-consequences").textContent()).toMatch(/可于 \d{4}\/\d{2}\/\d{2} 起重新申请/);
    await revoke.locator('textarea[name="reason"]').fill(`${today} 发生一起起重伤害死亡事故（企业年度自评报告）`);
    await revoke.locator('input[name="confirm"]').check();
    await revoke.getByRole("button", { name: "确认撤销证书" }).click();
    await expect.poll(() => page.locator("[data-notice]").textContent()).toContain("证书已撤销");
    const verifyPath = (await page.getByTestId("certificate-verify-link").getAttribute("href")) ?? "";

    // --- The public page: 已撤销, the ground and the date, and no PDF.
    await visitor.page.goto(`${baseUrl}${verifyPath}`);
    const state = visitor.page.getByTestId("verify-state");
    expect(await state.getAttribute("data-state")).toBe("REVOKED");
    const text = (await state.textContent()) ?? "";
    expect(text).toContain("已撤销");
    expect(text).toContain("发生生产安全死亡事故");
    expect(await visitor.page.getByTestId("verify-no-pdf").isVisible()).toBe(true);
    expect(await visitor.page.locator('a[href$=".pdf"]').count()).toBe(0);
    const pdf = await visitor.page.request.get(`${baseUrl}${verifyPath}.pdf`);
    expect(pdf.status()).toBe(410);

    // --- Found by its number plus the credit code (both needed), the same status, still no PDF.
    const number = await page.getByTestId("certificate-number").textContent() ?? "";
    await visitor.page.goto(`${baseUrl}/verify`);
    const lookup = visitor.page.getByTestId("verify-lookup-form");
    await lookup.getByLabel("证书编号").fill(number.replace(/^证书\s*/, ""));
    await lookup.getByRole("button", { name: "查询" }).click();
    await expect.poll(() => lookup.locator("[data-field-error]").textContent()).toContain("统一社会信用代码");
    await lookup.getByLabel("统一社会信用代码").fill(creditCode.toLowerCase());
    await lookup.getByRole("button", { name: "查询" }).click();
    await expect.poll(() => visitor.page.getByTestId("verify-state").getAttribute("data-state")).toBe("REVOKED");
    expect(await visitor.page.locator('a[href$=".pdf"]').count()).toBe(0);

    // --- The enterprise: a new application is refused with the date it may apply again.
    await context.clearCookies();
    await loginAs(page, baseUrl, adminEmail, TEST_PASSWORD);
    await page.goto(`${baseUrl}/t/${SLUG}/assessments`);
    const start = page.getByTestId("start-form");
    await expect.poll(() => start.isVisible()).toBe(true);
    // The form is disabled and says why and from when (the server refuses too: integration tests).
    expect(await start.locator('button[type="submit"]').isDisabled()).toBe(true);
    expect(await page.getByTestId("start-barred").textContent()).toMatch(/已撤销.*可重新申请日期 .*\d{4}/);

    expect(pageErrors).toEqual([]);
  });
});
