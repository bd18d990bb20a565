/**
 * Fast-track renewal (复评/延期, issue 16 item 4) in Chromium: a certified enterprise whose
 * certificate ends within the renewal window has submitted its renewal at the same level; the
 * regulator sees every criterion met on the application page, confirms in the dialog, and the
 * application goes straight to public notice; the enterprise sees the outcome.
 *
 * The enterprise, its certificate, yearly reports and the submitted renewal are created in the e2e
 * database through the data layer (the wizard and the certificate page's renewal start are
 * covered elsewhere).
 */
import mongoose, { Types } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import { Tenant } from "../../models/tenant";
import { YearlyReport } from "../../models/yearly-report";
import { saveAnswers } from "~/data/assessments.server";
import { startRenewal } from "~/data/certificates.server";
import { applyApplicationEvent } from "~/data/grading.server";
import { getRubricVersion } from "~/data/rubrics.server";
import { connectDb } from "~/db.server";
import { rubricItems } from "~/lib/assessment/answers";
import { addMonths } from "~/lib/certificate";
import { permissionsFor } from "~/lib/permissions";
import { certifiedApplication, issueFor } from "../certificate-fixtures";
import { createEnterprise, createMember, TEST_PASSWORD } from "../factories";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const SLUG = "chengdu";
const REGULATOR = "regulator@demo.safegrade.cn";
const DAY = 86_400_000;

