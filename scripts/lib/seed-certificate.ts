/**
 * Demo data for Step 5: one enterprise (the chemical company) that went through the whole grading
 * workflow last month — submitted, accepted, reviewed by both demo reviewers, approved, publicly
 * noticed and certified at 三级 — and its certificate, so the demo shows a real, verifiable
 * certificate. The workflow snapshot is produced by the real (pure) grading machine, so the
 * application pages can resume it like any other.
 */
import { Types } from "mongoose";
import { Assessment, type HistoryEntry, type StoredAnswer } from "../../models/assessment";
import { Membership } from "../../models/membership";
import { ReviewBody } from "../../models/review-body";
import type { TenantDoc } from "../../models/tenant";
import { RubricVersion } from "../../models/rubric-version";
import { issueCertificateForApplication } from "../../app/data/certificates.server";
import { getRubricVersion, importRubricFiles } from "../../app/data/rubrics.server";
import { scoreSelfAssessment, summaryOf, toScoringAnswers } from "../../app/lib/assessment/answers";
import { shanghaiDay } from "../../app/lib/certificate";
import {
  applyGradingEvent,
  persistSnapshot,
  startGrading,
  stateKeyOf,
  topStateOf,
  type GradingEvent,
  type GradingSnapshot,
} from "../../app/workflows/grading.machine";

const DAY = 24 * 60 * 60 * 1000;
const RUBRIC_KEY = "hazchem-tier";
const LEVEL = "level3";

export type DemoCertificateInput = {
  tenantId: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  enterpriseAdminId: Types.ObjectId;
  regulatorId: Types.ObjectId;
  reviewerIds: [Types.ObjectId, Types.ObjectId];
  /** The review body whose admin formed the panel (the first reviewer leads it). */
  reviewBodyId: Types.ObjectId;
  reviewBodyAdminId: Types.ObjectId;
  settings: {
    acceptanceDays: number;
    reviewDays: number;
    publicNoticeDays: number;
    reviewersRequired: number;
    holidays: string[];
  };
  now?: Date;
};

export async function seedDemoCertificate(
  input: DemoCertificateInput,
): Promise<{ applicationId: Types.ObjectId; number: string; verifyCode: string }> {
  const { applicationId, certifiedAt } = await seedDemoApplication(input, { certify: true });
  const issued = await issueCertificateForApplication({
    tenantId: input.tenantId,
    applicationId,
    now: certifiedAt,
  });
  if (!issued.ok) throw new Error(`demo certificate: ${issued.error}`);
  return {
    applicationId,
    number: issued.certificate.number,
    verifyCode: issued.certificate.verifyCode,
  };
}

/**
 * The demo application, through the real machine up to the end of the public notice, and (with
 * `certify`) certified 25 days ago with Step 4's pending-certificate marker.
 */
