/**
 * The grading workflow of one application (DOMAIN.md §5) as a pure XState v5 machine.
 *
 * Pure: no clock (events carry `now`), no I/O. A transition DESCRIBES its side effects in
 * `context.pendingEffects` (emails, certificate, enterprise lock/unlock); the server persists the
 * snapshot and those effects in one compare-and-set write and carries them out afterwards.
 * `pendingEffects` holds the effects of the latest transition only.
 *
 * Use with `initialTransition(gradingMachine, input)` / `transition(gradingMachine, snapshot, event)`
 * or the `startGrading` / `applyGradingEvent` wrappers. A refused event leaves the snapshot object
 * unchanged; `explainBlocked` says why, as stable i18n keys.
 *
 * Every guard is the one function `blockedReasons`, so the machine and `explainBlocked` cannot
 * disagree. The zod schemas check the SHAPE of events and stored snapshots; the business rules
 * (non-empty reason, role, conflicts…) are guards, so a refusal can be explained to the user.
 */
import {
  type AnyStateMachine,
  type AnyStateNode,
  type SnapshotFrom,
  type StateValue,
  assertEvent,
  assign,
  getStateNodes,
  initialTransition,
  setup,
  transition,
} from "xstate";
import { z } from "zod";
import { ROLES } from "../lib/domain";
import {
  addWorkingDays,
  calendarProblems,
  workingDaysBetween,
  type WorkingCalendar,
} from "./working-days";

/** Stored with every snapshot; bump it when a change makes old snapshots unsafe to resume. */
export const GRADING_MACHINE_VERSION = 1;
export const DEFAULT_REVIEWERS_REQUIRED = 2;
/** Longest rectification period a reviewer may set, in working days. */
export const MAX_RECTIFICATION_DAYS = 250;

// ---------------------------------------------------------------------------------------------
// Shapes (zod is the single source; the TypeScript types are inferred from it)

const instant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: "must be an ISO date-time" });

export const workingCalendarSchema = z.object({
  base: z.literal("cn-statutory").optional(),
  holidays: z.array(z.string()).readonly(),
  extraWorkdays: z.array(z.string()).readonly().optional(),
});

export const gradingSettingsSchema = z.object({
  acceptanceDays: z.number().int().min(1),
  reviewDays: z.number().int().min(1),
  publicNoticeDays: z.number().int().min(1),
  calendar: workingCalendarSchema,
});
export type GradingSettings = z.infer<typeof gradingSettingsSchema>;

export const actorRoleSchema = z.union([z.enum(ROLES), z.literal("system"), z.literal("public")]);
export type ActorRole = z.infer<typeof actorRoleSchema>;
/** `id` is null for the public (objections) and may be null for the system. */
export const workflowActorSchema = z.object({
  id: z.string().min(1).nullable(),
  role: actorRoleSchema,
});
export type WorkflowActor = z.infer<typeof workflowActorSchema>;

/** What the scoring engine says about the self-assessment, supplied by the server on SUBMIT. */
export const scoreFactsSchema = z.object({
  selfScore: z.number().nullable(),
  /** Minimum score of the applied level in the assessment's rubric. */
  appliedLevelMinScore: z.number(),
  vetoed: z.boolean(),
  /** Level the engine grants after veto, performance caps and grantable levels; null = none. */
  eligibleLevel: z.string().nullable(),
});
export type ScoreFacts = z.infer<typeof scoreFactsSchema>;

export const creditListingSchema = z.object({ recordId: z.string(), name: z.string() });
export type CreditListing = z.infer<typeof creditListingSchema>;

export const deadlinesSchema = z.object({
  acceptBy: instant.optional(),
  reviewBy: instant.optional(),
  rectifyBy: instant.optional(),
  noticeEndsAt: instant.optional(),
});
/** Only the deadlines that are running now (ISO instants, 23:59:59.999 Shanghai time). */
export type Deadlines = z.infer<typeof deadlinesSchema>;

export const GRADING_EMAIL_TEMPLATES = [
  "application-submitted",
  "application-withdrawn",
  "application-accepted",
  "application-returned",
  "reviewers-assigned",
  "review-started",
  "rectification-requested",
  "rectification-submitted",
  "review-reported",
  "lower-level-consent-requested",
  "lower-level-consented",
  "lower-level-declined",
  "application-approved",
  "application-rejected",
  "public-notice-started",
  "objection-received",
  "public-notice-ended",
  "application-certified",
  "application-stopped",
] as const;
export type GradingEmailTemplate = (typeof GRADING_EMAIL_TEMPLATES)[number];

/** Who gets a mail; the server resolves "regulators" and "enterprise" to the tenant's users. */
export const emailRecipientSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("regulators") }),
  z.object({ kind: z.literal("enterprise"), enterpriseId: z.string() }),
  z.object({ kind: z.literal("users"), userIds: z.array(z.string()) }),
]);
export type EmailRecipient = z.infer<typeof emailRecipientSchema>;

export const pendingEffectSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("email"),
    template: z.enum(GRADING_EMAIL_TEMPLATES),
    to: emailRecipientSchema,
    applicationId: z.string(),
    data: z.object({
      reason: z.string().nullable(),
      appliedLevel: z.string().nullable(),
      reportedLevel: z.string().nullable(),
      deadlines: deadlinesSchema,
    }),
  }),
  z.object({
    type: z.literal("certificate"),
    applicationId: z.string(),
    enterpriseId: z.string(),
    level: z.string(),
    issuedAt: instant,
  }),
  z.object({ type: z.literal("lockEnterprise"), enterpriseId: z.string() }),
  z.object({ type: z.literal("unlockEnterprise"), enterpriseId: z.string() }),
]);
export type PendingEffect = z.infer<typeof pendingEffectSchema>;

