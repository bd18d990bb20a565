/**
 * The data of the review report PDF (评审报告), from the filed report, the consolidated sheet and
 * the panel. Who may download it is who may read the review results (review-results.server.ts).
 */
import type { AssessmentDoc } from "../../../models/assessment";
import type { Locale } from "~/i18n";
import { textOf } from "~/lib/assessment/answers";
import type { RectificationLine, ReviewReportData } from "~/pdf/review-report.server";
import { editorNames } from "../assessments.server";
import type { TenantScope } from "../ids.server";
import type { GradingMember } from "./access.server";
import { loadReviewResults, type ResultsAccess } from "./review-results.server";

/**
 * The rectification items and their closure. Per-item rectification (issue 14 item 6) is built in
 * another step; until it stores its items this returns none, and the report says so.
 */
export function rectificationLines(_doc: Pick<AssessmentDoc, "review">): RectificationLine[] {
  return [];
}

/** Expert certificate numbers of the panel (user id → number), when an expert register exists. */
export async function panelCertificateNumbers(_userIds: readonly string[]): Promise<Record<string, string>> {
  return {};
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
  const [names, numbers] = await Promise.all([editorNames(panel.reviewers), panelCertificateNumbers(panel.reviewers)]);
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
      rectifications: rectificationLines(doc),
      recommendedLevel: levelName(report.recommendedLevel),
      scoreLevel: levelName(report.scoreLevel ?? reviewBreakdown.level),
      reason: report.reason,
    },
  };
}
