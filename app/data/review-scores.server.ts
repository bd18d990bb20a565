/**
 * The reviewers' own item-by-item scoring (现场评审), kept beside the enterprise's self-assessment
 * on the application (`review.byReviewer[<userId>]`). Same answer rules as the self-assessment
 * (a partial answer names its deductions, each with its reason), scored by the same engine, so
 * the review screen can put both side by side item by item.
 */
import type { Types } from "mongoose";
import {
  Assessment,
  type ApplicationReview,
  type AssessmentDoc,
  type ReviewerAnswer,
} from "../../models/assessment";
import { Enterprise } from "../../models/enterprise";
import { Tenant, type TenantSettings } from "../../models/tenant";
import { connectDb } from "~/db.server";
import type { MessageKey } from "~/i18n";
import {
  MAX_TEXT,
  answerFromFormValue,
  checkItemAnswer,
  rubricItems,
  toScoringAnswers,
  type AnswerView,
  type ItemErrors,
  type ItemFormValue,
} from "~/lib/assessment/answers";
import type { Rubric, WeightProfile } from "~/lib/rubric/schema";
import { scoreAssessment } from "~/lib/scoring/engine";
import { msg } from "~/lib/validation";
import { REVIEW_SCORING_STATES } from "~/workflows/grading-input";
import {
  answerView,
  editorNames,
  evidenceView,
  loadAssessmentRubric,
  type EvidenceView,
} from "./assessments.server";
import { casUpdate } from "./cas.server";
import { emptyReview, isAssignedReviewer, type GradingMember } from "./grading.server";
import { toObjectId, type TenantScope } from "./ids.server";

export type ReviewerAnswerView = AnswerView & { evidenceComment?: string };

function reviewerAnswerView(a: ReviewerAnswer): ReviewerAnswerView {
  const view: ReviewerAnswerView = answerView(a);
  if (a.evidenceComment) view.evidenceComment = a.evidenceComment;
  return view;
}

export type ReviewSummary = {
  score: number | null;
  level: string | null;
  answered: number;
  items: number;
};

function reviewSummary(
  rubric: Rubric,
  weights: WeightProfile | null,
  answers: ReadonlyArray<ReviewerAnswer>,
  doc: Pick<AssessmentDoc, "performance">,
  settings: TenantSettings,
): ReviewSummary {
  const breakdown = scoreAssessment({
    rubric,
    weights,
    answers: toScoringAnswers(answers, doc.performance),
    levelsAllowed: settings.grantableLevels,
    maxCandidates: 0,
  });
  return {
    score: breakdown.score,
    level: breakdown.level,
    answered: breakdown.counts.answered + breakdown.counts.na,
    items: breakdown.counts.items,
  };
}

async function loadForReviewer(tenantId: Types.ObjectId, id: string, member: GradingMember) {
  const _id = toObjectId(id);
  if (!_id) return null;
  await connectDb();
  const doc = await Assessment.findOne({ tenantId, _id }).lean<AssessmentDoc>();
  if (!doc || !isAssignedReviewer(member, doc)) return null;
  return doc;
}