export const gradingContextSchema = z.object({
  machineVersion: z.literal(GRADING_MACHINE_VERSION),
  applicationId: z.string().min(1),
  enterpriseId: z.string().min(1),
  appliedLevel: z.string().nullable(),
  /** The rubric's level keys, best first (from SUBMIT): orders "lower than applied". */
  levels: z.array(z.string()),
  reviewersRequired: z.number().int().min(1),
  reviewers: z.array(z.string()),
  /** Users linked to the enterprise (conflict of interest); refreshed by the events that carry it. */
  conflictedReviewerIds: z.array(z.string()),
  scoreFacts: scoreFactsSchema.nullable(),
  requiredEvidenceMissing: z.array(z.string()),
  creditListed: creditListingSchema.nullable(),
  deadlines: deadlinesSchema,
  /** `now` of the running rectification request; null when none runs. */
  rectificationStartedAt: instant.nullable(),
  /** Working days spent in rectification so far; each one pushed `reviewBy` back by a day. */
  rectificationWorkingDays: z.number().int().min(0),
  settings: gradingSettingsSchema,
  /** Level the reviewers recommended; null before the report or when the review failed. */
  reportedLevel: z.string().nullable(),
  consentToLowerLevel: z.boolean(),
  pendingEffects: z.array(pendingEffectSchema),
});
export type GradingContext = z.infer<typeof gradingContextSchema>;

export type GradingInput = {
  applicationId: string;
  enterpriseId: string;
  appliedLevel?: string | null;
  levels?: string[];
  reviewersRequired?: number;
  conflictedReviewerIds?: string[];
  settings: GradingSettings;
};

// Events. Reasons are plain strings here: "empty after trim" is a guard with its own reason code.
const eventBase = {
  actor: workflowActorSchema,
  now: instant,
  /** The tenant's current holiday calendar, when it changed since the last event. */
  calendar: workingCalendarSchema.optional(),
};
const reason = z.string().max(2000);
const ids = z.array(z.string());

export const gradingEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("SUBMIT"),
    ...eventBase,
    appliedLevel: z.string(),
    levels: z.array(z.string()).min(1),
    score: scoreFactsSchema,
    requiredEvidenceMissing: ids,
    creditListed: creditListingSchema.nullable(),
    /** The tenant's settings in force at submission (replace the ones given at creation). */
    settings: gradingSettingsSchema.optional(),
    reviewersRequired: z.number().int().min(1).optional(),
    conflictedReviewerIds: ids.optional(),
  }),
  z.object({ type: z.literal("WITHDRAW"), ...eventBase }),
  z.object({ type: z.literal("ACCEPT"), ...eventBase }),
  z.object({ type: z.literal("RETURN"), ...eventBase, reason }),
  z.object({
    type: z.literal("ASSIGN_REVIEWERS"),
    ...eventBase,
    reviewerIds: ids,
    conflictedReviewerIds: ids.optional(),
  }),
  z.object({
    type: z.literal("START_REVIEW"),
    ...eventBase,
    conflictedReviewerIds: ids.optional(),
  }),
  z.object({ type: z.literal("REQUEST_RECTIFICATION"), ...eventBase, reason, days: z.number() }),
  z.object({ type: z.literal("SUBMIT_RECTIFICATION"), ...eventBase }),
  z.object({
    type: z.literal("REPORT_REVIEW"),
    ...eventBase,
    recommendedLevel: z.string().nullable(),
    reason: reason.optional(),
  }),
  z.object({ type: z.literal("APPROVE"), ...eventBase }),
  z.object({ type: z.literal("REJECT"), ...eventBase, reason }),
  z.object({ type: z.literal("START_NOTICE"), ...eventBase }),
  z.object({ type: z.literal("OBJECTION"), ...eventBase, reason }),
  z.object({ type: z.literal("NOTICE_ENDED"), ...eventBase }),
  z.object({ type: z.literal("CONSENT_LOWER_LEVEL"), ...eventBase }),
  z.object({ type: z.literal("DECLINE_LOWER_LEVEL"), ...eventBase }),
  z.object({ type: z.literal("CERTIFY"), ...eventBase }),
  z.object({
    type: z.literal("CREDIT_LISTED"),
    ...eventBase,
    recordId: z.string(),
    name: z.string(),
  }),
]);
export type GradingEvent = z.infer<typeof gradingEventSchema>;
export type GradingEventType = GradingEvent["type"];
export type GradingEventOf<T extends GradingEventType> = Extract<GradingEvent, { type: T }>;

export const GRADING_EVENT_TYPES: readonly GradingEventType[] = gradingEventSchema.options.map(
  (o) => o.shape.type.value,
);

// ---------------------------------------------------------------------------------------------
// Rules

const ANYONE_BUT_SYSTEM: readonly ActorRole[] = [...ROLES, "public"];

/** Roles that may send each event (reviewer events also need the reviewer to be assigned). */
export const EVENT_ROLES: Record<GradingEventType, readonly ActorRole[]> = {
  SUBMIT: ["enterprise_admin"],
  WITHDRAW: ["enterprise_admin"],
  CONSENT_LOWER_LEVEL: ["enterprise_admin"],
  DECLINE_LOWER_LEVEL: ["enterprise_admin"],
  SUBMIT_RECTIFICATION: ["enterprise_admin"],
  ACCEPT: ["regulator"],
  RETURN: ["regulator"],
  ASSIGN_REVIEWERS: ["regulator"],
  APPROVE: ["regulator"],
  REJECT: ["regulator"],
  START_NOTICE: ["regulator"],
  CERTIFY: ["regulator"],
  START_REVIEW: ["reviewer"],
  REQUEST_RECTIFICATION: ["reviewer"],
  REPORT_REVIEW: ["reviewer"],
  NOTICE_ENDED: ["system"],
  CREDIT_LISTED: ["system"],
  OBJECTION: ANYONE_BUT_SYSTEM,
};

