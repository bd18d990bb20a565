/**
 * The grading workflow of one application, persisted (DOMAIN.md §5, docs/decisions/005-grading-workflow-persistence.md).
 *
 * `applyApplicationEvent` is the one way an application changes state:
 *   load (tenant-scoped) → authorise → validate the payload → add the server's facts (score from
 *   the pinned rubric, missing evidence, credit listing, conflicted reviewers, clock, calendar) →
 *   pure transition (app/workflows/grading.machine.ts) → ONE compare-and-set that writes the
 *   snapshot, the `state` column, the history entry and the transition's effects → carry the
 *   effects out (emails, enterprise lock). Effects are keyed `<applicationId>:v<version>:<n>`, so
 *   carrying them out again (a retry, the job's redelivery sweep) never duplicates anything.
 *
 * The application document is never written without `casUpdate`: on FerretDB a plain filtered
 * update is a read-modify-write of the whole document and would undo a concurrent transition
 * (docs/decisions/001-compare-and-set.md).
 */
import { Types } from "mongoose";
import {
  Assessment,
  type ApplicationDeadlines,
  type ApplicationReview,
  type AssessmentDoc,
  type PendingCertificate,
} from "../../models/assessment";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { Tenant, type TenantSettings } from "../../models/tenant";
import { User } from "../../models/user";
import type { Member } from "~/auth.server";
import { connectDb } from "~/db.server";
import type { MessageKey } from "~/i18n";
import { toScoringAnswers } from "~/lib/assessment/answers";
import { ENTERPRISE_ROLES, type Role } from "~/lib/domain";
import { can } from "~/lib/permissions";
import { scoreAssessment } from "~/lib/scoring/engine";
import { msg } from "~/lib/validation";
import { logger } from "~/logger.server";
import {
  EVENT_PERMISSIONS,
  applicationEventInputSchema,
  stateColumnOf,
  type ApplicationEventInput,
  type ApplicationEventRaw,
} from "~/workflows/grading-input";
import {
  EVENT_ROLES,
  GradingSnapshotError,
  GradingVersionMismatchError,
  applyGradingEvent,
  explainBlocked,
  gradingEventSchema,
  handledEvents,
  lockedStates,
  pendingEffectSchema,
  persistSnapshot,
  restoreSnapshot,
  startGrading,
  stateKeyOf,
  type BlockReason,
  type Deadlines,
  type EmailRecipient,
  type GradingEvent,
  type GradingEventType,
  type GradingSettings,
  type GradingSnapshot,
  type PendingEffect,
  type WorkflowActor,
} from "~/workflows/grading.machine";
import { tenantWorkingCalendar } from "~/workflows/statutory-calendar";
import { shanghaiDate, workingDaysBetween } from "~/workflows/working-days";
import { loadAssessmentRubric } from "./assessments.server";
import { recordAudit } from "./audit.server";
import { casUpdate } from "./cas.server";
import { issueCertificateForApplication } from "./certificates.server";
import { isCreditListed } from "./credit-check.server";
import { isBlockedFromApplying } from "./certificates.server";
import { missingRequiredEvidence } from "./evidence.server";
import { toObjectId, type TenantScope } from "./ids.server";
import { enqueueEmail } from "./outbox.server";
import { hitRateLimit } from "./rate-limit.server";

// ---------------------------------------------------------------------------------------------
// Who is acting

/** The parts of a member the workflow looks at (tests and jobs can build one without a request). */
export type GradingMember = Pick<Member, "tenantId" | "roles" | "permissions" | "enterpriseId"> & {
  user: Pick<Member["user"], "_id" | "email">;
};

export type EventActor =
  { kind: "member"; member: GradingMember } | { kind: "system" } | { kind: "public"; ip: string };

type Owned = Pick<AssessmentDoc, "tenantId" | "enterpriseId"> & { reviewerIds?: Types.ObjectId[] };

/** Tenant-wide readers, the enterprise itself, and the reviewers assigned to it. */
export function canViewApplication(member: GradingMember, doc: Owned): boolean {
  if (String(member.tenantId) !== String(doc.tenantId)) return false;
  if (can(member.permissions, "read:assessment:any")) return true;
  if (
    can(member.permissions, "read:assessment:own") &&
    member.enterpriseId !== null &&
    String(member.enterpriseId) === String(doc.enterpriseId)
  ) {
    return true;
  }
  return isAssignedReviewer(member, doc);
}

export function isAssignedReviewer(member: GradingMember, doc: Owned): boolean {
  return (
    can(member.permissions, "read:assessment:assigned") &&
    (doc.reviewerIds ?? []).some((id) => String(id) === String(member.user._id))
  );
}

