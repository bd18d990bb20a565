/**
 * Transparency of the review (Step 10, issue 14 item 5): after the report, the authority (and an
 * organizing unit, any reader of every application) and the panel see the item-by-item comparison
 * of the self-assessment and the review; after the authority's decision the enterprise sees it
 * too, unless the tenant turned `showReviewResultsToEnterprise` off.
 */
import { getTenantById } from "../tenants.server";
import { type AssessmentDoc } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import type { TenantSettings } from "../../../models/tenant";
import { connectDb } from "~/db.server";
import { plainAnswer } from "~/lib/assessment/answers";
import { can } from "~/lib/permissions";
import { scoreAssessment } from "~/lib/scoring/engine";
import { toObjectId, type TenantScope } from "../ids.server";
import { canViewApplication, isAssignedReviewer, type GradingMember } from "./access.server";
import { loadAssessmentRubric } from "../assessments.server";
import { panelOf, scoreSheet, sheetOf } from "./review-sheet.server";
import { comparisonRows, isDecided } from "~/lib/review/comparison";
import { readAssessmentView } from "~/data/assessments/view-read.server";

export function showsResultsToEnterprise(settings: Pick<TenantSettings, "showReviewResultsToEnterprise">): boolean {
  return settings.showReviewResultsToEnterprise !== false;
}

export type ResultsAccess = "allowed" | "notFound" | "notReported" | "notDecided" | "hidden";

/** Who may read the review results of this application now. */
export function reviewResultsAccess(
  member: GradingMember,
  doc: Pick<AssessmentDoc, "tenantId" | "enterpriseId" | "reviewerIds" | "state" | "review">,
  settings: Pick<TenantSettings, "showReviewResultsToEnterprise">,
): ResultsAccess {
  if (!canViewApplication(member, doc)) return "notFound";
  if (!doc.review?.report) return "notReported";
  if (can(member.permissions, "read:assessment:any") || isAssignedReviewer(member, doc)) return "allowed";
  if (!isDecided(doc.state)) return "notDecided";
  return showsResultsToEnterprise(settings) ? "allowed" : "hidden";
}

/** The application with its rubric, both sheets scored, for the comparison page and the report PDF. */
export async function loadReviewResults({
  tenantId,
  id,
  member,
  locale,
}: TenantScope & { id: string; member: GradingMember | null; locale: string }) {
  const _id = toObjectId(id);
  if (!_id) return { ok: false as const, access: "notFound" as const };
  await connectDb();
  const [doc, tenant] = await Promise.all([
    readAssessmentView(tenantId, _id),
    getTenantById(tenantId),
  ]);
  if (!doc || !tenant) return { ok: false as const, access: "notFound" as const };
  const access = member ? reviewResultsAccess(member, doc, tenant.settings) : "allowed";
  if (access !== "allowed") return { ok: false as const, access };
  const [{ rubric, weights }, enterprise] = await Promise.all([
    loadAssessmentRubric({ tenantId, assessment: doc }),
    Enterprise.findOne({ tenantId, _id: doc.enterpriseId }).select({ name: 1, creditCode: 1 }).lean<{ name: string; creditCode: string }>(),
  ]);
  const panel = panelOf(doc);
  const sheet = sheetOf(doc.review, panel);
  const selfBreakdown = scoreAssessment({
    rubric,
    weights,
    answers: { answers: Object.fromEntries(doc.answers.map((a) => [a.itemId, plainAnswer(a)])), performance: Object.fromEntries(doc.performance.map((p) => [p.conditionId, p.passed])) },
    levelsAllowed: tenant.settings.grantableLevels,
    maxCandidates: 0,
  });
  const reviewBreakdown = scoreSheet(rubric, weights, sheet, doc, tenant.settings);
  return {
    ok: true as const,
    doc,
    tenant,
    rubric,
    panel,
    sheet,
    enterprise: { name: enterprise?.name ?? "", creditCode: enterprise?.creditCode ?? "" },
    selfBreakdown,
    reviewBreakdown,
    rows: comparisonRows(rubric, doc.answers, sheet.answers, doc.evidence, locale),
    legacy: !doc.review?.sheet,
  };
}