/** Stable reason codes (i18n keys) for a refused event. */
export const BLOCK_REASONS = [
  "invalid-in-state",
  "invalid-time",
  "invalid-calendar",
  "invalid-settings",
  "invalid-payload",
  "not-permitted",
  "not-assigned",
  "reason-required",
  "reviewer-conflict",
  "invalid-reviewers",
  "not-enough-reviewers",
  "unknown-level",
  "score-below-threshold",
  "veto",
  "level-not-reached",
  "evidence-missing",
  "credit-listed",
  "invalid-days",
  "rectification-pending",
  "level-above-applied",
  "review-failed",
  "notice-not-ended",
] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

function hasText(value: string | undefined): boolean {
  return value !== undefined && value.trim().length > 0;
}

/** Position in the rubric's level list (0 = best); -1 when unknown. */
function rankOf(context: Pick<GradingContext, "levels">, level: string | null): number {
  return level === null ? -1 : context.levels.indexOf(level);
}

function isLowerThanApplied(context: GradingContext, level: string | null): boolean {
  return (
    level !== null &&
    level !== context.appliedLevel &&
    rankOf(context, level) > rankOf(context, context.appliedLevel)
  );
}

function conflictsOf(context: GradingContext, event: GradingEvent): readonly string[] {
  if (
    (event.type === "ASSIGN_REVIEWERS" ||
      event.type === "START_REVIEW" ||
      event.type === "SUBMIT") &&
    event.conflictedReviewerIds
  ) {
    return event.conflictedReviewerIds;
  }
  return context.conflictedReviewerIds;
}

function effectiveCalendar(context: GradingContext, event: GradingEvent): WorkingCalendar {
  if (event.calendar) return event.calendar;
  if (event.type === "SUBMIT" && event.settings) return event.settings.calendar;
  return context.settings.calendar;
}

function validDays(days: number, max: number): boolean {
  return Number.isSafeInteger(days) && days >= 1 && days <= max;
}

/** Every rule for `event` in `context`, state aside: the reasons it would be refused ([] = allowed). */
function blockedReasons(context: GradingContext, event: GradingEvent): BlockReason[] {
  const reasons = new Set<BlockReason>();
  const now = Date.parse(event.now);
  if (Number.isNaN(now)) reasons.add("invalid-time");
  if (calendarProblems(effectiveCalendar(context, event)).length > 0)
    reasons.add("invalid-calendar");
  if (!EVENT_ROLES[event.type].includes(event.actor.role)) reasons.add("not-permitted");

  const assignedReviewer = (): void => {
    if (event.actor.role !== "reviewer") return; // already "not-permitted"
    if (event.actor.id === null || !context.reviewers.includes(event.actor.id))
      reasons.add("not-assigned");
    else if (conflictsOf(context, event).includes(event.actor.id)) reasons.add("reviewer-conflict");
  };

  switch (event.type) {
    case "SUBMIT": {
      const probe = { levels: event.levels };
      const appliedRank = rankOf(probe, event.appliedLevel);
      if (appliedRank < 0) reasons.add("unknown-level");
      const { selfScore, appliedLevelMinScore, vetoed, eligibleLevel } = event.score;
      const belowThreshold = selfScore === null || selfScore < appliedLevelMinScore;
      if (belowThreshold) reasons.add("score-below-threshold");
      if (vetoed) reasons.add("veto");
      // Caps the score cannot show (performance conditions, grantable levels).
      if (!belowThreshold && !vetoed && appliedRank >= 0) {
        const eligibleRank = rankOf(probe, eligibleLevel);
        if (eligibleRank < 0 || eligibleRank > appliedRank) reasons.add("level-not-reached");
      }
      if (event.requiredEvidenceMissing.length > 0) reasons.add("evidence-missing");
      if (event.creditListed !== null) reasons.add("credit-listed");
      const s = event.settings;
      if (
        (s &&
          !(
            validDays(s.acceptanceDays, 365) &&
            validDays(s.reviewDays, 365) &&
            validDays(s.publicNoticeDays, 365)
          )) ||
        (event.reviewersRequired !== undefined && !validDays(event.reviewersRequired, 50))
      ) {
        reasons.add("invalid-settings");
      }
      break;
    }
    case "RETURN":
    case "REJECT":
    case "OBJECTION":
      if (!hasText(event.reason)) reasons.add("reason-required");
      break;
    case "ASSIGN_REVIEWERS": {
      const list = event.reviewerIds;
      if (
        list.length === 0 ||
        new Set(list).size !== list.length ||
        list.some((id) => !hasText(id))
      ) {
        reasons.add("invalid-reviewers");
      }
      const conflicted = conflictsOf(context, event);
      if (list.some((id) => conflicted.includes(id))) reasons.add("reviewer-conflict");
      break;
    }
    case "START_REVIEW": {
      assignedReviewer();
      const conflicted = conflictsOf(context, event);
      if (context.reviewers.some((id) => conflicted.includes(id))) reasons.add("reviewer-conflict");
      if (
        context.reviewers.filter((id) => !conflicted.includes(id)).length <
        context.reviewersRequired
      ) {
        reasons.add("not-enough-reviewers");
      }
      break;
    }
    case "REQUEST_RECTIFICATION":
      assignedReviewer();
      if (!hasText(event.reason)) reasons.add("reason-required");
      if (!validDays(event.days, MAX_RECTIFICATION_DAYS)) reasons.add("invalid-days");
      break;
    case "REPORT_REVIEW": {
      assignedReviewer();
      const level = event.recommendedLevel;
      if (level !== null) {
        const rank = rankOf(context, level);
        if (rank < 0) reasons.add("unknown-level");
        else if (rank < rankOf(context, context.appliedLevel)) reasons.add("level-above-applied");
      }
      // A fail or a lower level must tell the enterprise why.
      if (level !== context.appliedLevel && !hasText(event.reason)) reasons.add("reason-required");
      const rectifyBy = context.deadlines.rectifyBy;
      if (
        context.rectificationStartedAt !== null &&
        rectifyBy !== undefined &&
        !(now > Date.parse(rectifyBy))
      ) {
        reasons.add("rectification-pending");
      }
      break;
    }
    case "APPROVE":
    case "CERTIFY":
      if (context.reportedLevel === null) reasons.add("review-failed");
      break;
    case "NOTICE_ENDED": {
      const endsAt = context.deadlines.noticeEndsAt;
      if (endsAt === undefined || !(now >= Date.parse(endsAt))) reasons.add("notice-not-ended");
      break;
    }
    case "CREDIT_LISTED":
      if (!hasText(event.recordId) || !hasText(event.name)) reasons.add("invalid-payload");
      break;
    default:
      break;
  }
  return [...reasons];
}