/** The member's role for this event, if any of theirs may send it. */
function roleFor(member: GradingMember, type: GradingEventType): Role | null {
  return member.roles.find((r) => EVENT_ROLES[type].includes(r)) ?? null;
}

/** Whether the member may send this event type at all (permission and role; state aside). */
export function memberMaySend(member: GradingMember, type: GradingEventType, doc: Owned): boolean {
  const permission = EVENT_PERMISSIONS[type];
  if (permission === null || !can(member.permissions, permission)) return false;
  if (roleFor(member, type) === null) return false;
  if (permission === "review:assessment:assigned") return isAssignedReviewer(member, doc);
  if (permission === "submit:assessment:own") {
    return member.enterpriseId !== null && String(member.enterpriseId) === String(doc.enterpriseId);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Settings and snapshots

export function gradingSettingsOf(
  settings: Pick<TenantSettings, "acceptanceDays" | "reviewDays" | "publicNoticeDays" | "holidays" | "extraWorkdays">,
): GradingSettings {
  return {
    acceptanceDays: settings.acceptanceDays,
    reviewDays: settings.reviewDays,
    publicNoticeDays: settings.publicNoticeDays,
    calendar: tenantWorkingCalendar(settings),
  };
}

type TenantForGrading = { _id: Types.ObjectId; slug: string; settings: TenantSettings };

async function loadTenant(tenantId: Types.ObjectId): Promise<TenantForGrading | null> {
  return Tenant.findOne({ _id: tenantId })
    .select({ slug: 1, settings: 1 })
    .lean<TenantForGrading>();
}

/**
 * The application's workflow snapshot; an application that never left the self-assessment has
 * none stored yet and starts at draft. Throws GradingSnapshotError for a snapshot this code cannot
 * resume (another machine version, or damaged data).
 */
export function snapshotOfApplication(
  doc: Pick<AssessmentDoc, "_id" | "enterpriseId" | "appliedLevel" | "workflow" | "state">,
  settings: TenantSettings,
): GradingSnapshot {
  if (doc.workflow) return restoreSnapshot(doc.workflow);
  if (doc.state !== "draft") {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      `application ${String(doc._id)} is "${doc.state}" but has no workflow`,
    );
  }
  return startGrading({
    applicationId: String(doc._id),
    enterpriseId: String(doc.enterpriseId),
    appliedLevel: doc.appliedLevel,
    reviewersRequired: settings.reviewersRequired,
    settings: gradingSettingsOf(settings),
  });
}

function deadlineDates(deadlines: Deadlines): ApplicationDeadlines {
  const out: ApplicationDeadlines = {};
  if (deadlines.acceptBy) out.acceptBy = new Date(deadlines.acceptBy);
  if (deadlines.reviewBy) out.reviewBy = new Date(deadlines.reviewBy);
  if (deadlines.rectifyBy) out.rectifyBy = new Date(deadlines.rectifyBy);
  if (deadlines.noticeEndsAt) out.noticeEndsAt = new Date(deadlines.noticeEndsAt);
  return out;
}

export function emptyReview(): ApplicationReview {
  return { byReviewer: {}, summaries: {}, rectifications: [], report: null };
}

// ---------------------------------------------------------------------------------------------
// The server's facts

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

export type SubmissionFacts = {
  levels: string[];
  score: { selfScore: number | null; vetoed: boolean; eligibleLevel: string | null };
  minScores: Record<string, number>;
  requiredEvidenceMissing: string[];
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

type BuildContext = {
  tenantId: Types.ObjectId;
  doc: AssessmentDoc;
  settings: TenantSettings;
  actor: WorkflowActor;
  now: Date;
};

/** The machine event for a validated input: the input plus the facts only the server knows. */
async function buildEvent(ctx: BuildContext, input: ApplicationEventInput): Promise<GradingEvent> {
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
        creditListed: facts.creditListed,
        settings: gradingSettingsOf(ctx.settings),
        reviewersRequired: ctx.settings.reviewersRequired,
        conflictedReviewerIds: facts.conflictedReviewerIds,
      };
    }
    case "ASSIGN_REVIEWERS":
    case "START_REVIEW": {
      const conflicted = await conflictedReviewerIds({
        tenantId: ctx.tenantId,
        enterpriseId: ctx.doc.enterpriseId,
      });
      return { ...base, ...input, conflictedReviewerIds: conflicted };
    }
    default:
      return { ...base, ...input };
  }
}

