/**
 * Transparency of the review (Step 10, issue 14 item 5): after the report, the authority (and an
 * organizing unit, any reader of every application) and the panel see the item-by-item comparison
 * of the self-assessment and the review; after the authority's decision the enterprise sees it
 * too, unless the tenant turned `showReviewResultsToEnterprise` off.
 */
import { Assessment, type AssessmentDoc, type StoredAnswer } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { Tenant, type TenantSettings } from "../../../models/tenant";
import { connectDb } from "~/db.server";
import { itemObtained, plainAnswer, textOf } from "~/lib/assessment/answers";
import { can } from "~/lib/permissions";
import type { Rubric, RubricItem } from "~/lib/rubric/schema";
import { scoreAssessment } from "~/lib/scoring/engine";
import { toObjectId, type TenantScope } from "../ids.server";
import { canViewApplication, isAssignedReviewer, type GradingMember } from "./access.server";
import { loadAssessmentRubric } from "../assessments.server";
import { panelOf, scoreSheet, sheetOf } from "./review-sheet.server";

/** States after the authority's decision on the report (审核). */
export function isDecided(state: string): boolean {
  return state === "approved" || state.startsWith("publicNotice") || state === "certified" || state === "certifiedLowerLevel" || state === "rejected";
}

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

export type ComparisonFilter = "all" | "diff" | "deductions";

export type AnswerSide = {
  choice: StoredAnswer["choice"] | null;
  obtained: number | null;
  deductions: Array<{ text: string; count: number; note: string }>;
  naReason: string;
  note: string;
};

export type ComparisonRow = {
  itemId: string;
  elementId: string;
  text: string;
  points: number;
  self: AnswerSide;
  review: AnswerSide;
  differs: boolean;
  deducted: boolean;
  evidence: Array<{ fileId: string; filename: string }>;
};

function side(item: RubricItem, answer: StoredAnswer | undefined, locale: string): AnswerSide {
  if (!answer) return { choice: null, obtained: null, deductions: [], naReason: "", note: "" };
  const deductions =
    answer.choice === "partial"
      ? (answer.deductions ?? []).map((d) => ({
          text: textOf(item.deductionRules.find((r) => r.id === d.rule)?.text ?? { zh: d.rule }, locale),
          count: d.count,
          note: d.note ?? "",
        }))
      : [];
  return {
    choice: answer.choice,
    obtained: itemObtained(item, plainAnswer(answer)),
    deductions,
    naReason: answer.choice === "na" ? (answer.naReason ?? "") : "",
    note: answer.note ?? "",
  };
}

/** Every item's row, rubric order (pure: unit-testable and shared with the PDF). */
export function comparisonRows(
  rubric: Rubric,
  self: ReadonlyArray<StoredAnswer & { itemId: string }>,
  review: ReadonlyArray<StoredAnswer & { itemId: string }>,
  evidence: AssessmentDoc["evidence"],
  locale: string,
): ComparisonRow[] {
  const selfBy = new Map(self.map((a) => [a.itemId, a]));
  const reviewBy = new Map(review.map((a) => [a.itemId, a]));
  const files = new Map<string, Array<{ fileId: string; filename: string }>>();
  for (const e of evidence) {
    const list = files.get(e.itemId) ?? [];
    list.push({ fileId: String(e.fileId), filename: e.filename });
    files.set(e.itemId, list);
  }
  const rows: ComparisonRow[] = [];
  for (const el of rubric.elements) {
    for (const sub of el.subElements) {
      for (const item of sub.items) {
        const s = side(item, selfBy.get(item.id), locale);
        const r = side(item, reviewBy.get(item.id), locale);
        rows.push({
          itemId: item.id,
          elementId: el.id,
          text: textOf(item.text, locale),
          points: item.points,
          self: s,
          review: r,
          differs: s.choice !== r.choice || s.obtained !== r.obtained,
          deducted: r.choice === "none" || r.deductions.length > 0 || (r.obtained !== null && r.obtained < item.points),
          evidence: files.get(item.id) ?? [],
        });
      }
    }
  }
  return rows;
}

export function filterRows(rows: ComparisonRow[], filter: ComparisonFilter): ComparisonRow[] {
  if (filter === "diff") return rows.filter((r) => r.differs);
  if (filter === "deductions") return rows.filter((r) => r.deducted);
  return rows;
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
    Assessment.findOne({ tenantId, _id }).lean<AssessmentDoc>(),
    Tenant.findOne({ _id: tenantId }).select({ settings: 1, name: 1, authority: 1 }).lean<{ settings: TenantSettings; name: { zh: string; en: string }; authority: { zh: string; en: string } }>(),
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