function deadlineAfter(fromIso: string, days: number, calendar: WorkingCalendar): string {
  return addWorkingDays(new Date(fromIso), days, calendar).toISOString();
}

function withoutDeadlines(deadlines: Deadlines, ...keys: Array<keyof Deadlines>): Deadlines {
  const next: Deadlines = { ...deadlines };
  for (const key of keys) delete next[key];
  return next;
}

function reasonOf(event: GradingEvent): string | null {
  return "reason" in event && typeof event.reason === "string" && hasText(event.reason)
    ? event.reason.trim()
    : null;
}

type RecipientKind = "regulators" | "enterprise" | "reviewers";

// ---------------------------------------------------------------------------------------------
// Machine

/**
 * Transitions shared by several states: a credit listing stops any running application (DOMAIN.md
 * §7 joint punishment), and a rejection ends it the same way wherever the authority decides it.
 */
const STOP_ON_CREDIT_LISTING = {
  target: "stopped",
  guard: "allowed",
  actions: [
    "begin",
    "recordListing",
    "unlockEnterprise",
    { type: "email", params: { template: "application-stopped", to: "enterprise" } },
    { type: "email", params: { template: "application-stopped", to: "regulators" } },
  ],
} as const;

const REJECT_APPLICATION = {
  target: "rejected",
  guard: "allowed",
  actions: [
    "begin",
    "clearDeadlines",
    "unlockEnterprise",
    { type: "email", params: { template: "application-rejected", to: "enterprise" } },
  ],
} as const;