// ---------------------------------------------------------------------------------------------
// Applying an event

export type ApplyEventResult =
  | {
      ok: true;
      version: number;
      state: string;
      stateKey: string;
      from: string;
      effects: PendingEffect[];
    }
  | {
      ok: false;
      status: 400;
      error: "invalid";
      fieldErrors: Record<string, string>;
      reasons: BlockReason[];
    }
  | { ok: false; status: 403; error: "forbidden"; message: MessageKey }
  | { ok: false; status: 404; error: "notFound"; message: MessageKey }
  | { ok: false; status: 409; error: "conflict"; message: MessageKey; version: number }
  | { ok: false; status: 409; error: "outdated"; message: MessageKey }
  /** A revoked certificate bars new applications for a while; `message` is an encoded i18n key with params. */
  | { ok: false; status: 409; error: "blockedAfterRevocation"; message: string }
  | {
      ok: false;
      status: 409 | 422;
      error: "blocked";
      reasons: BlockReason[];
      messages: MessageKey[];
    };

export function blockReasonKey(reason: BlockReason): MessageKey {
  return `workflow.block.${reason}`;
}

const notFoundResult: ApplyEventResult = {
  ok: false,
  status: 404,
  error: "notFound",
  message: "errors.notFound",
};
const forbiddenResult: ApplyEventResult = {
  ok: false,
  status: 403,
  error: "forbidden",
  message: "errors.forbidden",
};

/** Reasons that concern what was typed into the form: shown next to the field (400). */
const FIELD_REASONS: Partial<Record<BlockReason, string>> = {
  "reason-required": "reason",
  "invalid-days": "days",
  "invalid-reviewers": "reviewerIds",
  "unknown-level": "appliedLevel",
};

function blockedResult(reasons: BlockReason[], type: GradingEventType): ApplyEventResult {
  const fieldErrors: Record<string, string> = {};
  for (const r of reasons) {
    let field = FIELD_REASONS[r];
    if (r === "unknown-level" && type === "REPORT_REVIEW") field = "recommendedLevel";
    if (field && !(field in fieldErrors))
      fieldErrors[field] = msg(
        r === "reason-required" ? "errors.reasonRequired" : blockReasonKey(r),
      );
  }
  if (Object.keys(fieldErrors).length > 0)
    return { ok: false, status: 400, error: "invalid", fieldErrors, reasons };
  return {
    ok: false,
    status: reasons.includes("invalid-in-state") ? 409 : 422,
    error: "blocked",
    reasons,
    messages: reasons.map(blockReasonKey),
  };
}

export type ApplyEventInput = TenantScope & {
  applicationId: string | Types.ObjectId;
  event: ApplicationEventRaw;
  actor: EventActor;
  /** The version the actor's page showed; a different current version is a conflict. */
  expectedVersion?: number;
  now?: Date;
  /** OBJECTION only: who objected (kept for the regulator, never shown publicly). */
  objector?: { name: string; contact: string };
};

