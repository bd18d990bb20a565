/**
 * Yearly self-assessment reports (年度自评报告; issue 16, item 1; rules in app/lib/yearly-report.ts).
 * The enterprise fills the structured part (accidents, major hazards, changes), runs the
 * self-assessment wizard on the certificate's pinned rubric (answers carried over from the certified
 * application) and submits; a submitted report is read-only. Submission scores the self-assessment
 * and flags a revocation review when the score is below the certified level's band or the report
 * shows a revocation ground. Writes are compare-and-set on `version` (decision 001).
 *
 * For other screens (home to-do lists): `listYearlyReportsForEnterprise` (what an enterprise owes)
 * and `listRevocationReviews` (what a tenant's regulators have to decide).
 */
import { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../../models/assessment";
import { Tenant, type TenantSettings } from "../../../models/tenant";
import { YearlyReport, type YearlyReportDoc } from "../../../models/yearly-report";
import { shanghaiDay } from "~/lib/certificate";
import type { Permission } from "~/lib/permissions";
import {
  needsReview,
  reportState,
  reviewFlags,
  type ReportPart,
  type YearlyReportFilter,
  type YearlyReportState,
} from "~/lib/yearly-report";
import { startAssessment, type AssessmentActor } from "../assessments.server";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { submissionFacts } from "../grading/facts.server";
import { toObjectId, type TenantScope } from "../ids.server";

export type YearlyReportRecord = YearlyReportDoc;

export { yearlyReportDueDays } from "~/lib/yearly-report";

// ---------------------------------------------------------------------------------------------
// Read

export type ReportViewer = { enterpriseId: Types.ObjectId | null; permissions: readonly Permission[] };

export async function getYearlyReport({
  tenantId,
  id,
}: TenantScope & { id: string | Types.ObjectId }): Promise<YearlyReportRecord | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  return YearlyReport.findOne({ tenantId, _id }).lean<YearlyReportRecord>();
}

/** The report if the viewer may see it (regulator: any; enterprise: its own); else null → 404. */
export async function findVisibleYearlyReport({
  tenantId,
  id,
  viewer,
}: TenantScope & { id: string; viewer: ReportViewer }): Promise<YearlyReportRecord | null> {
  const report = await getYearlyReport({ tenantId, id });
  if (!report) return null;
  if (viewer.permissions.includes("read:certificate:any")) return report;
  const own =
    viewer.permissions.includes("read:certificate:own") &&
    viewer.enterpriseId !== null &&
    viewer.enterpriseId.equals(report.enterpriseId);
  return own ? report : null;
}

export type YearlyReportListItem = {
  id: string;
  enterpriseId: string;
  enterpriseName: string;
  certificateNumber: string;
  year: number;
  dueAt: string;
  state: YearlyReportState;
  score: number | null;
  review: "none" | "open" | "done";
  belowBand: boolean;
  grounds: string[];
};

const LIST_FIELDS = {
  enterpriseId: 1,
  enterpriseName: 1,
  certificateNumber: 1,
  year: 1,
  dueAt: 1,
  submittedAt: 1,
  score: 1,
  review: 1,
  belowBand: 1,
  grounds: 1,
} as const;
type ListDoc = Pick<YearlyReportDoc, "_id" | keyof typeof LIST_FIELDS>;

function listItem(d: ListDoc, now: Date): YearlyReportListItem {
  return {
    id: String(d._id),
    enterpriseId: String(d.enterpriseId),
    enterpriseName: d.enterpriseName,
    certificateNumber: d.certificateNumber,
    year: d.year,
    dueAt: d.dueAt.toISOString(),
    state: reportState(d, now),
    score: d.score,
    review: d.review,
    belowBand: d.belowBand,
    grounds: d.grounds,
  };
}

export { YEARLY_REPORT_FILTERS, type YearlyReportFilter } from "~/lib/yearly-report";
export const YEARLY_REPORT_PAGE_SIZE = 20;

function filterOf(
  tenantId: Types.ObjectId,
  filter: YearlyReportFilter,
  now: Date,
): Record<string, unknown> & TenantScope {
  switch (filter) {
    case "due":
      return { tenantId, submittedAt: null, dueAt: { $gt: now } };
    case "overdue":
      return { tenantId, submittedAt: null, dueAt: { $lte: now } };
    case "submitted":
      return { tenantId, submittedAt: { $ne: null } };
    case "review":
      return { tenantId, review: "open" };
    case "all":
      return { tenantId };
  }
}