export const gradingMachine = setup({
  types: {
    // XState's documented way to declare the types; no runtime value is involved.
    context: {} as GradingContext,
    events: {} as GradingEvent,
    input: {} as GradingInput,
  },
  guards: {
    allowed: ({ context, event }) => blockedReasons(context, event).length === 0,
    /** Allowed, and the level concerned is lower than the one applied for. */
    allowedAtLowerLevel: ({ context, event }) => {
      if (blockedReasons(context, event).length > 0) return false;
      if (event.type === "REPORT_REVIEW")
        return isLowerThanApplied(context, event.recommendedLevel);
      if (event.type === "CERTIFY") return isLowerThanApplied(context, context.reportedLevel);
      return false;
    },
  },
  actions: {
    /** First action of every transition: effects are per transition; a new calendar replaces the old. */
    begin: assign(({ context, event }) => ({
      pendingEffects: [],
      settings: event.calendar
        ? { ...context.settings, calendar: event.calendar }
        : context.settings,
    })),
    recordSubmission: assign(({ context, event }) => {
      assertEvent(event, "SUBMIT");
      const settings = event.settings
        ? { ...event.settings, calendar: event.calendar ?? event.settings.calendar }
        : context.settings;
      return {
        appliedLevel: event.appliedLevel,
        levels: event.levels,
        scoreFacts: event.score,
        requiredEvidenceMissing: event.requiredEvidenceMissing,
        creditListed: null,
        settings,
        reviewersRequired: event.reviewersRequired ?? context.reviewersRequired,
        conflictedReviewerIds: event.conflictedReviewerIds ?? context.conflictedReviewerIds,
        reviewers: [],
        reportedLevel: null,
        consentToLowerLevel: false,
        rectificationStartedAt: null,
        rectificationWorkingDays: 0,
        deadlines: {
          acceptBy: deadlineAfter(event.now, settings.acceptanceDays, settings.calendar),
        },
      };
    }),
    clearDeadlines: assign({ deadlines: {} }),
    recordReviewers: assign(({ context, event }) => {
      assertEvent(event, "ASSIGN_REVIEWERS");
      return {
        reviewers: event.reviewerIds,
        conflictedReviewerIds: event.conflictedReviewerIds ?? context.conflictedReviewerIds,
      };
    }),
    startReview: assign(({ context, event }) => {
      assertEvent(event, ["START_REVIEW", "OBJECTION"]);
      return {
        conflictedReviewerIds: [...conflictsOf(context, event)],
        reportedLevel: null,
        consentToLowerLevel: false,
        deadlines: {
          reviewBy: deadlineAfter(
            event.now,
            context.settings.reviewDays,
            context.settings.calendar,
          ),
        },
      };
    }),
    startRectification: assign(({ context, event }) => {
      assertEvent(event, "REQUEST_RECTIFICATION");
      return {
        rectificationStartedAt: event.now,
        deadlines: {
          ...context.deadlines,
          rectifyBy: deadlineAfter(event.now, event.days, context.settings.calendar),
        },
      };
    }),
    /** The review period excludes rectification: push reviewBy back by the working days it took. */
    endRectification: assign(({ context, event }) => {
      const { calendar } = context.settings;
      const started = context.rectificationStartedAt;
      const spent =
        started === null
          ? 0
          : Math.max(0, workingDaysBetween(new Date(started), new Date(event.now), calendar));
      const reviewBy = context.deadlines.reviewBy;
      return {
        rectificationStartedAt: null,
        rectificationWorkingDays: context.rectificationWorkingDays + spent,
        deadlines: {
          ...withoutDeadlines(context.deadlines, "rectifyBy"),
          ...(reviewBy === undefined
            ? {}
            : { reviewBy: addWorkingDays(new Date(reviewBy), spent, calendar).toISOString() }),
        },
      };
    }),
    recordReport: assign(({ event }) => {
      assertEvent(event, "REPORT_REVIEW");
      return {
        reportedLevel: event.recommendedLevel,
        consentToLowerLevel: false,
        rectificationStartedAt: null,
        deadlines: {},
      };
    }),
    recordConsent: assign({ consentToLowerLevel: true }),
    startNotice: assign(({ context, event }) => ({
      deadlines: {
        noticeEndsAt: deadlineAfter(
          event.now,
          context.settings.publicNoticeDays,
          context.settings.calendar,
        ),
      },
    })),
    recordListing: assign(({ event }) => {
      assertEvent(event, "CREDIT_LISTED");
      return { creditListed: { recordId: event.recordId, name: event.name }, deadlines: {} };
    }),
    lockEnterprise: assign(({ context }) => {
      const effect: PendingEffect = { type: "lockEnterprise", enterpriseId: context.enterpriseId };
      return { pendingEffects: [...context.pendingEffects, effect] };
    }),
    unlockEnterprise: assign(({ context }) => {
      const effect: PendingEffect = {
        type: "unlockEnterprise",
        enterpriseId: context.enterpriseId,
      };
      return { pendingEffects: [...context.pendingEffects, effect] };
    }),
    issueCertificate: assign(({ context, event }) => {
      if (context.reportedLevel === null) return {}; // unreachable: CERTIFY's guard requires a level
      const effect: PendingEffect = {
        type: "certificate",
        applicationId: context.applicationId,
        enterpriseId: context.enterpriseId,
        level: context.reportedLevel,
        issuedAt: event.now,
      };
      return { pendingEffects: [...context.pendingEffects, effect] };
    }),
    email: assign(
      ({ context, event }, params: { template: GradingEmailTemplate; to: RecipientKind }) => {
        let to: EmailRecipient;
        if (params.to === "regulators") to = { kind: "regulators" };
        else if (params.to === "enterprise")
          to = { kind: "enterprise", enterpriseId: context.enterpriseId };
        else if (context.reviewers.length > 0) to = { kind: "users", userIds: context.reviewers };
        else return {};
        const effect: PendingEffect = {
          type: "email",
          template: params.template,
          to,
          applicationId: context.applicationId,
          data: {
            reason: reasonOf(event),
            appliedLevel: context.appliedLevel,
            reportedLevel: context.reportedLevel,
            deadlines: context.deadlines,
          },
        };
        return { pendingEffects: [...context.pendingEffects, effect] };
      },
    ),
  },
}).createMachine({
  id: "grading",
  initial: "draft",
  context: ({ input }) => ({
    machineVersion: GRADING_MACHINE_VERSION,
    applicationId: input.applicationId,
    enterpriseId: input.enterpriseId,
    appliedLevel: input.appliedLevel ?? null,
    levels: input.levels ?? [],
    reviewersRequired: input.reviewersRequired ?? DEFAULT_REVIEWERS_REQUIRED,
    reviewers: [],
    conflictedReviewerIds: input.conflictedReviewerIds ?? [],
    scoreFacts: null,
    requiredEvidenceMissing: [],
    creditListed: null,
    deadlines: {},
    rectificationStartedAt: null,
    rectificationWorkingDays: 0,
    settings: input.settings,
    reportedLevel: null,
    consentToLowerLevel: false,
    pendingEffects: [],
  }),
  states: {
    /** Editable by the enterprise. `returned` = sent back by the regulator; same application. */
    draft: {
      initial: "editing",
      states: { editing: {}, returned: {} },
      on: {
        SUBMIT: {
          target: "submitted",
          guard: "allowed",
          actions: [
            "begin",
            "recordSubmission",
            "lockEnterprise",
            { type: "email", params: { template: "application-submitted", to: "regulators" } },
          ],
        },
        WITHDRAW: { target: "withdrawn", guard: "allowed", actions: ["begin", "clearDeadlines"] },
      },
    },
    submitted: {
      on: {
        ACCEPT: {
          target: "accepted",
          guard: "allowed",
          actions: [
            "begin",
            "clearDeadlines",
            { type: "email", params: { template: "application-accepted", to: "enterprise" } },
          ],
        },
        RETURN: {
          target: "#grading.draft.returned",
          guard: "allowed",
          actions: [
            "begin",
            "clearDeadlines",
            "unlockEnterprise",
            { type: "email", params: { template: "application-returned", to: "enterprise" } },
          ],
        },
        REJECT: REJECT_APPLICATION,
        WITHDRAW: {
          target: "withdrawn",
          guard: "allowed",
          actions: [
            "begin",
            "clearDeadlines",
            "unlockEnterprise",
            { type: "email", params: { template: "application-withdrawn", to: "regulators" } },
          ],
        },
        CREDIT_LISTED: STOP_ON_CREDIT_LISTING,
      },
    },
    accepted: {
      on: {
        ASSIGN_REVIEWERS: {
          target: "reviewAssigned",
          guard: "allowed",
          actions: [
            "begin",
            "recordReviewers",
            { type: "email", params: { template: "reviewers-assigned", to: "reviewers" } },
          ],
        },
        CREDIT_LISTED: STOP_ON_CREDIT_LISTING,
      },
    },
    reviewAssigned: {
      on: {
        // Re-assigning replaces the whole list (e.g. a reviewer became unavailable or conflicted).
        ASSIGN_REVIEWERS: {
          target: "reviewAssigned",
          guard: "allowed",
          actions: [
            "begin",
            "recordReviewers",
            { type: "email", params: { template: "reviewers-assigned", to: "reviewers" } },
          ],
        },
        START_REVIEW: {
          target: "underReview",
          guard: "allowed",
          actions: [
            "begin",
            "startReview",
            { type: "email", params: { template: "review-started", to: "enterprise" } },
          ],
        },
        CREDIT_LISTED: {
          target: "stopped",
          guard: "allowed",
          actions: [
            "begin",
            "recordListing",
            "unlockEnterprise",
            { type: "email", params: { template: "application-stopped", to: "enterprise" } },
            { type: "email", params: { template: "application-stopped", to: "regulators" } },
            { type: "email", params: { template: "application-stopped", to: "reviewers" } },
          ],
        },
      },
    },
    underReview: {
      initial: "reviewing",
      states: {
        reviewing: {
          on: {
            REQUEST_RECTIFICATION: {
              target: "rectification",
              guard: "allowed",
              actions: [
                "begin",
                "startRectification",
                {
                  type: "email",
                  params: { template: "rectification-requested", to: "enterprise" },
                },
              ],
            },
          },
        },
        /** Waiting for the enterprise's rectification (整改), due by deadlines.rectifyBy. */
        rectification: {
          on: {
            SUBMIT_RECTIFICATION: {
              target: "reviewing",
              guard: "allowed",
              actions: [
                "begin",
                "endRectification",
                { type: "email", params: { template: "rectification-submitted", to: "reviewers" } },
              ],
            },
          },
        },
      },
      on: {
        // From rectification only once rectifyBy has passed (an unanswered request fails the review).
        REPORT_REVIEW: [
          {
            target: "#grading.reviewReported.awaitingConsent",
            guard: "allowedAtLowerLevel",
            actions: [
              "begin",
              "recordReport",
              { type: "email", params: { template: "review-reported", to: "regulators" } },
              {
                type: "email",
                params: { template: "lower-level-consent-requested", to: "enterprise" },
              },
            ],
          },
          {
            target: "#grading.reviewReported.pendingApproval",
            guard: "allowed",
            actions: [
              "begin",
              "recordReport",
              { type: "email", params: { template: "review-reported", to: "regulators" } },
            ],
          },
        ],
        CREDIT_LISTED: {
          target: "stopped",
          guard: "allowed",
          actions: [
            "begin",
            "recordListing",
            "unlockEnterprise",
            { type: "email", params: { template: "application-stopped", to: "enterprise" } },
            { type: "email", params: { template: "application-stopped", to: "regulators" } },
            { type: "email", params: { template: "application-stopped", to: "reviewers" } },
          ],
        },
      },
    },
    reviewReported: {
      initial: "pendingApproval",
      states: {
        /** The authority's decision (审核). A failed review (no level) can only be rejected. */
        pendingApproval: {
          on: {
            APPROVE: {
              target: "#grading.approved",
              guard: "allowed",
              actions: [
                "begin",
                { type: "email", params: { template: "application-approved", to: "enterprise" } },
              ],
            },
          },
        },
        /** The reviewers recommend a lower level than applied for: the applicant must agree. */
        awaitingConsent: {
          on: {
            CONSENT_LOWER_LEVEL: {
              target: "pendingApproval",
              guard: "allowed",
              actions: [
                "begin",
                "recordConsent",
                { type: "email", params: { template: "lower-level-consented", to: "regulators" } },
              ],
            },
            DECLINE_LOWER_LEVEL: {
              target: "#grading.withdrawn",
              guard: "allowed",
              actions: [
                "begin",
                "clearDeadlines",
                "unlockEnterprise",
                { type: "email", params: { template: "lower-level-declined", to: "regulators" } },
              ],
            },
          },
        },
      },
      on: {
        REJECT: REJECT_APPLICATION,
        CREDIT_LISTED: STOP_ON_CREDIT_LISTING,
      },
    },
    approved: {
      on: {
        START_NOTICE: {
          target: "publicNotice",
          guard: "allowed",
          actions: [
            "begin",
            "startNotice",
            { type: "email", params: { template: "public-notice-started", to: "enterprise" } },
          ],
        },
        REJECT: REJECT_APPLICATION,
        CREDIT_LISTED: STOP_ON_CREDIT_LISTING,
      },
    },
    /** 公示: `running` until noticeEndsAt (objections possible), then `ended` (awaiting 公告). */
    publicNotice: {
      initial: "running",
      states: {
        running: {
          on: {
            OBJECTION: {
              target: "#grading.underReview",
              guard: "allowed",
              actions: [
                "begin",
                "startReview",
                { type: "email", params: { template: "objection-received", to: "regulators" } },
                { type: "email", params: { template: "objection-received", to: "reviewers" } },
                { type: "email", params: { template: "objection-received", to: "enterprise" } },
              ],
            },
            NOTICE_ENDED: {
              target: "ended",
              guard: "allowed",
              actions: [
                "begin",
                "clearDeadlines",
                { type: "email", params: { template: "public-notice-ended", to: "regulators" } },
              ],
            },
          },
        },
        ended: {
          on: {
            CERTIFY: [
              {
                target: "#grading.certifiedLowerLevel",
                guard: "allowedAtLowerLevel",
                actions: [
                  "begin",
                  "issueCertificate",
                  "unlockEnterprise",
                  {
                    type: "email",
                    params: { template: "application-certified", to: "enterprise" },
                  },
                ],
              },
              {
                target: "#grading.certified",
                guard: "allowed",
                actions: [
                  "begin",
                  "issueCertificate",
                  "unlockEnterprise",
                  {
                    type: "email",
                    params: { template: "application-certified", to: "enterprise" },
                  },
                ],
              },
            ],
          },
        },
      },
      on: {
        CREDIT_LISTED: STOP_ON_CREDIT_LISTING,
      },
    },
    certified: { type: "final" },
    /** Certified at the level the reviewers recommended, lower than applied, with consent. */
    certifiedLowerLevel: { type: "final" },
    rejected: { type: "final" },
    withdrawn: { type: "final" },
    /** Stopped because the enterprise was put on a credit list (联合惩戒). */
    stopped: { type: "final" },
  },
});