export async function applyApplicationEvent(input: ApplyEventInput): Promise<ApplyEventResult> {
  const { tenantId, actor } = input;
  const now = input.now ?? new Date();
  const _id =
    typeof input.applicationId === "string" ? toObjectId(input.applicationId) : input.applicationId;
  if (!_id) return notFoundResult;
  await connectDb();
  const doc = await Assessment.findOne({ tenantId, _id }).lean<AssessmentDoc>();
  if (!doc) return notFoundResult;

  // Authorise. What a member may not see is reported exactly like what does not exist.
  const parsedType =
    typeof input.event === "object" && input.event !== null && "type" in input.event
      ? input.event.type
      : null;
  let workflowActor: WorkflowActor;
  if (actor.kind === "member") {
    if (!canViewApplication(actor.member, doc)) return notFoundResult;
    const type = gradingEventSchema.options.find((o) => o.shape.type.value === parsedType)?.shape
      .type.value;
    if (!type) {
      return {
        ok: false,
        status: 400,
        error: "invalid",
        fieldErrors: { type: msg("errors.invalidChoice") },
        reasons: [],
      };
    }
    const role = roleFor(actor.member, type);
    if (!role || !memberMaySend(actor.member, type, doc)) return forbiddenResult;
    workflowActor = { id: String(actor.member.user._id), role };
  } else if (actor.kind === "public") {
    // The public sees only applications under public notice, and may only object.
    if (!doc.state.startsWith("publicNotice")) return notFoundResult;
    if (parsedType !== "OBJECTION") return forbiddenResult;
    workflowActor = { id: null, role: "public" };
  } else {
    workflowActor = { id: null, role: "system" };
  }

  const parsed = applicationEventInputSchema.safeParse(input.event);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path.map(String).join(".") || "_form";
      fieldErrors[field] ??= issue.message;
    }
    return { ok: false, status: 400, error: "invalid", fieldErrors, reasons: [] };
  }
  const eventInput = parsed.data;

  const tenant = await loadTenant(tenantId);
  if (!tenant) return notFoundResult;
  if (eventInput.type === "SUBMIT") {
    // Only levels of the pinned rubric that this authority grants may be applied for.
    const { rubric } = await loadAssessmentRubric({ tenantId, assessment: doc });
    if (
      !offeredLevels(
        rubric.levels.map((l) => l.key),
        tenant.settings,
      ).includes(eventInput.appliedLevel)
    ) {
      return {
        ok: false,
        status: 400,
        error: "invalid",
        fieldErrors: { appliedLevel: msg("workflow.errors.levelNotOffered") },
        reasons: [],
      };
    }
    const block = await isBlockedFromApplying({ tenantId, enterpriseId: doc.enterpriseId, now });
    if (block.blocked) {
      return {
        ok: false,
        status: 409,
        error: "blockedAfterRevocation",
        message: msg("certificate.errors.blockedFromApplying", {
          number: block.number,
          date: shanghaiDate(block.until),
        }),
      };
    }
  }

  let snapshot: GradingSnapshot;
  try {
    snapshot = snapshotOfApplication(doc, tenant.settings);
  } catch (error) {
    if (error instanceof GradingSnapshotError) {
      logger.warn(
        { err: error, applicationId: String(doc._id) },
        "grading snapshot cannot be resumed",
      );
      return {
        ok: false,
        status: 409,
        error: "outdated",
        message:
          error instanceof GradingVersionMismatchError
            ? "workflow.errors.outdated"
            : "workflow.errors.damaged",
      };
    }
    throw error;
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== doc.version) {
    return {
      ok: false,
      status: 409,
      error: "conflict",
      message: "errors.conflict",
      version: doc.version,
    };
  }

  const event = await buildEvent(
    { tenantId, doc, settings: tenant.settings, actor: workflowActor, now },
    eventInput,
  );
  const checked = gradingEventSchema.safeParse(event);
  if (!checked.success) {
    return {
      ok: false,
      status: 400,
      error: "invalid",
      fieldErrors: { _form: msg("errors.generic") },
      reasons: ["invalid-payload"],
    };
  }
  const step = applyGradingEvent(snapshot, checked.data);
  if (!step.ok) return blockedResult(step.reasons, event.type);

  const next = step.snapshot;
  const newVersion = doc.version + 1;
  const from = stateKeyOf(snapshot);
  const to = stateKeyOf(next);
  // A credit listing names its record in the application's history (Step 6).
  const reason =
    "reason" in eventInput && eventInput.reason
      ? eventInput.reason.trim()
      : eventInput.type === "CREDIT_LISTED"
        ? eventInput.name
        : undefined;
  const actorId = workflowActor.id ? new Types.ObjectId(workflowActor.id) : null;

  const set: Record<string, unknown> = {
    workflow: persistSnapshot(next),
    state: stateColumnOf(next),
    deadlines: deadlineDates(next.context.deadlines),
    reviewerIds: next.context.reviewers.flatMap((id) => {
      const oid = toObjectId(id);
      return oid ? [oid] : [];
    }),
  };
  const details: Record<string, unknown> = {};
  const review: ApplicationReview = { ...emptyReview(), ...(doc.review ?? {}) };
  switch (checked.data.type) {
    case "SUBMIT":
      set.appliedLevel = checked.data.appliedLevel;
      set.submittedAt = now;
      details.appliedLevel = checked.data.appliedLevel;
      details.score = checked.data.score.selfScore;
      break;
    case "ASSIGN_REVIEWERS":
      details.reviewerIds = checked.data.reviewerIds;
      break;
    case "REQUEST_RECTIFICATION":
      review.rectifications = [
        ...review.rectifications,
        {
          at: now,
          by: actorId,
          reason: checked.data.reason.trim(),
          days: checked.data.days,
          rectifyBy: next.context.deadlines.rectifyBy
            ? new Date(next.context.deadlines.rectifyBy)
            : null,
        },
      ];
      set.review = review;
      details.days = checked.data.days;
      break;
    case "REPORT_REVIEW": {
      const own = workflowActor.id ? review.summaries[workflowActor.id] : undefined;
      review.report = {
        at: now,
        by: actorId,
        recommendedLevel: checked.data.recommendedLevel,
        reason: checked.data.reason?.trim() || null,
        score: own?.score ?? null,
      };
      set.review = review;
      details.recommendedLevel = checked.data.recommendedLevel;
      break;
    }
    case "CREDIT_LISTED":
      details.creditRecordId = checked.data.recordId;
      break;
    default:
      break;
  }
  const certificate = step.effects.find((e) => e.type === "certificate");
  if (certificate) {
    const pending: PendingCertificate = {
      level: certificate.level,
      appliedLevel: next.context.appliedLevel,
      lowerLevel: certificate.level !== next.context.appliedLevel,
      issuedAt: new Date(certificate.issuedAt),
      certifiedBy: actorId,
      version: newVersion,
    };
    set.pendingCertificate = pending;
    details.level = certificate.level;
  }
  const push: Record<string, unknown> = {
    history: {
      at: now,
      actorId,
      actorRole: workflowActor.role,
      event: event.type,
      from,
      to,
      ...(reason ? { reason } : {}),
      ...(Object.keys(details).length > 0 ? { details } : {}),
    },
    effects: { version: newVersion, at: now, event: event.type, items: step.effects },
  };
  if (checked.data.type === "OBJECTION" && input.objector) {
    push.objections = {
      at: now,
      name: input.objector.name,
      contact: input.objector.contact,
      statement: checked.data.reason.trim(),
      ip: actor.kind === "public" ? actor.ip : "",
    };
  }

  const won = await casUpdate(
    Assessment,
    { _id: doc._id, tenantId, expectedVersion: doc.version },
    { $set: set, $push: push },
  );
  if (!won) {
    const latest = await Assessment.findOne({ tenantId, _id: doc._id })
      .select({ version: 1 })
      .lean<{ version: number }>();
    return {
      ok: false,
      status: 409,
      error: "conflict",
      message: "errors.conflict",
      version: latest?.version ?? doc.version,
    };
  }

  try {
    await carryOutEffects({
      tenant,
      applicationId: doc._id,
      version: newVersion,
      effects: step.effects,
      now,
    });
  } catch (error) {
    // The transition stands; the deadlines job redelivers (every effect is idempotent).
    logger.error(
      { err: error, applicationId: String(doc._id), version: newVersion },
      "grading effects failed",
    );
  }
  await recordAudit({
    tenantId,
    action: `application.${event.type.toLowerCase()}`,
    actor:
      actor.kind === "member"
        ? { id: actor.member.user._id, email: actor.member.user.email }
        : null,
    ip: actor.kind === "public" ? actor.ip : undefined,
    target: { type: "assessment", id: String(doc._id), label: doc.cycle },
    details: { from, to, version: newVersion, ...(reason ? { reason } : {}) },
    at: now,
  });
  return {
    ok: true,
    version: newVersion,
    state: stateColumnOf(next),
    stateKey: to,
    from,
    effects: step.effects,
  };
}