/** The regulator's list: slim documents, one bounded page, by due date. */
export async function listYearlyReports({
  tenantId,
  filter = "all",
  page = 1,
  now = new Date(),
}: TenantScope & { filter?: YearlyReportFilter; page?: number; now?: Date }): Promise<{
  items: YearlyReportListItem[];
  total: number;
  page: number;
  pageSize: number;
}> {
  const query = filterOf(tenantId, filter, now);
  const size = YEARLY_REPORT_PAGE_SIZE;
  const current = Math.max(1, Math.floor(page));
  const docs = await YearlyReport.find(query)
    .sort({ dueAt: 1, _id: 1 })
    .skip((current - 1) * size)
    .limit(size)
    .select(LIST_FIELDS)
    .lean<ListDoc[]>();
  // A short page (the to-do home's usual case: a few open reviews) is the last: no count needed.
  const short = docs.length < size && (docs.length > 0 || current === 1);
  const total = short ? (current - 1) * size + docs.length : await YearlyReport.countDocuments(query);
  return { items: docs.map((d) => listItem(d, now)), total, page: current, pageSize: size };
}

/** What an enterprise owes and has sent (a handful per certificate), earliest due first. */
export async function listYearlyReportsForEnterprise({
  tenantId,
  enterpriseId,
  now = new Date(),
}: TenantScope & { enterpriseId: Types.ObjectId; now?: Date }): Promise<YearlyReportListItem[]> {
  const docs = await YearlyReport.find({ tenantId, enterpriseId })
    .sort({ dueAt: 1 })
    .limit(100)
    .select(LIST_FIELDS)
    .lean<ListDoc[]>();
  return docs.map((d) => listItem(d, now));
}

/** Reports flagged for a revocation review that no regulator has decided yet (tenant to-do list). */
export async function listRevocationReviews({
  tenantId,
  page = 1,
  now = new Date(),
}: TenantScope & { page?: number; now?: Date }) {
  return listYearlyReports({ tenantId, filter: "review", page, now });
}

// ---------------------------------------------------------------------------------------------
// Write

export type ReportError =
  | "notFound"
  | "submitted"
  | "conflict"
  | "noSelfAssessment"
  | "unanswered"
  | "notOpen"
  | "startFailed";
export type ReportResult = { ok: true; report: YearlyReportRecord } | { ok: false; error: ReportError; detail?: string };

async function reload(tenantId: Types.ObjectId, id: Types.ObjectId): Promise<ReportResult> {
  const report = await getYearlyReport({ tenantId, id });
  return report ? { ok: true, report } : { ok: false, error: "notFound" };
}

export async function saveYearlyReportPart({
  tenantId,
  id,
  part,
  expectedVersion,
}: TenantScope & { id: Types.ObjectId; part: ReportPart; expectedVersion: number }): Promise<ReportResult> {
  const report = await getYearlyReport({ tenantId, id });
  if (!report) return { ok: false, error: "notFound" };
  if (report.submittedAt) return { ok: false, error: "submitted" };
  if (report.version !== expectedVersion) return { ok: false, error: "conflict" };
  const won = await casUpdate(
    YearlyReport,
    { _id: report._id, tenantId, expectedVersion, extra: { submittedAt: null } },
    { $set: { accidents: part.accidents, hazards: part.hazards, changes: part.changes, note: part.note } },
  );
  return won ? reload(tenantId, report._id) : { ok: false, error: "conflict" };
}

/** The cycle a report's self-assessment runs in: the calendar year of the anniversary. */
export function reportCycle(report: Pick<YearlyReportDoc, "periodEnd">): string {
  return String(shanghaiDay(report.periodEnd).year);
}

/**
 * Starts (or links) the self-assessment for the report: the wizard on the certified application's
 * pinned rubric version, answers and evidence carried over from that application.
 */