export type GradingMachine = typeof gradingMachine;
export type GradingSnapshot = SnapshotFrom<GradingMachine>;

// ---------------------------------------------------------------------------------------------
// State groups

export type GradingTopState =
  | "draft"
  | "submitted"
  | "accepted"
  | "reviewAssigned"
  | "underReview"
  | "reviewReported"
  | "approved"
  | "publicNotice"
  | "certified"
  | "certifiedLowerLevel"
  | "rejected"
  | "withdrawn"
  | "stopped";

/** The enterprise may edit answers and evidence only here. */
export const editableStates: readonly GradingTopState[] = ["draft"];
/**
 * Enterprise master data is locked from submission until the application ends: the certificate
 * prints the name and credit code that were reviewed and publicly noticed.
 */
export const lockedStates: readonly GradingTopState[] = [
  "submitted",
  "accepted",
  "reviewAssigned",
  "underReview",
  "reviewReported",
  "approved",
  "publicNotice",
];
/** A running application: CREDIT_LISTED stops it. (A draft is not running; SUBMIT checks the listing.) */
export const activeStates: readonly GradingTopState[] = lockedStates;
export const finalStates: readonly GradingTopState[] = [
  "certified",
  "certifiedLowerLevel",
  "rejected",
  "withdrawn",
  "stopped",
];