/**
 * Why each candidate event would be refused now, for the page's buttons (no write). The
 * payload-dependent reasons (an empty reason…) are left out: the form checks those.
 */
export async function previewBlockedReasons({
  tenantId,
  doc,
  settings,
  snapshot,
  member,
  types,
  now = new Date(),
}: TenantScope & {
  doc: AssessmentDoc;
  settings: TenantSettings;
  snapshot: GradingSnapshot;
  member: GradingMember;
  types: readonly GradingEventType[];
  now?: Date;
}): Promise<{
  byType: Partial<Record<GradingEventType, BlockReason[]>>;
  byLevel: Record<string, BlockReason[]>;
  facts: SubmissionFacts | null;
}> {
  const payloadOnly = new Set<BlockReason>([
    "reason-required",
    "invalid-days",
    "invalid-reviewers",
    "unknown-level",
    "level-above-applied",
  ]);
  const ctxFor = (type: GradingEventType): BuildContext => ({
    tenantId,
    doc,
    settings,
    actor: { id: String(member.user._id), role: roleFor(member, type) ?? "enterprise_member" },
    now,
  });
  const byType: Partial<Record<GradingEventType, BlockReason[]>> = {};
  const byLevel: Record<string, BlockReason[]> = {};
  let facts: SubmissionFacts | null = null;
  const handled = handledEvents(snapshot);
  for (const type of types) {
    if (!handled.includes(type)) continue;
    if (type === "SUBMIT") {
      facts = await submissionFacts({ tenantId, doc, settings });
      for (const level of offeredLevels(facts.levels, settings)) {
        const event = await buildEvent(ctxFor(type), { type: "SUBMIT", appliedLevel: level });
        byLevel[level] = explainBlocked(snapshot, event).filter((r) => !payloadOnly.has(r));
      }
      continue;
    }
    const probe: ApplicationEventInput | null =
      type === "RETURN" || type === "REJECT" || type === "OBJECTION"
        ? { type, reason: "-" }
        : type === "REQUEST_RECTIFICATION"
          ? { type, reason: "-", days: 1 }
          : type === "REPORT_REVIEW"
            ? { type, recommendedLevel: snapshot.context.appliedLevel, reason: "-" }
            : type === "ASSIGN_REVIEWERS" || type === "CREDIT_LISTED"
              ? null
              : { type };
    if (!probe) {
      byType[type] = [];
      continue;
    }
    const event = await buildEvent(ctxFor(type), probe);
    byType[type] = explainBlocked(snapshot, event).filter((r) => !payloadOnly.has(r));
  }
  return { byType, byLevel, facts };
}

