/** The facts only the server knows (score, evidence, credit listing, conflicts), added to an event. */
import type { Types } from "mongoose";
import type { AssessmentDoc } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { Membership } from "../../../models/membership";
import type { TenantSettings } from "../../../models/tenant";
import { User } from "../../../models/user";
import { itemElementIds, toScoringAnswers } from "~/lib/assessment/answers";
import { scoreAssessment } from "~/lib/scoring/engine";
import type { ApplicationEventInput } from "~/workflows/grading-input";
import type { GradingEvent, WorkflowActor } from "~/workflows/grading.machine";
import { loadAssessmentRubric } from "../assessments.server";
import { isCreditListed } from "../credit-check.server";
import { missingRequiredEvidence } from "../evidence.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { reviewSheetFacts, sheetState } from "./review-sheet.server";
import { gradingSettingsOf } from "./snapshot.server";

/** Reviewers who also belong to the enterprise (any membership with its id): conflict of interest. */
export async function conflictedReviewerIds({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<string[]> {
  const linked = await Membership.find({ tenantId, enterpriseId })
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  if (linked.length === 0) return [];
  const reviewers = await Membership.find({
    tenantId,
    role: "reviewer",
    userId: { $in: linked.map((m) => m.userId) },
  })
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  return [...new Set(reviewers.map((m) => String(m.userId)))].sort();
}

/**
 * Of the given user ids, those who may sit on a panel here: a reviewer membership in this tenant
 * and an account that is not disabled. Anyone else (another tenant's reviewer, an enterprise
 * employee, a made-up id) is refused by the machine ("reviewer-not-eligible").
 */
export async function eligibleReviewerIds({
  tenantId,
  userIds,
}: TenantScope & { userIds: readonly string[] }): Promise<string[]> {
  const ids = userIds.flatMap((id) => {
    const oid = toObjectId(id);
    return oid ? [oid] : [];
  });
  if (ids.length === 0) return [];
  const reviewers = await Membership.find({ tenantId, role: "reviewer", userId: { $in: ids } })
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  if (reviewers.length === 0) return [];
  const active = await User.find({ _id: { $in: reviewers.map((m) => m.userId) }, disabled: false })
    .select({ _id: 1 })
    .lean<Array<{ _id: Types.ObjectId }>>();
  return [...new Set(active.map((u) => String(u._id)))].sort();
}

export type SubmissionFacts = {
  levels: string[];
  score: { selfScore: number | null; vetoed: boolean; eligibleLevel: string | null };
  minScores: Record<string, number>;
  requiredEvidenceMissing: string[];
  /** Applicable items without an answer, in rubric order (N/A with its reason is an answer). */
  unanswered: Array<{ itemId: string; elementId: string }>;
  creditListed: { recordId: string; name: string } | null;
  conflictedReviewerIds: string[];
};

/** What the scoring engine, the evidence and the credit list say about a submission now. */
export async function submissionFacts({
  tenantId,
  doc,
  settings,
}: TenantScope & {
  doc: Pick<
    AssessmentDoc,
    "enterpriseId" | "rubricVersionId" | "weightProfileKey" | "answers" | "performance" | "evidence"
  >;
  settings: TenantSettings;
}): Promise<SubmissionFacts> {
  const { rubric, weights } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const breakdown = scoreAssessment({
    rubric,
    weights,
    answers: toScoringAnswers(doc.answers, doc.performance),
    levelsAllowed: settings.grantableLevels,
    maxCandidates: 0,
  });
  const elementOf = itemElementIds(rubric);
  const enterprise = await Enterprise.findOne({ tenantId, _id: doc.enterpriseId })
    .select({ creditCode: 1 })
    .lean<{ creditCode: string }>();
  const [creditListed, conflicted] = await Promise.all([
    isCreditListed({
      tenantId,
      enterpriseId: doc.enterpriseId,
      creditCode: enterprise?.creditCode ?? "",
    }),
    conflictedReviewerIds({ tenantId, enterpriseId: doc.enterpriseId }),
  ]);
  return {
    levels: rubric.levels.map((l) => l.key),
    minScores: Object.fromEntries(rubric.levels.map((l) => [l.key, l.minScore])),
    score: {
      selfScore: breakdown.score,
      // Under a "lowest-level" policy a veto only caps the level; eligibleLevel shows that.
      vetoed: breakdown.reasons.some((r) => r.code === "veto" && r.effect === "blocks"),
      eligibleLevel: breakdown.level,
    },
    requiredEvidenceMissing: missingRequiredEvidence(rubric, doc),
    unanswered: breakdown.unanswered.map((itemId) => ({
      itemId,
      elementId: elementOf.get(itemId) ?? "",
    })),
    creditListed,
    conflictedReviewerIds: conflicted,
  };
}

/** Levels an application may ask for: the rubric's levels that this authority grants, best first. */
export function offeredLevels(
  levels: readonly string[],
  settings: Pick<TenantSettings, "grantableLevels">,
): string[] {
  return levels.filter((l) => settings.grantableLevels.includes(l));
}

export type BuildContext = {
  tenantId: Types.ObjectId;
  doc: AssessmentDoc;
  settings: TenantSettings;
  actor: WorkflowActor;
  now: Date;
};

/** The machine event for a validated input: the input plus the facts only the server knows. */
export async function buildEvent(ctx: BuildContext, input: ApplicationEventInput): Promise<GradingEvent> {
  const base = {
    actor: ctx.actor,
    now: ctx.now.toISOString(),
    calendar: gradingSettingsOf(ctx.settings).calendar,
  };
  switch (input.type) {
    case "SUBMIT": {
      const facts = await submissionFacts({
        tenantId: ctx.tenantId,
        doc: ctx.doc,
        settings: ctx.settings,
      });
      return {
        ...base,
        type: "SUBMIT",
        appliedLevel: input.appliedLevel,
        levels: facts.levels,
        score: { ...facts.score, appliedLevelMinScore: facts.minScores[input.appliedLevel] ?? 0 },
        requiredEvidenceMissing: facts.requiredEvidenceMissing,
        unansweredItemIds: facts.unanswered.map((u) => u.itemId),
        creditListed: facts.creditListed,
        settings: gradingSettingsOf(ctx.settings),
        reviewersRequired: ctx.settings.reviewersRequired,
        conflictedReviewerIds: facts.conflictedReviewerIds,
      };
    }
    case "ASSIGN_REVIEWERS": {
      const [conflicted, eligible] = await Promise.all([
        conflictedReviewerIds({ tenantId: ctx.tenantId, enterpriseId: ctx.doc.enterpriseId }),
        eligibleReviewerIds({ tenantId: ctx.tenantId, userIds: input.reviewerIds }),
      ]);
      return {
        ...base,
        ...input,
        eligibleReviewerIds: eligible,
        conflictedReviewerIds: conflicted,
      };
    }
    case "START_REVIEW": {
      const conflicted = await conflictedReviewerIds({
        tenantId: ctx.tenantId,
        enterpriseId: ctx.doc.enterpriseId,
      });
      return { ...base, ...input, conflictedReviewerIds: conflicted };
    }
    case "REPORT_REVIEW": {
      const state = await sheetState({ tenantId: ctx.tenantId, doc: ctx.doc, settings: ctx.settings });
      return { ...base, ...input, sheet: reviewSheetFacts(state) };
    }
    default:
      return { ...base, ...input };
  }
}