export async function startReportSelfAssessment({
  tenantId,
  id,
  actor,
  ip,
}: TenantScope & { id: Types.ObjectId; actor: AssessmentActor; ip?: string }): Promise<ReportResult> {
  const report = await getYearlyReport({ tenantId, id });
  if (!report) return { ok: false, error: "notFound" };
  if (report.submittedAt) return { ok: false, error: "submitted" };
  if (report.assessmentId) return { ok: true, report };
  const application = await Assessment.findOne({ tenantId, _id: report.applicationId })
    .select({ rubricVersionId: 1 })
    .lean<Pick<AssessmentDoc, "_id" | "rubricVersionId">>();
  if (!application) return { ok: false, error: "notFound" };
  const started = await startAssessment({
    tenantId,
    enterpriseId: report.enterpriseId,
    actor,
    cycle: reportCycle(report),
    rubricVersionId: application.rubricVersionId,
    fromPrevious: application._id,
    ip,
  });
  let assessmentId: Types.ObjectId | null = null;
  if (started.ok) assessmentId = started.assessment._id;
  // The enterprise already self-assesses in that year: the report uses that self-assessment.
  else if (started.error === "exists" && started.existingId) assessmentId = new Types.ObjectId(started.existingId);
  else return { ok: false, error: "startFailed", detail: started.error };
  const won = await casUpdate(
    YearlyReport,
    { _id: report._id, tenantId, expectedVersion: report.version, extra: { assessmentId: null } },
    { $set: { assessmentId } },
  );
  return won ? reload(tenantId, report._id) : { ok: false, error: "conflict" };
}

export async function submitYearlyReport({
  tenantId,
  id,
  expectedVersion,
  actor,
  ip,
  now = new Date(),
}: TenantScope & {
  id: Types.ObjectId;
  expectedVersion: number;
  actor: { id: Types.ObjectId; email: string };
  ip?: string;
  now?: Date;
}): Promise<ReportResult> {
  const report = await getYearlyReport({ tenantId, id });
  if (!report) return { ok: false, error: "notFound" };
  if (report.submittedAt) return { ok: false, error: "submitted" };
  if (report.version !== expectedVersion) return { ok: false, error: "conflict" };
  if (!report.assessmentId) return { ok: false, error: "noSelfAssessment" };
  const [assessment, tenant] = await Promise.all([
    Assessment.findOne({ tenantId, _id: report.assessmentId }).lean<AssessmentDoc>(),
    Tenant.findOne({ _id: tenantId }).select({ settings: 1 }).lean<{ settings: TenantSettings }>(),
  ]);
  if (!assessment || !tenant) return { ok: false, error: "noSelfAssessment" };
  const facts = await submissionFacts({ tenantId, doc: assessment, settings: tenant.settings });
  if (facts.unanswered.length > 0)
    return { ok: false, error: "unanswered", detail: String(facts.unanswered.length) };
  const score = facts.score.selfScore;
  const minScore = facts.minScores[report.level] ?? null;
  const flags = reviewFlags({ score, minScore, part: report, asOf: now });
  const grounds = [...new Set([...report.grounds, ...flags.grounds])];
  const review = needsReview(flags) || report.review === "open" ? "open" : report.review;
  const won = await casUpdate(
    YearlyReport,
    { _id: report._id, tenantId, expectedVersion, extra: { submittedAt: null } },
    {
      $set: {
        submittedAt: now,
        submittedBy: actor.id,
        score,
        minScore,
        belowBand: flags.belowBand,
        grounds,
        review,
      },
    },
  );
  if (!won) return { ok: false, error: "conflict" };
  await recordAudit({
    tenantId,
    action: "yearlyReport.submitted",
    actor,
    ip,
    target: { type: "yearlyReport", id: String(report._id), label: `${report.certificateNumber} #${report.year}` },
    details: { score, minScore, belowBand: flags.belowBand, grounds, review },
    at: now,
  });
  return reload(tenantId, report._id);
}

/** The regulator closes a revocation review (after revoking, or deciding not to), with a note. */
export async function closeRevocationReview({
  tenantId,
  id,
  note,
  expectedVersion,
  actor,
  ip,
  now = new Date(),
}: TenantScope & {
  id: Types.ObjectId;
  note: string;
  expectedVersion: number;
  actor: { id: Types.ObjectId; email: string };
  ip?: string;
  now?: Date;
}): Promise<ReportResult> {
  const report = await getYearlyReport({ tenantId, id });
  if (!report) return { ok: false, error: "notFound" };
  if (report.review !== "open") return { ok: false, error: "notOpen" };
  const won = await casUpdate(
    YearlyReport,
    { _id: report._id, tenantId, expectedVersion, extra: { review: "open" } },
    { $set: { review: "done", reviewNote: note, reviewedAt: now, reviewedBy: actor.id } },
  );
  if (!won) return { ok: false, error: "conflict" };
  await recordAudit({
    tenantId,
    action: "yearlyReport.reviewClosed",
    actor,
    ip,
    target: { type: "yearlyReport", id: String(report._id), label: `${report.certificateNumber} #${report.year}` },
    details: { note },
    at: now,
  });
  return reload(tenantId, report._id);
}