// ---------------------------------------------------------------------------------------------
// Effects

type Recipient = { userId: string; email: string; locale: "zh-CN" | "en" };

async function usersOf(userIds: Types.ObjectId[]): Promise<Recipient[]> {
  if (userIds.length === 0) return [];
  const users = await User.find({ _id: { $in: userIds }, disabled: false })
    .select({ email: 1, locale: 1 })
    .lean<Array<{ _id: Types.ObjectId; email: string; locale: "zh-CN" | "en" }>>();
  return users
    .map((u) => ({ userId: String(u._id), email: u.email, locale: u.locale }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

/** The tenant's users behind a recipient description (members of this tenant only). */
export async function resolveRecipients(
  tenantId: Types.ObjectId,
  to: EmailRecipient,
): Promise<Recipient[]> {
  let filter: Record<string, unknown>;
  if (to.kind === "regulators") filter = { tenantId, role: "regulator" };
  else if (to.kind === "enterprise") {
    const enterpriseId = toObjectId(to.enterpriseId);
    if (!enterpriseId) return [];
    filter = { tenantId, enterpriseId, role: { $in: ENTERPRISE_ROLES } };
  } else {
    const ids = to.userIds.flatMap((id) => {
      const oid = toObjectId(id);
      return oid ? [oid] : [];
    });
    filter = { tenantId, userId: { $in: ids } };
  }
  const memberships = await Membership.find(filter)
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  const unique = [...new Map(memberships.map((m) => [String(m.userId), m.userId])).values()];
  return usersOf(unique);
}

/** Locks the enterprise's master data while the application runs; unlocks when it no longer does. */
export async function reconcileEnterpriseLock({
  tenantId,
  applicationId,
}: TenantScope & { applicationId: Types.ObjectId }): Promise<void> {
  const reason = String(applicationId);
  for (let attempt = 0; attempt < 8; attempt++) {
    const app = await Assessment.findOne({ tenantId, _id: applicationId })
      .select({ state: 1, enterpriseId: 1 })
      .lean<{ state: string; enterpriseId: Types.ObjectId }>();
    if (!app) return;
    const top = app.state.split(".")[0] ?? "";
    const shouldLock = lockedStates.some((s) => s === top);
    const enterprise = await Enterprise.findOne({ tenantId, _id: app.enterpriseId })
      .select({ lockedReason: 1, version: 1 })
      .lean<{ _id: Types.ObjectId; lockedReason: string | null; version: number }>();
    if (!enterprise) return;
    let next: string | null;
    if (shouldLock) {
      // Another running application of the same enterprise keeps its own lock.
      if (enterprise.lockedReason !== null) return;
      next = reason;
    } else {
      if (enterprise.lockedReason !== reason) return;
      next = null;
    }
    const won = await casUpdate(
      Enterprise,
      {
        _id: enterprise._id,
        tenantId,
        expectedVersion: enterprise.version,
        extra: { lockedReason: enterprise.lockedReason },
      },
      { $set: { lockedReason: next } },
    );
    if (won) return;
  }
  logger.warn(
    { applicationId: String(applicationId) },
    "enterprise lock not reconciled after retries",
  );
}

/** Carries out one transition's effects; safe to repeat (deterministic idempotency keys). */
export async function carryOutEffects({
  tenant,
  applicationId,
  version,
  effects,
  now,
}: {
  tenant: Pick<TenantForGrading, "_id" | "slug">;
  applicationId: Types.ObjectId;
  version: number;
  effects: readonly PendingEffect[];
  now: Date;
}): Promise<{ emails: number }> {
  if (effects.length === 0) return { emails: 0 };
  const tenantId = tenant._id;
  const app = await Assessment.findOne({ tenantId, _id: applicationId })
    .select({ enterpriseId: 1, cycle: 1 })
    .lean<{ enterpriseId: Types.ObjectId; cycle: string }>();
  if (!app) return { emails: 0 };
  const enterprise = await Enterprise.findOne({ tenantId, _id: app.enterpriseId })
    .select({ name: 1 })
    .lean<{ name: string }>();
  let emails = 0;
  let lockTouched = false;
  for (const [n, effect] of effects.entries()) {
    if (effect.type === "email") {
      const recipients = await resolveRecipients(tenantId, effect.to);
      const path =
        effect.to.kind === "users"
          ? `/t/${tenant.slug}/reviews/${String(applicationId)}`
          : `/t/${tenant.slug}/applications/${String(applicationId)}`;
      for (const r of recipients) {
        await enqueueEmail({
          tenantId,
          idempotencyKey: `${String(applicationId)}:v${version}:${n}:${r.userId}`,
          template: effect.template,
          to: r.email,
          locale: r.locale,
          data: {
            applicationId: String(applicationId),
            enterpriseName: enterprise?.name ?? "",
            cycle: app.cycle,
            path,
            ...effect.data,
          },
          now,
        });
        emails += 1;
      }
    } else if (effect.type === "lockEnterprise" || effect.type === "unlockEnterprise") {
      lockTouched = true;
    } else if (effect.type === "certificate") {
      // Step 5 issues the certificate now (idempotent); the pendingCertificate marker written with
      // the transition lets the "issue-pending-certificates" job finish it if this fails.
      const issued = await issueCertificateForApplication({ tenantId, applicationId, now });
      if (!issued.ok)
        logger.warn(
          { applicationId: String(applicationId), error: issued.error },
          "certificate not issued",
        );
    }
  }
  if (lockTouched) await reconcileEnterpriseLock({ tenantId, applicationId });
  return { emails };
}

// ---------------------------------------------------------------------------------------------
// Scheduled job: end of public notice, deadline reminders, effect redelivery

/** Remind from this many working days before a deadline (and every day once it has passed). */
export const REMIND_WITHIN_WORKING_DAYS = 3;

const REMINDERS = [
  { deadline: "acceptBy", states: ["submitted"], to: "regulators" },
  {
    deadline: "reviewBy",
    states: ["underReview.reviewing", "underReview.rectification"],
    to: "reviewers",
  },
  { deadline: "rectifyBy", states: ["underReview.rectification"], to: "enterprise" },
] as const;

export type DeadlinesRun = { noticesEnded: number; reminders: number; redelivered: number };

export async function runGradingDeadlines({ now }: { now: Date }): Promise<DeadlinesRun> {
  await connectDb();
  const run: DeadlinesRun = { noticesEnded: 0, reminders: 0, redelivered: 0 };

  // 1. Public notices whose period is over. Several runners may find the same application: the
  //    compare-and-set lets one transition through, the others get a conflict and move on.
  const due = await Assessment.find({
    state: "publicNotice.running",
    "deadlines.noticeEndsAt": { $lte: now },
  })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, version: 1 })
    .limit(500)
    .lean<Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId; version: number }>>();
  for (const app of due) {
    const result = await applyApplicationEvent({
      tenantId: app.tenantId,
      applicationId: app._id,
      event: { type: "NOTICE_ENDED" },
      actor: { kind: "system" },
      expectedVersion: app.version,
      now,
    });
    if (result.ok) run.noticesEnded += 1;
    else if (result.error !== "conflict")
      logger.warn({ applicationId: String(app._id), result }, "notice end refused");
  }

  // 2. Reminders, at most one per application, deadline, recipient and Shanghai day.
  const tenants = new Map<string, TenantForGrading | null>();
  const tenantOf = async (id: Types.ObjectId) => {
    const key = String(id);
    if (!tenants.has(key)) tenants.set(key, await loadTenant(id));
    return tenants.get(key) ?? null;
  };
  const horizon = new Date(now.getTime() + 30 * 24 * 60 * 60 * 1000);
  const today = shanghaiDate(now);
  for (const rule of REMINDERS) {
    const apps = await Assessment.find({
      state: { $in: [...rule.states] },
      [`deadlines.${rule.deadline}`]: { $lte: horizon },
    })
      .setOptions({ crossTenant: true })
      .select({ tenantId: 1, enterpriseId: 1, deadlines: 1, reviewerIds: 1, cycle: 1 })
      .limit(1000)
      .lean<
        Array<
          Pick<
            AssessmentDoc,
            "_id" | "tenantId" | "enterpriseId" | "deadlines" | "reviewerIds" | "cycle"
          >
        >
      >();
    for (const app of apps) {
      const dueAt = app.deadlines?.[rule.deadline];
      const tenant = await tenantOf(app.tenantId);
      if (!dueAt || !tenant) continue;
      const left = workingDaysBetween(now, dueAt, gradingSettingsOf(tenant.settings).calendar);
      if (left > REMIND_WITHIN_WORKING_DAYS) continue;
      const to: EmailRecipient =
        rule.to === "regulators"
          ? { kind: "regulators" }
          : rule.to === "enterprise"
            ? { kind: "enterprise", enterpriseId: String(app.enterpriseId) }
            : { kind: "users", userIds: (app.reviewerIds ?? []).map(String) };
      const enterprise = await Enterprise.findOne({ tenantId: app.tenantId, _id: app.enterpriseId })
        .select({ name: 1 })
        .lean<{ name: string }>();
      for (const r of await resolveRecipients(app.tenantId, to)) {
        await enqueueEmail({
          tenantId: app.tenantId,
          idempotencyKey: `${String(app._id)}:remind:${rule.deadline}:${dueAt.toISOString()}:${today}:${r.userId}`,
          template: "deadline-reminder",
          to: r.email,
          locale: r.locale,
          data: {
            applicationId: String(app._id),
            enterpriseName: enterprise?.name ?? "",
            cycle: app.cycle,
            deadline: rule.deadline,
            dueAt: dueAt.toISOString(),
            workingDaysLeft: left,
            overdue: now.getTime() > dueAt.getTime(),
            path:
              rule.to === "reviewers"
                ? `/t/${tenant.slug}/reviews/${String(app._id)}`
                : `/t/${tenant.slug}/applications/${String(app._id)}`,
          },
          now,
        });
        run.reminders += 1;
      }
    }
  }

  // 3. Redelivery: effects of recent transitions, in case the request that wrote them died before
  //    carrying them out. Every key is deterministic, so repeating is harmless.
  const since = new Date(now.getTime() - 60 * 60 * 1000);
  const recent = await Assessment.find({ updatedAt: { $gte: since } })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, effects: 1 })
    .limit(500)
    .lean<Array<Pick<AssessmentDoc, "_id" | "tenantId" | "effects">>>();
  for (const app of recent) {
    const tenant = await tenantOf(app.tenantId);
    if (!tenant) continue;
    for (const batch of app.effects ?? []) {
      if (batch.at.getTime() < since.getTime()) continue;
      const parsed = batch.items.flatMap((item) => {
        const effect = pendingEffectOf(item);
        return effect ? [effect] : [];
      });
      await carryOutEffects({
        tenant,
        applicationId: app._id,
        version: batch.version,
        effects: parsed,
        now,
      });
      run.redelivered += 1;
    }
  }
  return run;
}