export async function seedDemoApplication(
  input: DemoCertificateInput,
  options: { certify: boolean },
): Promise<{ applicationId: Types.ObjectId; certifiedAt: Date; version: number }> {
  const now = input.now ?? new Date();
  let meta = await RubricVersion.findOne({ tenantId: null, key: RUBRIC_KEY })
    .sort({ version: -1 })
    .lean();
  if (!meta) {
    await importRubricFiles();
    meta = await RubricVersion.findOne({ tenantId: null, key: RUBRIC_KEY })
      .sort({ version: -1 })
      .lean();
  }
  if (!meta) throw new Error(`demo certificate: rubric ${RUBRIC_KEY} is not available`);
  const loaded = await getRubricVersion({ tenantId: input.tenantId, id: meta._id });
  if (!loaded) throw new Error(`demo certificate: rubric ${RUBRIC_KEY} cannot be read`);
  const rubric = loaded.rubric;

  // Timeline, counted back from now: submitted 60 days ago, certified 25 days ago.
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
  const submittedAt = at(60);
  const certifiedAt = at(25);

  // Self-assessment: everything met except the largest non-veto items, until the score is in the 三级 band.
  const items = rubric.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));
  const failing = new Set<string>();
  const performance = rubric.performanceConditions.map((c) => ({
    conditionId: c.id,
    passed: true,
  }));
  const answersOf = (): Array<StoredAnswer & { itemId: string }> =>
    items.map((item) => ({
      itemId: item.id,
      choice: failing.has(item.id) ? "none" : "full",
      ...(failing.has(item.id) ? { note: "现场查验发现记录不完整" } : {}),
      updatedAt: submittedAt,
      updatedBy: input.enterpriseAdminId,
      rev: 1,
    }));
  const score = () =>
    scoreSelfAssessment({
      rubric,
      weights: null,
      answers: toScoringAnswers(answersOf(), performance),
    });
  const candidates = items.filter((i) => !i.veto).sort((a, b) => b.points - a.points);
  for (const item of candidates) {
    if ((score().score ?? 0) <= 88) break;
    failing.add(item.id);
  }
  const breakdown = score();
  const levels = rubric.levels.map((l) => l.key);
  const appliedMin = rubric.levels.find((l) => l.key === LEVEL)?.minScore ?? 0;

  // The workflow, event by event, through the real machine.
  const draft = await Assessment.create({
    tenantId: input.tenantId,
    enterpriseId: input.enterpriseId,
    // Last year's cycle: the demo users can still start this year's self-assessment themselves.
    cycle: String(shanghaiDay(submittedAt).year - 1),
    rubricVersionId: meta._id,
    rubricKey: meta.key,
    rubricVersion: meta.version,
    appliedLevel: LEVEL,
    answers: answersOf(),
    performance,
    scoreSummary: summaryOf(breakdown),
    lastSavedBy: input.enterpriseAdminId,
    lastSavedAt: submittedAt,
    createdBy: input.enterpriseAdminId,
  });
  const id = String(draft._id);
  const regulator = { id: String(input.regulatorId), role: "regulator" as const };
  const reviewer = { id: String(input.reviewerIds[0]), role: "reviewer" as const };
  let snapshot: GradingSnapshot = startGrading({
    applicationId: id,
    enterpriseId: String(input.enterpriseId),
    appliedLevel: LEVEL,
    reviewersRequired: input.settings.reviewersRequired,
    settings: {
      acceptanceDays: input.settings.acceptanceDays,
      reviewDays: input.settings.reviewDays,
      publicNoticeDays: input.settings.publicNoticeDays,
      calendar: { holidays: [...input.settings.holidays] },
    },
  });
  const history: HistoryEntry[] = [];
  const path: Array<{ event: GradingEvent }> = [
    {
      event: {
        type: "SUBMIT",
        actor: { id: String(input.enterpriseAdminId), role: "enterprise_admin" },
        now: submittedAt.toISOString(),
        appliedLevel: LEVEL,
        levels,
        score: {
          selfScore: breakdown.score,
          appliedLevelMinScore: appliedMin,
          vetoed: false,
          eligibleLevel: breakdown.level,
        },
        requiredEvidenceMissing: [],
      unansweredItemIds: [],
        creditListed: null,
      },
    },
    { event: { type: "ACCEPT", actor: regulator, now: at(58).toISOString() } },
    {
      event: {
        type: "ASSIGN_REVIEW_BODY",
        actor: regulator,
        now: at(58).toISOString(),
        reviewBodyId: String(input.reviewBodyId),
        reviewBodyActive: true,
      },
    },
    {
      event: {
        type: "ASSIGN_REVIEWERS",
        actor: { id: String(input.reviewBodyAdminId), role: "review_body_admin" },
        now: at(57).toISOString(),
        reviewerIds: input.reviewerIds.map(String),
        leadReviewerId: String(input.reviewerIds[0]),
        eligibleReviewerIds: input.reviewerIds.map(String),
        inactiveReviewerIds: [],
        enterpriseMemberIds: [],
        declaredConflictIds: [],
        minPanelSize: input.settings.reviewersRequired,
        panelRotation: false,
        previousLeadReviewerId: null,
      },
    },
    { event: { type: "START_REVIEW", actor: reviewer, now: at(50).toISOString() } },
    {
      event: {
        type: "REPORT_REVIEW",
        actor: reviewer,
        now: at(40).toISOString(),
        recommendedLevel: LEVEL,
        // The demo's panel agreed with the self-assessment (its sheet is the self-assessment's scores).
        sheet: {
          unscoredItemIds: [],
          naWithoutReasonItemIds: [],
          unconfirmedMemberIds: [],
          score: breakdown.score,
          scoreLevel: LEVEL,
        },
      },
    },
    { event: { type: "APPROVE", actor: regulator, now: at(35).toISOString() } },
    { event: { type: "START_NOTICE", actor: regulator, now: at(34).toISOString() } },
    {
      event: {
        type: "NOTICE_ENDED",
        actor: { id: null, role: "system" },
        now: at(26).toISOString(),
      },
    },
    { event: { type: "CERTIFY", actor: regulator, now: certifiedAt.toISOString() } },
  ];
  const steps = options.certify ? path : path.slice(0, -1);
  for (const { event } of steps) {
    const step = applyGradingEvent(snapshot, event);
    if (!step.ok)
      throw new Error(`demo certificate: ${event.type} refused (${step.reasons.join(", ")})`);
    history.push({
      at: new Date(event.now),
      actorId: event.actor.id ? new Types.ObjectId(event.actor.id) : null,
      actorRole: event.actor.role,
      event: event.type,
      from: stateKeyOf(snapshot),
      to: stateKeyOf(step.snapshot),
      ...(event.type === "CERTIFY" || event.type === "REPORT_REVIEW"
        ? { details: { level: LEVEL } }
        : {}),
    });
    snapshot = step.snapshot;
  }
  const expected = options.certify ? "certified" : "publicNotice";
  if (topStateOf(snapshot) !== expected)
    throw new Error(`demo certificate: ended in ${stateKeyOf(snapshot)}`);

  await Assessment.updateOne(
    { tenantId: input.tenantId, _id: draft._id },
    {
      $set: {
        workflow: persistSnapshot(snapshot),
        state: stateKeyOf(snapshot),
        deadlines: {},
        reviewerIds: input.reviewerIds,
        reviewBodyId: input.reviewBodyId,
        leadReviewerId: input.reviewerIds[0],
        submittedAt,
        history,
        review: {
          byReviewer: {},
          summaries: {},
          rectifications: [],
          report: {
            at: at(40),
            by: input.reviewerIds[0],
            recommendedLevel: LEVEL,
            reason: null,
            score: breakdown.score,
          },
        },
        pendingCertificate: options.certify
          ? {
              level: LEVEL,
              appliedLevel: LEVEL,
              lowerLevel: false,
              issuedAt: certifiedAt,
              certifiedBy: input.regulatorId,
              version: steps.length,
            }
          : null,
        version: steps.length,
      },
    },
  );
  return { applicationId: draft._id, certifiedAt, version: steps.length };
}