function topStateKey(value: StateValue): string {
  return typeof value === "string" ? value : (Object.keys(value)[0] ?? "");
}

function isTopState(key: string): key is GradingTopState {
  return (
    editableStates.some((s) => s === key) ||
    lockedStates.some((s) => s === key) ||
    finalStates.some((s) => s === key)
  );
}

export function topStateOf(snapshot: GradingSnapshot): GradingTopState {
  const key = topStateKey(snapshot.value);
  if (!isTopState(key)) throw new Error(`Unknown grading state "${key}"`);
  return key;
}

/** Dotted path of the current leaf state, e.g. "underReview.rectification" (for the `state` column). */
export function stateKeyOf(snapshot: GradingSnapshot): string {
  const parts: string[] = [];
  let value: StateValue | undefined = snapshot.value;
  while (value !== undefined) {
    if (typeof value === "string") {
      parts.push(value);
      break;
    }
    const [key, child]: [string, StateValue | undefined] = Object.entries(value)[0] ?? [
      "",
      undefined,
    ];
    parts.push(key);
    value = child;
  }
  return parts.join(".");
}

export function isEditable(snapshot: GradingSnapshot): boolean {
  return editableStates.includes(topStateOf(snapshot));
}

export function isEnterpriseLocked(snapshot: GradingSnapshot): boolean {
  return lockedStates.includes(topStateOf(snapshot));
}

// ---------------------------------------------------------------------------------------------
// Applying events

function isEventType(type: string): type is GradingEventType {
  return GRADING_EVENT_TYPES.some((t) => t === type);
}

/** Event types the current state has a transition for (guards aside): the candidate actions in the UI. */
export function handledEvents(snapshot: GradingSnapshot): GradingEventType[] {
  if (snapshot.status !== "active") return [];
  const found = new Set<GradingEventType>();
  for (const node of getStateNodes(gradingMachine.root, snapshot.value)) {
    for (const type of node.transitions.keys()) if (isEventType(type)) found.add(type);
  }
  return GRADING_EVENT_TYPES.filter((t) => found.has(t));
}

/**
 * Why `event` would be refused in `snapshot`; [] when it would be accepted.
 * "invalid-in-state" alone when the state has no transition for the event at all.
 */
export function explainBlocked(snapshot: GradingSnapshot, event: GradingEvent): BlockReason[] {
  if (!handledEvents(snapshot).includes(event.type)) return ["invalid-in-state"];
  return blockedReasons(snapshot.context, event);
}