describe("fast-track renewal in the browser", () => {
  let browser: BrowserSession;
  const pageErrors: string[] = [];
  let adminEmail = "";
  let applicationId = "";
  /** What this file created that other e2e files' jobs would see (notices, expiry reminders). */
  const created: { tenantId?: Types.ObjectId; appIds: Types.ObjectId[]; certificateId?: Types.ObjectId } = { appIds: [] };

  beforeAll(async () => {
    process.env.MONGODB_URI = databaseUri;
    await connectDb();
    const tenant = await Tenant.findOne({ slug: SLUG }).lean();
    if (!tenant) throw new Error("demo tenant missing");
    const tenantId = tenant._id;
    const enterprise = await createEnterprise(tenantId, { name: "成都恒信机械有限公司", industry: "machinery", sizeClass: "medium" });
    const admin = await createMember(tenantId, "enterprise_admin", { enterpriseId: enterprise._id });
    adminEmail = admin.user.email;
    // Ends in about 40 days: inside the 3-month renewal window.
    const issuedAt = new Date(addMonths(new Date(), -36).getTime() + 40 * DAY);
    const app = await certifiedApplication(tenantId, enterprise._id, { issuedAt, createdBy: admin.user._id, cycle: "2020" });
    const certificate = await issueFor(tenantId, app._id, issuedAt);
    created.tenantId = tenantId;
    created.certificateId = certificate._id;
    created.appIds.push(app._id);
    for (const year of [1, 2]) {
      const periodEnd = addMonths(issuedAt, 12 * year);
      await YearlyReport.create({
        tenantId,
        enterpriseId: enterprise._id,
        certificateId: certificate._id,
        applicationId: app._id,
        year,
        periodStart: addMonths(issuedAt, 12 * (year - 1)),
        periodEnd,
        dueAt: new Date(periodEnd.getTime() + 30 * DAY),
        enterpriseName: enterprise.name,
        certificateNumber: certificate.number,
        level: certificate.level,
        submittedAt: new Date(periodEnd.getTime() + 10 * DAY),
        score: 90,
      });
    }
    const actor = { id: admin.user._id, email: admin.user.email, role: "enterprise_admin" as const };
    const started = await startRenewal({ tenantId, certificateId: String(certificate._id), enterpriseId: enterprise._id, actor });
    if (!started.ok) throw new Error(`renewal not started: ${started.error}`);
    applicationId = started.applicationId;
    created.appIds.push(new Types.ObjectId(applicationId));
    const doc = await Assessment.findOne({ tenantId, _id: new Types.ObjectId(applicationId) }).lean();
    if (!doc) throw new Error("renewal missing");
    const rubric = await getRubricVersion({ tenantId, id: doc.rubricVersionId });
    if (!rubric) throw new Error("rubric");
    const items = rubricItems(rubric.rubric);
    const saved = await saveAnswers({
      tenantId,
      id: doc._id,
      expectedVersion: doc.version,
      actor,
      changes: items.map((item) => ({ itemId: item.id, answer: { choice: "full" as const } })),
    });
    if (!saved.ok) throw new Error(`save failed: ${saved.error}`);
    const evidence = items
      .filter((item) => item.evidenceRequired)
      .map((item) => ({
        fileId: new Types.ObjectId(),
        itemId: item.id,
        filename: `${item.id}.pdf`,
        contentType: "application/pdf",
        size: 100,
        uploadedBy: admin.user._id,
        uploadedAt: new Date(),
      }));
    await Assessment.updateOne({ tenantId, _id: doc._id }, { $set: { evidence } });
    const member = {
      tenantId,
      roles: ["enterprise_admin" as const],
      permissions: permissionsFor(["enterprise_admin"]),
      enterpriseId: enterprise._id,
      user: { _id: admin.user._id, email: admin.user.email },
    };
    const submitted = await applyApplicationEvent({
      tenantId,
      applicationId,
      event: { type: "SUBMIT", appliedLevel: certificate.level },
      actor: { kind: "member", member },
    });
    if (!submitted.ok || submitted.state !== "renewalCheck") throw new Error(`submit: ${JSON.stringify(submitted)}`);
    browser = await openBrowser();
    browser.page.on("pageerror", (e) => pageErrors.push(String(e)));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    // Other files run the deadline and certificate jobs against the same database and count what
    // they do: leave no running notice or expiring certificate behind.
    const { tenantId, certificateId } = created;
    if (tenantId) {
      await Assessment.deleteMany({ tenantId, _id: { $in: created.appIds } });
      if (certificateId) {
        await YearlyReport.deleteMany({ tenantId, certificateId });
        await Certificate.deleteOne({ tenantId, _id: certificateId });
      }
    }
    await mongoose.disconnect();
  });

  it("the regulator checks the criteria and confirms; the enterprise sees the outcome", { timeout: 180_000 }, async () => {
    const { page, context } = browser;
    await loginAs(page, baseUrl, REGULATOR);
    await page.goto(`${baseUrl}/t/${SLUG}/applications/${applicationId}`);
    const panel = page.getByTestId("renewal-panel");
    await expect.poll(() => panel.isVisible()).toBe(true);
    const criteria = panel.locator("[data-criterion]");
    expect(await criteria.count()).toBe(6);
    expect(await panel.locator('[data-met="no"]').count()).toBe(0);
    expect(await page.getByTestId("renewal-verdict").textContent()).toContain("符合快速复评条件");
    expect(await panel.textContent()).toContain("年度自评报告均已提交");

    // Confirm in the dialog (wait for hydration: the opener replaces the plain form).
    const box = page.locator('[data-action="CONFIRM_FAST_TRACK"]');
    const opener = box.locator('[data-testid="confirm-fast-track-open"]');
    await expect.poll(() => opener.count(), { timeout: 15_000 }).toBe(1);
    await opener.click();
    expect(await box.locator("dialog[open]").textContent()).toContain("直接进入公示");
    await box.locator('dialog[open] [data-testid="confirm-fast-track-confirm"]').click();
    await expect
      .poll(() => page.getByTestId("application-page").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("publicNotice.running");

    await context.clearCookies();
    await loginAs(page, baseUrl, adminEmail, TEST_PASSWORD);
    await page.goto(`${baseUrl}/t/${SLUG}/applications/${applicationId}`);
    const status = page.getByTestId("renewal-status");
    await expect.poll(() => status.isVisible()).toBe(true);
    expect(await status.textContent()).toContain("已确认符合快速复评条件");
    expect(await page.getByTestId("renewal-criteria").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
