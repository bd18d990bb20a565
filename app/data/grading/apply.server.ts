/**
 * `applyApplicationEvent`, the one way an application changes state: load (tenant-scoped) →
 * authorise → validate the payload → add the server's facts → pure transition → ONE
 * compare-and-set that writes the snapshot, the `state` column, the history entry and the
 * transition's effects → carry the effects out → audit.
 */
import { Types } from "mongoose";
import {
  Assessment,
  type ApplicationReview,
  type AssessmentDoc,
  type PendingCertificate,
} from "../../../models/assessment";
import type { TenantSettings } from "../../../models/tenant";
import { connectDb } from "~/db.server";
import { msg } from "~/lib/validation";
import { logger } from "~/logger.server";
import {
  applicationEventInputSchema,
  stateColumnOf,
  type ApplicationEventInput,
} from "~/workflows/grading-input";
import {
  GradingSnapshotError,
  GradingVersionMismatchError,
  applyGradingEvent,
  gradingEventSchema,
  persistSnapshot,
  stateKeyOf,
  type GradingEvent,
  type GradingSnapshot,
  type PendingEffect,
  type WorkflowActor,
} from "~/workflows/grading.machine";
import { shanghaiDate } from "~/workflows/working-days";
import { loadAssessmentRubric } from "../assessments.server";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { isBlockedFromApplying } from "../certificates.server";
import { toObjectId } from "../ids.server";
import { canViewApplication, memberMaySend, roleFor } from "./access.server";
import { carryOutEffects } from "./effects.server";
import { recordRectificationRound } from "./rectification.server";
import { isBlockedAfterRejection } from "./rejection-block.server";
import { buildEvent, offeredLevels } from "./facts.server";
import { reviewBodiesAdministeredBy } from "./panel-facts.server";
import { NOTICE_STATE, syncPublicNotice } from "./public-notices.server";
import {
  blockedResult,
  forbiddenResult,
  withSheetGaps,
  notFoundResult,
  type ApplyEventInput,
  type ApplyEventResult,
  type Refusal,
} from "./results.server";
import {
  deadlineDates,
  emptyReview,
  loadTenant,
  snapshotOfApplication,
  type TenantForGrading,
} from "./snapshot.server";

/** The workflow actor behind the request, or the refusal (what a member may not see does not exist). */
function authorise(
  input: ApplyEventInput,
  doc: AssessmentDoc,
): { ok: true; actor: WorkflowActor } | Refusal {
  const { actor } = input;
  const parsedType =
    typeof input.event === "object" && input.event !== null && "type" in input.event
      ? input.event.type
      : null;
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
    return { ok: true, actor: { id: String(actor.member.user._id), role } };
  }
  if (actor.kind === "public") {
    // The public sees only applications under public notice, and may only object.
    if (!doc.state.startsWith("publicNotice")) return notFoundResult;
    if (parsedType !== "OBJECTION") return forbiddenResult;
    return { ok: true, actor: { id: null, role: "public" } };
  }
  return { ok: true, actor: { id: null, role: "system" } };
}

/** A review-body admin's bodies, read once per event (the request's member does not carry them). */
async function withReviewBodies(
  input: ApplyEventInput,
  tenantId: Types.ObjectId,
): Promise<ApplyEventInput> {
  const { actor } = input;
  if (actor.kind !== "member" || actor.member.reviewBodyIds !== undefined) return input;
  if (!actor.member.roles.includes("review_body_admin")) return input;
  const reviewBodyIds = await reviewBodiesAdministeredBy({ tenantId, userId: actor.member.user._id });
  return { ...input, actor: { kind: "member", member: { ...actor.member, reviewBodyIds } } };
}

function parseInput(event: unknown): { ok: true; input: ApplicationEventInput } | Refusal {
  const parsed = applicationEventInputSchema.safeParse(event);
  if (parsed.success) return { ok: true, input: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join(".") || "_form";
    fieldErrors[field] ??= issue.message;
  }
  return { ok: false, status: 400, error: "invalid", fieldErrors, reasons: [] };
}