function pendingEffectOf(item: unknown): PendingEffect | null {
  const parsed = pendingEffectSchema.safeParse(item);
  return parsed.success ? parsed.data : null;
}

// ---------------------------------------------------------------------------------------------
// Public objections (公示期间异议)

/** Objections per client address and hour: enough for a real objection, not for a flood. */
export const OBJECTION_LIMIT = { perIp: 5, windowMs: 60 * 60 * 1000 } as const;

export type ObjectionResult =
  ApplyEventResult | { ok: false; status: 429; error: "rateLimited"; retryAfterMinutes: number };

/** Anyone may object to an application under public notice; it goes back to review. */
export async function submitObjection({
  tenantId,
  applicationId,
  name,
  contact,
  statement,
  ip,
  now = new Date(),
}: TenantScope & {
  applicationId: string;
  name: string;
  contact: string;
  statement: string;
  ip: string;
  now?: Date;
}): Promise<ObjectionResult> {
  const limit = await hitRateLimit(
    `objection:ip:${ip}`,
    OBJECTION_LIMIT.perIp,
    OBJECTION_LIMIT.windowMs,
    now.getTime(),
  );
  if (limit.limited) {
    return {
      ok: false,
      status: 429,
      error: "rateLimited",
      retryAfterMinutes: Math.max(1, Math.ceil(limit.retryAfterSeconds / 60)),
    };
  }
  return applyApplicationEvent({
    tenantId,
    applicationId,
    event: { type: "OBJECTION", reason: statement },
    actor: { kind: "public", ip },
    objector: { name: name.trim(), contact: contact.trim() },
    now,
  });
}
