/**
 * Yearly self-assessment reports (issue 16, item 1): opened by the job per year of validity,
 * reminders 30 and 7 days before the due date and on the day overdue (once, with two runners at a
 * time), an overdue report opens a revocation review; the enterprise self-assesses on the pinned
 * rubric and submits; a score below the level's band or accidents meeting a ground flag a review;
 * a submitted report is read-only.
 */
import { describe, expect, it } from "vitest";
import { Types } from "mongoose";
import { Assessment } from "../../models/assessment";
import { OutboxMessage } from "../../models/outbox-message";
import { YearlyReport } from "../../models/yearly-report";
import { saveAnswers } from "~/data/assessments.server";
import { revokeCertificate } from "~/data/certificates.server";
import { runYearlyReports } from "~/data/certificates/yearly-report-job.server";
import {
  closeRevocationReview,
  listRevocationReviews,
  listYearlyReports,
  listYearlyReportsForEnterprise,
  saveYearlyReportPart,
  startReportSelfAssessment,
  submitYearlyReport,
} from "~/data/certificates/yearly-reports.server";
import { getRubricVersion } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import { EMPTY_REPORT_PART, reportSchedule, type ReportPart } from "~/lib/yearly-report";
import { loader as homeLoader } from "~/routes/t.$slug._index";
import type { TodoItem } from "~/lib/todo";
import { certificateWorld } from "../certificate-fixtures";
import { cookieFor } from "../factories";
import { callLoader } from "../route-helpers";

const DAY = 86_400_000;

/** A certificate issued 340 days ago: its first report is due in about 55 days (anniversary + 30). */
async function world() {
  const w = await certificateWorld({ issuedAt: new Date(Date.now() - 340 * DAY) });
  await runYearlyReports();
  const report = await YearlyReport.findOne({ tenantId: w.tenant._id, certificateId: w.certificate._id }).lean();
  if (!report) throw new Error("report not opened");
  return { ...w, report };
}

async function selfAssess(w: Awaited<ReturnType<typeof world>>, choice: "full" | "none") {
  const actor = { id: w.admin.user._id, email: w.admin.user.email, role: "enterprise_admin" };
  const started = await startReportSelfAssessment({ tenantId: w.tenant._id, id: w.report._id, actor });
  if (!started.ok || !started.report.assessmentId) throw new Error(`start failed: ${started.ok ? "" : started.error}`);
  const assessment = await Assessment.findOne({ tenantId: w.tenant._id, _id: started.report.assessmentId }).lean();
  if (!assessment) throw new Error("no assessment");
  // The pinned rubric: the certified application's version.
  expect(String(assessment.rubricVersionId)).toBe(String(w.app.rubricVersionId));
  const loaded = await getRubricVersion({ tenantId: w.tenant._id, id: assessment.rubricVersionId });
  if (!loaded) throw new Error("rubric");
  const saved = await saveAnswers({
    tenantId: w.tenant._id,
    id: assessment._id,
    expectedVersion: assessment.version,
    actor,
    changes: rubricItems(loaded.rubric).map((item) => ({ itemId: item.id, answer: { choice } })),
  });
  if (!saved.ok) throw new Error(`save: ${saved.error}`);
  return started.report;
}

async function fill(tenantId: Types.ObjectId, id: Types.ObjectId, part: Partial<ReportPart>) {
  const current = await YearlyReport.findOne({ tenantId, _id: id }).lean();
  const r = await saveYearlyReportPart({ tenantId, id, part: { ...EMPTY_REPORT_PART, ...part }, expectedVersion: current?.version ?? 0 });
  if (!r.ok) throw new Error(r.error);
  return r.report;
}

async function submit(w: Awaited<ReturnType<typeof world>>) {
  const current = await YearlyReport.findOne({ tenantId: w.tenant._id, _id: w.report._id }).lean();
  return submitYearlyReport({
    tenantId: w.tenant._id,
    id: w.report._id,
    expectedVersion: current?.version ?? 0,
    actor: { id: w.admin.user._id, email: w.admin.user.email },
  });
}