/** The demo tenant's certified enterprise: its admin, the first regulator and the first two reviewers act. */
export async function seedDemoCertificateFor(
  tenant: Pick<TenantDoc, "_id" | "settings">,
  enterpriseId: Types.ObjectId,
): Promise<{ applicationId: Types.ObjectId; number: string; verifyCode: string }> {
  const tenantId = tenant._id;
  const [admin, regulator, reviewers, body] = await Promise.all([
    Membership.findOne({ tenantId, enterpriseId, role: "enterprise_admin" })
      .sort({ createdAt: 1 })
      .lean(),
    Membership.findOne({ tenantId, role: "regulator" }).sort({ createdAt: 1 }).lean(),
    Membership.find({ tenantId, role: "reviewer" }).sort({ createdAt: 1 }).limit(2).lean(),
    ReviewBody.findOne({ tenantId }).sort({ name: 1 }).lean(),
  ]);
  const [first, second] = reviewers;
  const bodyAdmin = body?.adminUserIds[0];
  if (!admin || !regulator || !first || !second || !body || !bodyAdmin)
    throw new Error("demo certificate: the demo users are missing");
  return seedDemoCertificate({
    tenantId,
    enterpriseId,
    enterpriseAdminId: admin.userId,
    regulatorId: regulator.userId,
    reviewerIds: [first.userId, second.userId],
    reviewBodyId: body._id,
    reviewBodyAdminId: bodyAdmin,
    settings: {
      acceptanceDays: tenant.settings.acceptanceDays,
      reviewDays: tenant.settings.reviewDays,
      publicNoticeDays: tenant.settings.publicNoticeDays,
      reviewersRequired: tenant.settings.reviewersRequired,
      holidays: tenant.settings.holidays ?? [],
    },
  });
}