export function startGrading(input: GradingInput): GradingSnapshot {
  return initialTransition(gradingMachine, input)[0];
}

export type GradingStep =
  | { ok: true; snapshot: GradingSnapshot; effects: PendingEffect[] }
  | { ok: false; snapshot: GradingSnapshot; reasons: BlockReason[] };

/** One event, purely: the next snapshot and its effects, or the reasons it was refused. */
export function applyGradingEvent(snapshot: GradingSnapshot, event: GradingEvent): GradingStep {
  const [next] = transition(gradingMachine, snapshot, event);
  if (next === snapshot) {
    const reasons = explainBlocked(snapshot, event);
    return { ok: false, snapshot, reasons: reasons.length > 0 ? reasons : ["invalid-in-state"] };
  }
  return { ok: true, snapshot: next, effects: next.context.pendingEffects };
}

// ---------------------------------------------------------------------------------------------
// Persistence (shape only; storing is the server's job)

export type PersistedGradingSnapshot = {
  value: StateValue;
  status: GradingSnapshot["status"];
  context: GradingContext;
};

/** Plain JSON to store in `assessment.workflow`. */
export function persistSnapshot(snapshot: GradingSnapshot): PersistedGradingSnapshot {
  return { value: snapshot.value, status: snapshot.status, context: snapshot.context };
}

export class GradingSnapshotError extends Error {
  override readonly name: string = "GradingSnapshotError";
  readonly code: "version-mismatch" | "invalid-snapshot";
  constructor(
    code: "version-mismatch" | "invalid-snapshot",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}

/** A snapshot written by another machine version; it must be migrated before it can be resumed. */
export class GradingVersionMismatchError extends GradingSnapshotError {
  override readonly name = "GradingVersionMismatchError";
  readonly found: unknown;
  readonly expected = GRADING_MACHINE_VERSION;
  constructor(found: unknown) {
    super(
      "version-mismatch",
      `Stored grading workflow has machine version ${JSON.stringify(found) ?? "none"}, this code runs version ${GRADING_MACHINE_VERSION}`,
    );
    this.found = found;
  }
}

// The machine nests two levels deep.
const storedSnapshotSchema = z.object({
  value: z.union([z.string(), z.record(z.string(), z.string())]),
  context: z.unknown(),
});
const versionProbeSchema = z.object({ machineVersion: z.unknown() });

/**
 * Resumes a stored snapshot (from `persistSnapshot`, or XState's own persisted form). Throws
 * `GradingVersionMismatchError` for another machine version and `GradingSnapshotError`
 * ("invalid-snapshot") for anything that is not a valid snapshot of this machine.
 */
export function restoreSnapshot(json: unknown): GradingSnapshot {
  const stored = storedSnapshotSchema.safeParse(json);
  if (!stored.success) {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      "Stored grading workflow is not a snapshot",
      { cause: stored.error },
    );
  }
  const probe = versionProbeSchema.safeParse(stored.data.context);
  const found = probe.success ? probe.data.machineVersion : undefined;
  if (found !== GRADING_MACHINE_VERSION) throw new GradingVersionMismatchError(found);
  const context = gradingContextSchema.safeParse(stored.data.context);
  if (!context.success) {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      "Stored grading workflow has an invalid context",
      { cause: context.error },
    );
  }
  try {
    return gradingMachine.resolveState({ value: stored.data.value, context: context.data });
  } catch (error) {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      "Stored grading workflow names an unknown state",
      { cause: error },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Diagram

function mermaidId(node: AnyStateNode): string {
  return node.path.join("_");
}

function guardName(guard: unknown): string | null {
  if (typeof guard === "string") return guard;
  if (
    typeof guard === "object" &&
    guard !== null &&
    "type" in guard &&
    typeof guard.type === "string"
  )
    return guard.type;
  if (typeof guard === "function" && guard.name) return guard.name;
  return null;
}

/**
 * A Mermaid stateDiagram-v2 of any machine, read from its definition (states, initial states,
 * transitions, final states). Guards are shown only where they choose between several targets
 * of one event.
 */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ["stateDiagram-v2"];
  const edges: string[] = [];

  const walk = (node: AnyStateNode, indent: string): void => {
    const children: AnyStateNode[] = Object.values(node.states);
    if (children.length > 0) {
      const initial = node.initial.target[0];
      if (initial) lines.push(`${indent}[*] --> ${mermaidId(initial)}`);
    }
    for (const child of children) {
      const id = mermaidId(child);
      const named = id === child.key ? id : `"${child.key}" as ${id}`;
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state ${id} {`);
        walk(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else if (id !== child.key) {
        lines.push(`${indent}state ${named}`);
      } else {
        lines.push(`${indent}${id}`);
      }
      if (child.type === "final") edges.push(`  ${id} --> [*]`);
      for (const [eventType, defs] of child.transitions) {
        for (const def of defs) {
          const guard = defs.length > 1 ? guardName(def.guard) : null;
          const label = guard ? `${eventType} [${guard}]` : eventType;
          for (const target of def.target ?? [child])
            edges.push(`  ${id} --> ${mermaidId(target)} : ${label}`);
        }
      }
      for (const def of child.always ?? []) {
        const guard = guardName(def.guard);
        for (const target of def.target ?? []) {
          edges.push(`  ${id} --> ${mermaidId(target)}${guard ? ` : [${guard}]` : ""}`);
        }
      }
    }
  };

  walk(machine.root, "  ");
  return [...lines, ...edges].join("\n") + "\n";
}