const accident = (occurredOn: string, f: Partial<ReportPart["accidents"][number]> = {}) => ({
  occurredOn,
  accidentClass: "general" as const,
  deaths: 0,
  seriousInjuries: 0,
  directLoss: 0,
  summary: "",
  ...f,
});
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe("opening and reminders", () => {
  it("opens one report per year of validity once, reminds at 30 and 7 days and on the overdue day, once each", async () => {
    const w = await world();
    const [slot] = reportSchedule(w.certificate, 30);
    expect(w.report).toMatchObject({ year: 1, certificateNumber: w.certificate.number, submittedAt: null, review: "none" });
    expect(w.report.dueAt.toISOString()).toBe(slot?.dueAt.toISOString());
    // Only the first year is open; runs again, two at a time, change nothing.
    await Promise.all([runYearlyReports(), runYearlyReports()]);
    expect(await YearlyReport.countDocuments({ tenantId: w.tenant._id })).toBe(1);
    expect(reportSchedule(w.certificate, 30)).toHaveLength(2);

    const due = w.report.dueAt.getTime();
    const both = (at: number) => Promise.all([runYearlyReports({ now: new Date(at) }), runYearlyReports({ now: new Date(at) })]);
    const mails = () => OutboxMessage.find({ tenantId: w.tenant._id, to: w.admin.user.email }).lean();
    await both(due - 31 * DAY);
    expect(await mails()).toHaveLength(0);
    await both(due - 30 * DAY + 60_000);
    await both(due - 20 * DAY);
    await both(due - 7 * DAY + 60_000);
    expect((await mails()).map((m) => [m.template, m.data.daysBefore])).toEqual([
      ["yearly-report-reminder", 30],
      ["yearly-report-reminder", 7],
    ]);
    expect((await listYearlyReports({ tenantId: w.tenant._id, filter: "due", now: new Date(due - DAY) })).total).toBe(1);

    const runs = await both(due + 60_000);
    expect(runs.reduce((n, r) => n + r.overdue, 0)).toBe(1);
    const after = await mails();
    expect(after.filter((m) => m.template === "yearly-report-overdue")).toHaveLength(1);
    const report = await YearlyReport.findOne({ tenantId: w.tenant._id, _id: w.report._id }).lean();
    // Overdue is itself a ground: a revocation review is open on "system not kept running".
    expect(report).toMatchObject({ review: "open", grounds: ["systemNotRunning"], remindersSent: [30, 7, 0] });
    const now = new Date(due + DAY);
    expect((await listYearlyReports({ tenantId: w.tenant._id, filter: "overdue", now })).items.map((i) => i.state)).toEqual(["overdue"]);
    expect((await listRevocationReviews({ tenantId: w.tenant._id, now })).total).toBe(1);
    expect((await listYearlyReportsForEnterprise({ tenantId: w.tenant._id, enterpriseId: w.enterprise._id, now }))[0]).toMatchObject({
      state: "overdue",
      review: "open",
    });
  });

  it("pages the regulator's list with exact totals, counting only when a page is full", async () => {
    const w = await world();
    const source = await YearlyReport.findOne({ tenantId: w.tenant._id, _id: w.report._id }).lean();
    if (!source) throw new Error("no report");
    const { _id: _ignored, ...rest } = source;
    await YearlyReport.collection.insertMany(
      Array.from({ length: 21 }, (_, i) => ({ ...rest, _id: new Types.ObjectId(), year: source.year + i + 1, dueAt: new Date(source.dueAt.getTime() + (i + 1) * DAY) })),
    );
    const pageOf = (page: number) => listYearlyReports({ tenantId: w.tenant._id, filter: "all", page });
    expect(await pageOf(1)).toMatchObject({ total: 22, pageSize: 20 });
    expect((await pageOf(1)).items).toHaveLength(20);
    expect(await pageOf(2)).toMatchObject({ total: 22, items: expect.any(Array) });
    expect((await pageOf(2)).items).toHaveLength(2);
    expect((await pageOf(3)).total).toBe(22);
    expect((await pageOf(3)).items).toHaveLength(0);
  });

  it("a revoked certificate owes no more reminders", async () => {
    const w = await world();
    await revokeCertificate({ tenantId: w.tenant._id, id: w.certificate._id, reason: "x", grounds: ["applicationFraud"], actor: w.actor });
    await runYearlyReports({ now: new Date(w.report.dueAt.getTime() + 60_000) });
    expect(await OutboxMessage.countDocuments({ tenantId: w.tenant._id, template: { $in: ["yearly-report-reminder", "yearly-report-overdue"] } })).toBe(0);
  });
});