/** Everything the review screen shows; null when the member is not assigned (→ 404). */
export async function getReviewPage({
  tenantId,
  id,
  member,
}: TenantScope & { id: string; member: GradingMember }) {
  const doc = await loadForReviewer(tenantId, id, member);
  if (!doc) return null;
  const [{ rubric, weights }, enterprise, tenant] = await Promise.all([
    loadAssessmentRubric({ tenantId, assessment: doc }),
    Enterprise.findOne({ tenantId, _id: doc.enterpriseId })
      .select({ name: 1 })
      .lean<{ name: string }>(),
    Tenant.findOne({ _id: tenantId }).select({ settings: 1 }).lean<{ settings: TenantSettings }>(),
  ]);
  const settings = tenant?.settings;
  if (!settings) return null;
  const me = String(member.user._id);
  const review: ApplicationReview = { ...emptyReview(), ...(doc.review ?? {}) };
  const mine = review.byReviewer[me] ?? [];
  const others = Object.keys(review.summaries).filter((uid) => uid !== me);
  const names = await editorNames(others);
  const self = scoreAssessment({
    rubric,
    weights,
    answers: toScoringAnswers(doc.answers, doc.performance),
    levelsAllowed: settings.grantableLevels,
    maxCandidates: 0,
  });
  const evidence: Record<string, EvidenceView[]> = {};
  for (const ref of doc.evidence) (evidence[ref.itemId] ??= []).push(evidenceView(ref));
  return {
    id: String(doc._id),
    version: doc.version,
    state: doc.state,
    cycle: doc.cycle,
    enterpriseName: enterprise?.name ?? "",
    appliedLevel: doc.appliedLevel,
    deadlines: {
      reviewBy: doc.deadlines?.reviewBy ? doc.deadlines.reviewBy.toISOString() : null,
      rectifyBy: doc.deadlines?.rectifyBy ? doc.deadlines.rectifyBy.toISOString() : null,
    },
    editable: (REVIEW_SCORING_STATES as readonly string[]).includes(doc.state),
    rubric,
    selfAnswers: doc.answers.map(answerView),
    selfSummary: {
      score: self.score,
      level: self.level,
      answered: self.counts.answered + self.counts.na,
      items: self.counts.items,
    },
    myAnswers: mine.map(reviewerAnswerView),
    mySummary: review.summaries[me]
      ? summaryView(review.summaries[me])
      : reviewSummary(rubric, weights, mine, doc, settings),
    otherReviewers: others.map((uid) => ({
      id: uid,
      name: names[uid] ?? "",
      summary: summaryView(review.summaries[uid]),
    })),
    evidence,
    report: review.report
      ? {
          recommendedLevel: review.report.recommendedLevel,
          reason: review.report.reason,
          at: review.report.at.toISOString(),
        }
      : null,
    rectifications: review.rectifications.map((r) => ({
      at: r.at.toISOString(),
      reason: r.reason,
      days: r.days,
      rectifyBy: r.rectifyBy ? r.rectifyBy.toISOString() : null,
    })),
    grantableLevels: settings.grantableLevels,
  };
}

function summaryView(s: ApplicationReview["summaries"][string] | undefined): ReviewSummary {
  return s
    ? { score: s.score, level: s.level, answered: s.answered, items: s.items }
    : { score: null, level: null, answered: 0, items: 0 };
}

/** One item: a raw answer (JSON clients, tests) or the scoring form's value; null/"" choice = unscored. */
export type ReviewItemInput =
  | { itemId: string; answer: unknown; evidenceComment?: string }
  | { itemId: string; form: ItemFormValue; evidenceComment?: string };

export type SaveReviewResult =
  | { ok: true; version: number; summary: ReviewSummary }
  | { ok: false; status: 404; error: "notFound" }
  | { ok: false; status: 409; error: "locked"; message: MessageKey }
  | { ok: false; status: 409; error: "conflict"; message: MessageKey; version: number }
  | { ok: false; status: 400; error: "invalid"; itemErrors: Record<string, ItemErrors> };

/**
 * Replaces this reviewer's scoring with `items` (an item left out, or with a null answer, is
 * unscored). Refused unless the application is under review and still at `expectedVersion`.
 */
