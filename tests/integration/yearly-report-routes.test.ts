/**
 * The yearly report pages: the enterprise fills and submits its own report (field errors next to
 * the inputs, nothing saved on bad input, read-only after submission); the regulator's list shows
 * the flag and the report links to a revocation with the grounds pre-ticked; other enterprises see
 * nothing (404), enterprises cannot close reviews (403).
 */
import { describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { YearlyReport } from "../../models/yearly-report";
import { saveAnswers } from "~/data/assessments.server";
import { runYearlyReports } from "~/data/certificates/yearly-report-job.server";
import { getRubricVersion } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import { loader as certLoader } from "~/routes/t.$slug.certificates.$id";
import { action, loader } from "~/routes/t.$slug.yearly-reports.$id";
import { loader as listLoader } from "~/routes/t.$slug.yearly-reports._index";
import { certificateWorld } from "../certificate-fixtures";
import { cookieFor, createMember } from "../factories";
import { callAction, callLoader, type FormFields } from "../route-helpers";

const DAY = 86_400_000;
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe("yearly report pages", () => {
  it("enterprise fills and submits; regulator sees the flag and revokes with the grounds pre-ticked", async () => {
    const w = await certificateWorld({ issuedAt: new Date(Date.now() - 340 * DAY) });
    await runYearlyReports();
    const report = await YearlyReport.findOne({ tenantId: w.tenant._id }).lean();
    if (!report) throw new Error("no report");
    const slug = w.tenant.slug;
    const id = String(report._id);
    const url = `/t/${slug}/yearly-reports/${id}`;
    const post = (cookie: string, form: FormFields) => callAction(action, url, { slug, id }, { cookie, form });
    const version = async () => String((await YearlyReport.findOne({ tenantId: w.tenant._id, _id: report._id }).lean())?.version ?? 0);

    const own = await callLoader(listLoader, `/t/${slug}/yearly-reports`, { slug }, { cookie: w.adminCookie });
    expect(own.data).toMatchObject({ kind: "enterprise", items: [{ id, state: "due" }] });
    const page = await callLoader(loader, url, { slug, id }, { cookie: w.adminCookie });
    expect(page.data).toMatchObject({ canEdit: true, canReview: false, report: { state: "due", assessmentId: null } });

    // Bad input: errors by field, nothing saved.
    const bad = await post(w.adminCookie, {
      intent: "save",
      version: await version(),
      "accidents.0.occurredOn": "2026-13-45x",
      "accidents.0.accidentClass": "general",
      "accidents.0.deaths": "-1",
      "hazards.found": "abc",
    });
    expect(bad.status).toBe(400);
    expect((bad.data as { errors: Record<string, string> }).errors).toMatchObject({
      "accidents.0.occurredOn": "yearly.errors.date",
      "accidents.0.deaths": "yearly.errors.min?min=0",
      "hazards.found": "yearly.errors.number",
    });
    expect((await YearlyReport.findOne({ tenantId: w.tenant._id, _id: report._id }).lean())?.accidents).toEqual([]);

    const saved = await post(w.adminCookie, {
      intent: "save",
      version: await version(),
      "accidents.0.occurredOn": today(),
      "accidents.0.accidentClass": "general",
      "accidents.0.deaths": "1",
      "accidents.0.seriousInjuries": "0",
      "accidents.0.directLoss": "650000.50",
      "accidents.0.summary": "高处坠落",
      "accidents.1.occurredOn": "",
      "hazards.found": "2",
      "hazards.fixed": "2",
      "hazards.overdue": "0",
      "changes.address.changed": "on",
      "changes.address.detail": "迁至新都区",
    });
    expect(saved.data).toMatchObject({ ok: true, notice: "yearly.notice.saved" });

    // Submitting before the self-assessment is refused with a message.
    expect((await post(w.adminCookie, { intent: "submit", version: await version() })).data).toMatchObject({
      ok: false,
      errors: { _form: "yearly.errors.noSelfAssessment" },
    });
    const started = await post(w.adminCookie, { intent: "startSelf" });
    expect(started.status).toBe(302);
    const assessmentId = started.location?.split("/").pop() ?? "";
    const assessment = await Assessment.findOne({ tenantId: w.tenant._id, _id: assessmentId }).lean();
    if (!assessment) throw new Error("no assessment");
    const rubric = await getRubricVersion({ tenantId: w.tenant._id, id: assessment.rubricVersionId });
    const actor = { id: w.admin.user._id, email: w.admin.user.email, role: "enterprise_admin" };
    await saveAnswers({
      tenantId: w.tenant._id,
      id: assessment._id,
      expectedVersion: assessment.version,
      actor,
      changes: rubricItems(rubric?.rubric ?? { elements: [] } as never).map((item) => ({ itemId: item.id, answer: { choice: "full" as const } })),
    });
    expect((await post(w.adminCookie, { intent: "submit", version: await version() })).data).toMatchObject({ ok: true });
    const after = await callLoader(loader, url, { slug, id }, { cookie: w.adminCookie });
    expect(after.data).toMatchObject({ canEdit: false, report: { state: "submitted", review: "open", grounds: ["fatalAccident"] } });
    // Read-only: a save is refused with the reason, nothing changed.
    const late = await post(w.adminCookie, { intent: "save", version: await version(), "hazards.found": "1" });
    expect(late).toMatchObject({ status: 409, data: { errors: { _form: "yearly.errors.submitted" } } });
    expect((await YearlyReport.findOne({ tenantId: w.tenant._id, _id: report._id }).lean())?.hazards.found).toBe(2);

    // Another enterprise sees nothing; an enterprise cannot close the review.
    const stranger = await createMember(w.tenant._id, "enterprise_admin");
    expect((await callLoader(loader, url, { slug, id }, { cookie: await cookieFor(stranger.user._id) })).status).toBe(404);
    expect((await post(w.adminCookie, { intent: "closeReview", version: await version(), note: "x" })).status).toBe(403);

    // The regulator: flagged in the list, the revoke link pre-ticks the ground.
    const list = await callLoader(listLoader, `/t/${slug}/yearly-reports?filter=review`, { slug }, { cookie: w.regulatorCookie });
    expect(list.data).toMatchObject({ kind: "tenant", filter: "review", total: 1, items: [{ id, review: "open" }] });
    const certId = String(w.certificate._id);
    const cert = await callLoader(certLoader, `/t/${slug}/certificates/${certId}?grounds=fatalAccident,bogus`, { slug, id: certId }, { cookie: w.regulatorCookie });
    expect(cert.data).toMatchObject({ revocation: { preselected: ["fatalAccident"] } });
    expect((await post(w.regulatorCookie, { intent: "closeReview", version: await version(), note: "已依法撤销" })).data).toMatchObject({ ok: true });
    expect((await YearlyReport.findOne({ tenantId: w.tenant._id, _id: report._id }).lean())?.review).toBe("done");
  });
});