/** SUBMIT only: a level this authority grants, and no bar after a revoked certificate or a rejection. */
async function checkSubmission(
  doc: AssessmentDoc,
  tenant: TenantForGrading,
  appliedLevel: string,
  now: Date,
): Promise<Refusal | null> {
  const tenantId = tenant._id;
  const { rubric } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const levels = rubric.levels.map((l) => l.key);
  if (!offeredLevels(levels, tenant.settings).includes(appliedLevel)) {
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
  const rejection = await isBlockedAfterRejection({
    tenantId,
    enterpriseId: doc.enterpriseId,
    settings: tenant.settings,
    now,
  });
  if (rejection.blocked) {
    return {
      ok: false,
      status: 409,
      error: "blockedAfterRejection",
      message: msg("workflow.errors.blockedAfterRejection", {
        cycle: rejection.cycle,
        date: shanghaiDate(rejection.until),
      }),
    };
  }
  return null;
}

function resumeSnapshot(
  doc: AssessmentDoc,
  settings: TenantSettings,
): { ok: true; snapshot: GradingSnapshot } | Refusal {
  try {
    return { ok: true, snapshot: snapshotOfApplication(doc, settings) };
  } catch (error) {
    if (!(error instanceof GradingSnapshotError)) throw error;
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
}

type Transition = {
  doc: AssessmentDoc;
  eventInput: ApplicationEventInput;
  event: GradingEvent;
  next: GradingSnapshot;
  effects: PendingEffect[];
  actor: WorkflowActor;
  now: Date;
  newVersion: number;
};

/** The transition's own fields of the application and the details of its history entry. */
function eventFields(t: Transition): {
  set: Record<string, unknown>;
  details: Record<string, unknown>;
} {
  const { event, next, now } = t;
  const set: Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  const actorId = t.actor.id ? new Types.ObjectId(t.actor.id) : null;
  const review: ApplicationReview = { ...emptyReview(), ...(t.doc.review ?? {}) };
  switch (event.type) {
    case "SUBMIT":
      set.appliedLevel = event.appliedLevel;
      set.submittedAt = now;
      details.appliedLevel = event.appliedLevel;
      details.score = event.score.selfScore;
      break;
    case "ASSIGN_REVIEW_BODY":
      details.reviewBodyId = event.reviewBodyId;
      break;
    case "ASSIGN_REVIEWERS":
      details.reviewerIds = event.reviewerIds;
      details.leadReviewerId = event.leadReviewerId;
      break;
    case "REQUEST_RECTIFICATION":
      review.rectifications = [
        ...review.rectifications,
        {
          at: now,
          by: actorId,
          reason: event.reason.trim(),
          days: event.days,
          rectifyBy: next.context.deadlines.rectifyBy
            ? new Date(next.context.deadlines.rectifyBy)
            : null,
        },
      ];
      set.review = review;
      details.days = event.days;
      details.itemIds = event.itemIds;
      if (event.reopenedItemIds.length > 0) details.reopenedItemIds = event.reopenedItemIds;
      break;
    case "DISMISS_OBJECTION":
      details.restartNotice = event.restartNotice;
      details.noticeDaysElapsed = next.context.noticeDaysElapsed;
      break;
    case "REPORT_REVIEW": {
      review.report = {
        at: now,
        by: actorId,
        recommendedLevel: event.recommendedLevel,
        reason: event.reason?.trim() || null,
        score: event.sheet.score,
        scoreLevel: event.sheet.scoreLevel,
      };
      set.review = review;
      details.recommendedLevel = event.recommendedLevel;
      details.score = event.sheet.score;
      details.scoreLevel = event.sheet.scoreLevel;
      break;
    }
    case "OBJECTION":
      // Back to review: the panel looks again and every member confirms their part anew.
      if (review.sheet) {
        review.sheet = { ...review.sheet, confirmations: [] };
        set.review = review;
      }
      break;
    case "CREDIT_LISTED":
      details.creditRecordId = event.recordId;
      break;
    default:
      break;
  }
  if (stateColumnOf(next) === "rejected") set.rejectedAt = now;
  const certificate = t.effects.find((e) => e.type === "certificate");
  if (certificate) {
    const pending: PendingCertificate = {
      level: certificate.level,
      appliedLevel: next.context.appliedLevel,
      lowerLevel: certificate.level !== next.context.appliedLevel,
      issuedAt: new Date(certificate.issuedAt),
      certifiedBy: actorId,
      version: t.newVersion,
    };
    set.pendingCertificate = pending;
    details.level = certificate.level;
  }
  return { set, details };
}

/** The history entry's reason: the typed one, or the record a credit listing names (Step 6). */
function reasonOfInput(eventInput: ApplicationEventInput): string | undefined {
  if ("reason" in eventInput && eventInput.reason) return eventInput.reason.trim();
  return eventInput.type === "CREDIT_LISTED" ? eventInput.name : undefined;
}

/** The one compare-and-set update of a transition: snapshot, state, deadlines, history, effects. */
function transitionUpdate(
  t: Transition,
  from: string,
  to: string,
  input: ApplyEventInput,
): { $set: Record<string, unknown>; $push: Record<string, unknown> } {
  const { set: fields, details } = eventFields(t);
  const reason = reasonOfInput(t.eventInput);
  const set: Record<string, unknown> = {
    workflow: persistSnapshot(t.next),
    state: stateColumnOf(t.next),
    deadlines: deadlineDates(t.next.context.deadlines),
    reviewerIds: t.next.context.reviewers.flatMap((id) => {
      const oid = toObjectId(id);
      return oid ? [oid] : [];
    }),
    reviewBodyId: toObjectId(t.next.context.reviewBodyId),
    leadReviewerId: toObjectId(t.next.context.leadReviewerId),
    ...fields,
  };
  const push: Record<string, unknown> = {
    history: {
      at: t.now,
      actorId: t.actor.id ? new Types.ObjectId(t.actor.id) : null,
      actorRole: t.actor.role,
      event: t.event.type,
      from,
      to,
      ...(reason ? { reason } : {}),
      ...(Object.keys(details).length > 0 ? { details } : {}),
    },
    effects: { version: t.newVersion, at: t.now, event: t.event.type, items: t.effects },
  };
  if (t.event.type === "OBJECTION" && input.objector) {
    push.objections = {
      at: t.now,
      name: input.objector.name,
      contact: input.objector.contact,
      statement: t.event.reason.trim(),
      ip: input.actor.kind === "public" ? input.actor.ip : "",
    };
  }
  return { $set: set, $push: push };
}

/** After the write: effects (redelivered by the deadlines job if this fails) and the audit entry. */
async function afterTransition(
  input: ApplyEventInput,
  tenant: TenantForGrading,
  t: Transition,
  from: string,
  to: string,
): Promise<void> {
  const { actor } = input;
  if (t.event.type === "REQUEST_RECTIFICATION") {
    const rectifyBy = t.next.context.deadlines.rectifyBy;
    try {
      await recordRectificationRound({
        tenantId: tenant._id,
        doc: t.doc,
        itemIds: t.event.itemIds,
        reason: t.event.reason.trim(),
        deadline: rectifyBy ? new Date(rectifyBy) : t.now,
        by: t.actor.id ? new Types.ObjectId(t.actor.id) : null,
        now: t.now,
      });
    } catch (error) {
      // The request stands; the reviewer sees the missing items and can ask again.
      logger.error({ err: error, applicationId: String(t.doc._id) }, "rectification items not recorded");
    }
  }
  try {
    await carryOutEffects({
      tenant,
      applicationId: t.doc._id,
      version: t.newVersion,
      effects: t.effects,
      now: t.now,
    });
  } catch (error) {
    // The transition stands; the deadlines job redelivers (every effect is idempotent).
    logger.error(
      { err: error, applicationId: String(t.doc._id), version: t.newVersion },
      "grading effects failed",
    );
  }
  try {
    // The public notices' read model follows every transition into, within and out of the notice
    // (the others leave it alone: the sync re-reads the large application document).
    if (t.doc.state === NOTICE_STATE || stateColumnOf(t.next) === NOTICE_STATE)
      await syncPublicNotice({ tenantId: tenant._id, applicationId: t.doc._id });
  } catch (error) {
    // The transition stands; the next transition or reconcilePublicNotices repairs the row.
    logger.error({ err: error, applicationId: String(t.doc._id) }, "public notice not synced");
  }
  const reason = reasonOfInput(t.eventInput);
  await recordAudit({
    tenantId: tenant._id,
    action: `application.${t.event.type.toLowerCase()}`,
    actor:
      actor.kind === "member"
        ? { id: actor.member.user._id, email: actor.member.user.email }
        : null,
    ip: actor.kind === "public" ? actor.ip : undefined,
    target: { type: "assessment", id: String(t.doc._id), label: t.doc.cycle },
    details: { from, to, version: t.newVersion, ...(reason ? { reason } : {}) },
    at: t.now,
  });
}

export async function applyApplicationEvent(input: ApplyEventInput): Promise<ApplyEventResult> {
  const { tenantId } = input;
  const now = input.now ?? new Date();
  const _id =
    typeof input.applicationId === "string" ? toObjectId(input.applicationId) : input.applicationId;
  if (!_id) return notFoundResult;
  await connectDb();
  const doc = await Assessment.findOne({ tenantId, _id }).lean<AssessmentDoc>();
  if (!doc) return notFoundResult;

  const authorised = authorise(await withReviewBodies(input, tenantId), doc);
  if (!authorised.ok) return authorised;
  const parsed = parseInput(input.event);
  if (!parsed.ok) return parsed;
  const eventInput = parsed.input;
  const tenant = await loadTenant(tenantId);
  if (!tenant) return notFoundResult;
  if (eventInput.type === "SUBMIT") {
    const refused = await checkSubmission(doc, tenant, eventInput.appliedLevel, now);
    if (refused) return refused;
  }
  const resumed = resumeSnapshot(doc, tenant.settings);
  if (!resumed.ok) return resumed;
  const snapshot = resumed.snapshot;
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
    { tenantId, doc, settings: tenant.settings, actor: authorised.actor, now },
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
  if (!step.ok) {
    const refused = blockedResult(step.reasons, event.type);
    return checked.data.type === "REPORT_REVIEW" ? withSheetGaps(refused, checked.data.sheet) : refused;
  }

  const t: Transition = {
    doc,
    eventInput,
    event: checked.data,
    next: step.snapshot,
    effects: step.effects,
    actor: authorised.actor,
    now,
    newVersion: doc.version + 1,
  };
  const from = stateKeyOf(snapshot);
  const to = stateKeyOf(t.next);
  const won = await casUpdate(
    Assessment,
    { _id: doc._id, tenantId, expectedVersion: doc.version },
    transitionUpdate(t, from, to, input),
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
  await afterTransition(input, tenant, t, from, to);
  return {
    ok: true,
    version: t.newVersion,
    state: stateColumnOf(t.next),
    stateKey: to,
    from,
    effects: t.effects,
  };
}
