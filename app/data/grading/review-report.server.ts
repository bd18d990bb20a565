/**
 * The data of the review report PDF (评审报告), from the filed report, the consolidated sheet and
 * the panel. Who may download it is who may read the review results (review-results.server.ts).
 */
import type { Types } from "mongoose";
import { Expert } from "../../../models/expert";
import type { Locale } from "~/i18n";
import { textOf } from "~/lib/assessment/answers";
import type { RectificationLine, ReviewReportData } from "~/pdf/review-report.server";
import { editorNames } from "../assessments.server";
import { connectDb } from "~/db.server";
import { toObjectId, type TenantScope } from "../ids.server";
import type { GradingMember } from "./access.server";
import { rectificationSummary, type RectificationSummaryRow } from "./rectification.server";
import { loadReviewResults, type ResultsAccess } from "./review-results.server";

/**
 * The rectification items (整改项) and their closure, from the per-item rectification records:
 * the enterprise's answer, or the reviewer's reason when the item was left open.
 */
export function rectificationLines(rows: readonly RectificationSummaryRow[]): RectificationLine[] {
  return rows.map((r) => ({
    itemId: r.itemId,
    requirement: r.itemTitle,
    deadline: r.deadline,
    closedAt: r.status === "accepted" ? r.closedAt : null,
    note: r.leftOpenReason ?? r.note ?? "",
  }));
}

/** Expert certificate numbers of the panel (user id → number) from the tenant's expert register. */
export async function panelCertificateNumbers(tenantId: Types.ObjectId, userIds: readonly string[]): Promise<Record<string, string>> {
  const ids = userIds.flatMap((id) => {
    const oid = toObjectId(id);
    return oid ? [oid] : [];
  });
  if (ids.length === 0) return {};
  await connectDb();
  const experts = await Expert.find({ tenantId, userId: { $in: ids } })
    .select({ userId: 1, certificateNo: 1 })
    .lean<Array<{ userId: Types.ObjectId; certificateNo: string }>>();
  return Object.fromEntries(experts.map((e) => [String(e.userId), e.certificateNo]));
}

export async function loadReviewReportData({
  tenantId,
  id,
  member,
  locale,
}: TenantScope & { id: string; member: GradingMember | null; locale: Locale }): Promise<
  { ok: true; data: ReviewReportData } | { ok: false; access: ResultsAccess }
> {
  const results = await loadReviewResults({ tenantId, id, member, locale });
  if (!results.ok) return results;
  const { doc, rubric, panel, reviewBreakdown, tenant } = results;
  const report = doc.review?.report;
  if (!report) return { ok: false, access: "notReported" };
  const [names, numbers, rectifications] = await Promise.all([
    editorNames(panel.reviewers),
    panelCertificateNumbers(tenantId, panel.reviewers),
    rectificationSummary(tenantId, doc._id),
  ]);
  const levelName = (key: string | null | undefined) => (key ? textOf(rubric.levels.find((l) => l.key === key)?.name ?? { zh: key }, locale) : null);
  const started = [...doc.history].reverse().find((h) => h.event === "START_REVIEW" && h.at.getTime() <= report.at.getTime());
  return {
    ok: true,
    data: {
      locale,
      applicationId: String(doc._id),
      authority: textOf(tenant.authority, locale),
      enterprise: results.enterprise,
      cycle: doc.cycle,
      appliedLevel: levelName(doc.appliedLevel),
      rubricTitle: textOf(rubric.title, locale),
      panel: panel.reviewers.map((uid) => ({ name: names[uid] ?? "", lead: uid === panel.lead, certificateNo: numbers[uid] ?? null })),
      reviewStartedAt: started?.at ?? null,
      reportedAt: report.at,
      elements: reviewBreakdown.elements.map((e) => ({ id: e.id, title: textOf(e.title, locale), standard: e.standard, obtained: e.obtained })),
      score: report.score ?? reviewBreakdown.score,
      deductions: reviewBreakdown.deductions.map((d) => ({ itemId: d.itemId, text: textOf(d.text, locale), count: d.count, points: d.points, note: d.note ?? "" })),
      rectifications: rectificationLines(rectifications),
      recommendedLevel: levelName(report.recommendedLevel),
      scoreLevel: levelName(report.scoreLevel ?? reviewBreakdown.level),
      reason: report.reason,
    },
  };
}
