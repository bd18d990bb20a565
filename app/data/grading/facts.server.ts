/** The facts only the server knows (score, evidence, credit listing, conflicts), added to an event. */
import type { Types } from "mongoose";
import type { AssessmentDoc } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { Membership } from "../../../models/membership";
import { minPanelSizeOf, type TenantSettings } from "../../../models/tenant";
import { itemElementIds, toScoringAnswers } from "~/lib/assessment/answers";
import { scoreAssessment } from "~/lib/scoring/engine";
import type { ApplicationEventInput } from "~/workflows/grading-input";
import type { GradingEvent, RenewalFacts, WorkflowActor } from "~/workflows/grading.machine";
import { loadAssessmentRubric } from "../assessments.server";
import { isCreditListed, isCreditListedForDisplay } from "../credit-check.server";
import { renewalFacts, renewalOfApplication } from "../certificates/renewal-eligibility.server";
import { missingRequiredEvidence } from "../evidence.server";
import type { TenantScope } from "../ids.server";
import { rectificationFacts } from "./rectification.server";
import { declaredConflictUserIds, isActiveReviewBody, panelFacts } from "./panel-facts.server";
import { reviewSheetFacts, sheetState } from "./review-sheet.server";
import { gradingSettingsOf } from "./snapshot.server";

/**
 * Conflict of interest: reviewers who also belong to the enterprise (any membership with its id),
 * and experts who declared a conflict with it.
 */
export async function conflictedReviewerIds({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<string[]> {
  const [linked, declared] = await Promise.all([
    Membership.find({ tenantId, enterpriseId })
      .select({ userId: 1 })
      .lean<Array<{ userId: Types.ObjectId }>>(),
    declaredConflictUserIds({ tenantId, enterpriseId }),
  ]);
  const reviewers =
    linked.length === 0
      ? []
      : await Membership.find({
          tenantId,
          role: "reviewer",
          userId: { $in: linked.map((m) => m.userId) },
        })
          .select({ userId: 1 })
          .lean<Array<{ userId: Types.ObjectId }>>();
  return [...new Set([...reviewers.map((m) => String(m.userId)), ...declared])].sort();
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
  forDisplay = false,
}: TenantScope & {
  doc: Pick<
    AssessmentDoc,
    "enterpriseId" | "rubricVersionId" | "weightProfileKey" | "answers" | "performance" | "evidence"
  >;
  settings: TenantSettings;
  /** For a page that shows what an action would do (not the action itself): the credit check reads the cached rows. */
  forDisplay?: boolean;
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
    (forDisplay ? isCreditListedForDisplay : isCreditListed)({
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

/** Facts for an application that renews nothing (every criterion fails; the guard says "not-renewal"). */
function notARenewal(now: Date): RenewalFacts {
  return {
    certificateId: "none",
    certificateLevel: "none",
    certificateStatus: "expired",
    windowOpensAt: now.toISOString(),
    validUntil: now.toISOString(),
    missingYearlyReports: [],
    openRevocationReviews: [],
    creditListed: null,
    selfScore: null,
    levelMinScore: 0,
    vetoed: false,
    eligibleLevel: null,
    levels: [],
  };
}

export type BuildContext = {
  tenantId: Types.ObjectId;
  doc: AssessmentDoc;
  settings: TenantSettings;
  /** Facts already read for this document (a preview of several events): not read again. */
  facts?: SubmissionFacts;
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
      const facts = ctx.facts ?? (await submissionFacts({ tenantId: ctx.tenantId, doc: ctx.doc, settings: ctx.settings }));
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
        reviewersRequired: minPanelSizeOf(ctx.settings),
        conflictedReviewerIds: facts.conflictedReviewerIds,
        renewal: await renewalOfApplication({ tenantId: ctx.tenantId, doc: ctx.doc }),
      };
    }
    case "CONFIRM_FAST_TRACK": {
      const facts = ctx.facts ?? (await submissionFacts({ tenantId: ctx.tenantId, doc: ctx.doc, settings: ctx.settings }));
      const eligibility = await renewalFacts({
        tenantId: ctx.tenantId,
        doc: ctx.doc,
        settings: ctx.settings,
        facts,
        now: ctx.now,
      });
      // Not a renewal: empty facts, which the machine refuses ("not-renewal" and the criteria).
      return { ...base, ...input, eligibility: eligibility ?? notARenewal(ctx.now) };
    }
    case "ASSIGN_REVIEW_BODY":
      return {
        ...base,
        ...input,
        reviewBodyActive: await isActiveReviewBody({
          tenantId: ctx.tenantId,
          reviewBodyId: input.reviewBodyId,
        }),
      };
    case "ASSIGN_REVIEWERS": {
      const facts = await panelFacts({
        tenantId: ctx.tenantId,
        reviewBodyId: ctx.doc.reviewBodyId ?? null,
        enterpriseId: ctx.doc.enterpriseId,
        applicationId: ctx.doc._id,
        userIds: input.reviewerIds,
        settings: ctx.settings,
      });
      return { ...base, ...input, ...facts };
    }
    case "START_REVIEW": {
      const conflicted = await conflictedReviewerIds({
        tenantId: ctx.tenantId,
        enterpriseId: ctx.doc.enterpriseId,
      });
      return { ...base, ...input, conflictedReviewerIds: conflicted };
    }
    case "REQUEST_RECTIFICATION": {
      const facts = await rectificationFacts({ tenantId: ctx.tenantId, doc: ctx.doc });
      return {
        ...base,
        ...input,
        deductedItemIds: facts.deductedItemIds,
        requestedItemIds: facts.requestedItemIds,
        reopenedItemIds: facts.reopenedItemIds,
      };
    }
    case "SUBMIT_RECTIFICATION": {
      const facts = await rectificationFacts({ tenantId: ctx.tenantId, doc: ctx.doc });
      return { ...base, ...input, unansweredRectificationIds: facts.unansweredIds };
    }
    case "REPORT_REVIEW": {
      const facts = await rectificationFacts({ tenantId: ctx.tenantId, doc: ctx.doc });
      const state = await sheetState({ tenantId: ctx.tenantId, doc: ctx.doc, settings: ctx.settings });
      return {
        ...base,
        ...input,
        unresolvedRectificationIds: facts.unresolvedIds,
        sheet: reviewSheetFacts(state),
      };
    }
    default:
      return { ...base, ...input };
  }
}
