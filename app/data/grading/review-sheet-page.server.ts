/**
 * What the review sheet page shows, one element at a time (issue 13 item 5: the page stays light,
 * so only the element on screen travels with its rubric text, answers and evidence).
 */
import { getTenantById } from "../tenants.server";
import { Enterprise } from "../../../models/enterprise";
import { connectDb } from "~/db.server";
import type { AnswerView } from "~/lib/assessment/answers";
import { elementPages, gapsInPart } from "~/lib/review/sheet";
import type { LocalizedText, Rubric, RubricElement } from "~/lib/rubric/schema";
import { REVIEW_SCORING_STATES } from "~/workflows/grading-input";
import { answerView, editorNames, evidenceView, type EvidenceView } from "../assessments.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { isAssignedReviewer, type GradingMember } from "./access.server";
import { sheetState } from "./review-sheet.server";
import { readAssessmentView } from "~/data/assessments/view-read.server";

export type SheetElementNav = {
  id: string;
  title: LocalizedText;
  ownerId: string | null;
  items: number;
  scored: number;
};

export type ReviewSheetPage = NonNullable<Awaited<ReturnType<typeof getReviewSheetPage>>>;

/**
 * Only the element on screen: the rubric keeps its shape with one element, without what the
 * sheet never shows (description, performance conditions: the review scores items only).
 */
function onePageRubric(rubric: Rubric, element: RubricElement, subElements: RubricElement["subElements"]): Rubric {
  return { ...rubric, description: { zh: "" }, performanceConditions: [], elements: [{ ...element, subElements }] };
}

/** The element and page to show: the one holding `itemId` (links to an item), else the element asked for. */
function pickPage(rubric: Rubric, owners: ReadonlyMap<string, string | null>, me: string, want: { elementId: string | null; part: number; itemId: string | null }) {
  const holding = want.itemId
    ? rubric.elements.find((e) => e.subElements.some((sub) => sub.items.some((i) => i.id === want.itemId)))
    : undefined;
  const element =
    holding ?? rubric.elements.find((e) => e.id === want.elementId) ?? rubric.elements.find((e) => owners.get(e.id) === me) ?? rubric.elements[0];
  if (!element) return null;
  const pages = elementPages(element.subElements);
  const byItem = want.itemId ? pages.findIndex((p) => p.some((sub) => sub.items.some((i) => i.id === want.itemId))) : -1;
  const index = byItem >= 0 ? byItem : Math.min(Math.max(want.part, 1), pages.length) - 1;
  return { element, pages, index, subElements: pages[index] ?? [] };
}

export async function getReviewSheetPage({
  tenantId,
  id,
  member,
  elementId,
  part = 1,
  itemId = null,
}: TenantScope & { id: string; member: GradingMember; elementId: string | null; part?: number; itemId?: string | null }) {
  const _id = toObjectId(id);
  if (!_id) return null;
  await connectDb();
  const doc = await readAssessmentView(tenantId, _id);
  if (!doc || !isAssignedReviewer(member, doc)) return null;
  const [tenant, enterprise] = await Promise.all([
    getTenantById(tenantId),
    Enterprise.findOne({ tenantId, _id: doc.enterpriseId }).select({ name: 1 }).lean<{ name: string }>(),
  ]);
  if (!tenant) return null;
  const state = await sheetState({ tenantId, doc, settings: tenant.settings });
  const me = String(member.user._id);
  const { rubric, sheet, owners, gaps, panel } = state;
  const picked = pickPage(rubric, owners, me, { elementId, part, itemId });
  if (!picked) return null;
  const { element } = picked;
  const itemIds = new Set(picked.subElements.flatMap((sub) => sub.items.map((i) => i.id)));
  const scoredIds = new Set(sheet.answers.map((a) => a.itemId));
  const nav: SheetElementNav[] = rubric.elements.map((el) => {
    const ids = el.subElements.flatMap((sub) => sub.items.map((i) => i.id));
    return { id: el.id, title: el.title, ownerId: owners.get(el.id) ?? null, items: ids.length, scored: ids.filter((x) => scoredIds.has(x)).length };
  });
  const names = await editorNames([...panel.reviewers, ...sheet.answers.filter((a) => itemIds.has(a.itemId)).map((a) => a.updatedBy)]);
  const editable = (REVIEW_SCORING_STATES as readonly string[]).includes(doc.state);
  const selfAnswers: AnswerView[] = doc.answers.filter((a) => itemIds.has(a.itemId)).map(answerView);
  const evidence: Record<string, EvidenceView[]> = {};
  for (const ref of doc.evidence) if (itemIds.has(ref.itemId)) (evidence[ref.itemId] ??= []).push(evidenceView(ref));
  const confirmations = new Map(sheet.confirmations.map((c) => [c.userId, c]));
  return {
    id: String(doc._id),
    version: doc.version,
    state: doc.state,
    cycle: doc.cycle,
    enterpriseName: enterprise?.name ?? "",
    editable,
    me,
    isLead: panel.lead === me,
    rubric: onePageRubric(rubric, element, picked.subElements),
    elementId: element.id,
    /** 1-based page of the element (large elements are split at sub-element boundaries). */
    part: picked.index + 1,
    parts: picked.pages.length,
    /** Pages of every element, for prev/next. */
    pageCounts: Object.fromEntries(rubric.elements.map((el) => [el.id, elementPages(el.subElements).length])),
    nav,
    canEditElement: editable && owners.get(element.id) === me,
    answers: sheet.answers.filter((a) => itemIds.has(a.itemId)).map(answerView),
    selfAnswers,
    evidence,
    members: panel.reviewers.map((uid) => ({
      id: uid,
      name: names[uid] ?? "",
      lead: uid === panel.lead,
      confirmedAt: confirmations.get(uid)?.at.toISOString() ?? null,
      openItems: gapsInPart(gaps, owners, uid).length,
    })),
    editors: names,
    summary: {
      score: state.breakdown.score,
      level: state.breakdown.level,
      scoreLevel: state.scoreLevel,
      answered: state.breakdown.counts.answered + state.breakdown.counts.na,
      items: state.breakdown.counts.items,
    },
    levels: rubric.levels.map((l) => ({ key: l.key, name: l.name })),
    gaps: {
      unscored: gaps.unscored,
      naWithoutReason: gaps.naWithoutReason,
      unconfirmed: gaps.unconfirmed.map((uid) => ({ id: uid, name: names[uid] ?? uid })),
    },
    reported: Boolean(doc.review?.report),
    legacy: !doc.review?.sheet && Object.keys(doc.review?.byReviewer ?? {}).length > 0,
  };
}