export async function saveReviewerScores({
  tenantId,
  id,
  member,
  expectedVersion,
  items,
  now = new Date(),
}: TenantScope & {
  id: string;
  member: GradingMember;
  expectedVersion: number;
  items: ReviewItemInput[];
  now?: Date;
}): Promise<SaveReviewResult> {
  const doc = await loadForReviewer(tenantId, id, member);
  if (!doc || !member.permissions.includes("review:assessment:assigned"))
    return { ok: false, status: 404, error: "notFound" };
  const { rubric, weights } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const byId = new Map(rubricItems(rubric).map((item) => [item.id, item]));

  const itemErrors: Record<string, ItemErrors> = {};
  const clean = new Map<string, ReviewerAnswer>();
  for (const input of items) {
    const item = byId.get(input.itemId);
    if (!item || clean.has(input.itemId)) {
      itemErrors[input.itemId] = { choice: msg("assessment.errors.unknownItem") };
      continue;
    }
    const comment = input.evidenceComment?.trim() ?? "";
    if (comment.length > MAX_TEXT) {
      itemErrors[input.itemId] = { evidenceComment: msg("errors.tooLong", { max: MAX_TEXT }) };
      continue;
    }
    let checked: ReturnType<typeof checkItemAnswer>;
    if ("form" in input) {
      // Counts beyond the rule list (a stale page) are ignored; missing ones are "0".
      const value: ItemFormValue = {
        ...input.form,
        counts: item.deductionRules.map((_, r) => input.form.counts[r] ?? "0"),
        ruleNotes: item.deductionRules.map((_, r) => input.form.ruleNotes[r] ?? ""),
      };
      const converted = answerFromFormValue(item, value);
      if (!converted.ok) {
        itemErrors[input.itemId] = converted.errors;
        continue;
      }
      if (converted.answer === null) continue;
      checked = { ok: true, answer: converted.answer };
    } else {
      if (input.answer === null || input.answer === undefined) continue;
      checked = checkItemAnswer(item, input.answer);
      if (!checked.ok) {
        itemErrors[input.itemId] = checked.errors;
        continue;
      }
    }
    clean.set(input.itemId, {
      itemId: input.itemId,
      ...checked.answer,
      ...(comment ? { evidenceComment: comment } : {}),
      updatedAt: now,
      updatedBy: member.user._id,
      rev: expectedVersion + 1,
    });
  }
  if (Object.keys(itemErrors).length > 0)
    return { ok: false, status: 400, error: "invalid", itemErrors };
  if (!(REVIEW_SCORING_STATES as readonly string[]).includes(doc.state))
    return { ok: false, status: 409, error: "locked", message: "workflow.errors.reviewNotOpen" };
  if (doc.version !== expectedVersion)
    return {
      ok: false,
      status: 409,
      error: "conflict",
      message: "errors.conflict",
      version: doc.version,
    };

  const tenant = await Tenant.findOne({ _id: tenantId })
    .select({ settings: 1 })
    .lean<{ settings: TenantSettings }>();
  if (!tenant) return { ok: false, status: 404, error: "notFound" };
  const answers = [...byId.keys()].flatMap((itemId) => {
    const a = clean.get(itemId);
    return a ? [a] : [];
  });
  const summary = reviewSummary(rubric, weights, answers, doc, tenant.settings);
  const me = String(member.user._id);
  const review: ApplicationReview = { ...emptyReview(), ...(doc.review ?? {}) };
  review.byReviewer = { ...review.byReviewer, [me]: answers };
  review.summaries = { ...review.summaries, [me]: { ...summary, savedAt: now } };
  const won = await casUpdate(
    Assessment,
    {
      _id: doc._id,
      tenantId,
      expectedVersion,
      extra: { state: { $in: [...REVIEW_SCORING_STATES] } },
    },
    { $set: { review } },
  );
  if (!won) {
    const latest = await Assessment.findOne({ tenantId, _id: doc._id })
      .select({ version: 1, state: 1 })
      .lean<{ version: number; state: string }>();
    if (latest && !(REVIEW_SCORING_STATES as readonly string[]).includes(latest.state))
      return { ok: false, status: 409, error: "locked", message: "workflow.errors.reviewNotOpen" };
    return {
      ok: false,
      status: 409,
      error: "conflict",
      message: "errors.conflict",
      version: latest?.version ?? doc.version,
    };
  }
  return { ok: true, version: expectedVersion + 1, summary };
}