describe("submitting", () => {
  it("a fatal accident flags a revocation review on that ground; the submitted report is read-only", async () => {
    const w = await world();
    expect((await submit(w)).ok).toBe(false); // no self-assessment yet
    await selfAssess(w, "full");
    await fill(w.tenant._id, w.report._id, {
      accidents: [accident(today(), { accidentClass: "general", deaths: 1, directLoss: 800_000 })],
      hazards: { found: 3, fixed: 3, overdue: 0 },
      changes: { ...EMPTY_REPORT_PART.changes, principal: { changed: true, detail: "主要负责人变更为张三" } },
    });
    const result = await submit(w);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.report).toMatchObject({ score: 100, minScore: 60, belowBand: false, grounds: ["fatalAccident"], review: "open" });
    expect(result.report.changes.principal).toEqual({ changed: true, detail: "主要负责人变更为张三" });
    expect((await listYearlyReports({ tenantId: w.tenant._id, filter: "submitted" })).items.map((i) => i.id)).toEqual([String(w.report._id)]);
    expect((await listYearlyReports({ tenantId: w.tenant._id, filter: "due" })).total).toBe(0);
    expect((await listYearlyReports({ tenantId: w.tenant._id, filter: "all" })).total).toBe(1);
    const reviews = await listRevocationReviews({ tenantId: w.tenant._id });
    expect(reviews.items.map((i) => [i.id, i.state, i.grounds])).toEqual([[String(w.report._id), "submitted", ["fatalAccident"]]]);
    // The regulator's home shows it as a task, linked to the same filtered list.
    const regulatorHome = await callLoader(homeLoader, `/t/${w.tenant.slug}`, { slug: w.tenant.slug }, { cookie: await cookieFor(w.regulator.user._id) });
    expect((regulatorHome.data as { todos: TodoItem[] }).todos.find((i) => i.key === "regulator.revocationReviews")).toMatchObject({
      count: 1,
      href: `/t/${w.tenant.slug}/yearly-reports?filter=review`,
      entries: [{ href: `/t/${w.tenant.slug}/yearly-reports/${String(w.report._id)}` }],
    });

    // Read-only from now on.
    expect(await saveYearlyReportPart({ tenantId: w.tenant._id, id: w.report._id, part: EMPTY_REPORT_PART, expectedVersion: result.report.version })).toEqual({ ok: false, error: "submitted" });
    expect((await submit(w)).ok).toBe(false);

    // The regulator closes the review.
    const closed = await closeRevocationReview({
      tenantId: w.tenant._id,
      id: w.report._id,
      note: "已撤销证书",
      expectedVersion: result.report.version,
      actor: w.actor,
    });
    expect(closed.ok && closed.report.review).toBe("done");
    expect((await listRevocationReviews({ tenantId: w.tenant._id })).total).toBe(0);
  });

  it("accidents totalling 3 serious injuries within 12 months flag the totals ground; a score below the band flags too", async () => {
    const w = await world();
    await selfAssess(w, "none");
    await fill(w.tenant._id, w.report._id, {
      accidents: [accident(today(), { seriousInjuries: 2 }), accident(today(), { seriousInjuries: 1 })],
    });
    const result = await submit(w);
    expect(result.ok && result.report).toMatchObject({ belowBand: true, grounds: ["accidentTotals"], review: "open" });
    if (result.ok) expect(result.report.score).toBeLessThan(60);
  });

  it("the enterprise's home lists the report to submit with its due date, and drops it once submitted", async () => {
    const w = await world();
    const home = async () => {
      const res = await callLoader(homeLoader, `/t/${w.tenant.slug}`, { slug: w.tenant.slug }, { cookie: await cookieFor(w.admin.user._id) });
      expect(res.status).toBe(200);
      return (res.data as { todos: TodoItem[] }).todos.find((i) => i.key === "enterprise.yearlyReport");
    };
    expect(await home()).toMatchObject({
      count: 1,
      href: `/t/${w.tenant.slug}/yearly-reports`,
      deadline: w.report.dueAt.toISOString(),
      entries: [{ href: `/t/${w.tenant.slug}/yearly-reports/${String(w.report._id)}` }],
    });
    await selfAssess(w, "full");
    const result = await submit(w);
    expect(result.ok).toBe(true);
    expect(await home()).toBeUndefined();
  });

  it("a clean report at the level's score opens no review", async () => {
    const w = await world();
    await selfAssess(w, "full");
    await fill(w.tenant._id, w.report._id, { accidents: [accident(today(), { seriousInjuries: 2, directLoss: 999_999 })] });
    const result = await submit(w);
    expect(result.ok && result.report).toMatchObject({ belowBand: false, grounds: [], review: "none" });
  });

  it("refuses to submit an incomplete self-assessment", async () => {
    const w = await world();
    const actor = { id: w.admin.user._id, email: w.admin.user.email, role: "enterprise_admin" };
    expect((await startReportSelfAssessment({ tenantId: w.tenant._id, id: w.report._id, actor })).ok).toBe(true);
    const r = await submit(w);
    expect(r.ok ? null : r.error).toBe("unanswered");
    expect((await YearlyReport.findOne({ tenantId: w.tenant._id, _id: w.report._id }).lean())?.submittedAt).toBeNull();
  });
});
