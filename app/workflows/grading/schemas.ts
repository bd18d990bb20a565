/** Shapes of the grading workflow: context, events, effects (zod is the single source; types inferred). */
import { z } from "zod";
import { ROLES } from "../../lib/domain";

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
  /**
   * An organizing unit (组织单位) accepts or returns applications and checks review reports
   * before the authority's approval. Off (or absent, as in snapshots older than Step 10): the
   * regulator does both.
   */
  organizerEnabled: z.boolean().optional(),
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

/** The consolidated review sheet on REPORT_REVIEW, supplied by the server (Step 10). */
export const reviewSheetFactsSchema = z.object({
  /** Applicable items without a review score (N/A with its reason is a score). */
  unscoredItemIds: z.array(z.string()),
  naWithoutReasonItemIds: z.array(z.string()),
  /** Panel members who have not confirmed their part. */
  unconfirmedMemberIds: z.array(z.string()),
  score: z.number().nullable(),
  /** The level the consolidated score gives (veto, performance caps and grantable levels applied). */
  scoreLevel: z.string().nullable(),
});
export type ReviewSheetFacts = z.infer<typeof reviewSheetFactsSchema>;

export const creditListingSchema = z.object({ recordId: z.string(), name: z.string() });
export type CreditListing = z.infer<typeof creditListingSchema>;

/**
 * A renewal application (复评/延期, issue 16 item 4): the certificate it renews and the level it keeps.
 * `decision`: waiting for the authority's check, confirmed for the fast track, or sent down the full path.
 */
export const renewalContextSchema = z.object({
  certificateId: z.string().min(1),
  level: z.string().min(1),
  decision: z.enum(["pending", "fastTrack", "fullPath"]),
});
export type RenewalContext = z.infer<typeof renewalContextSchema>;

/** What SUBMIT learns from the server about a renewal application (null: not a renewal). */
export const renewalOfSchema = z.object({ certificateId: z.string().min(1), level: z.string().min(1) });

/**
 * The renewal eligibility facts the server builds on CONFIRM_FAST_TRACK (pure rules in
 * ./renewal-rules.ts decide on them).
 */
export const renewalFactsSchema = z.object({
  certificateId: z.string().min(1),
  certificateLevel: z.string().min(1),
  /** The certificate's status as a reader sees it now (an expired one is "expired"). */
  certificateStatus: z.enum(["active", "suspended", "revoked", "expired"]),
  /** Start of the renewal window (settings.renewalWindowMonths before the end of validity). */
  windowOpensAt: instant,
  validUntil: instant,
  /** Years of validity whose yearly report is due and not submitted. */
  missingYearlyReports: z.array(z.number().int()),
  /** Years of validity whose report waits for the regulator's revocation review. */
  openRevocationReviews: z.array(z.number().int()),
  creditListed: z.object({ recordId: z.string(), name: z.string() }).nullable(),
  /** The renewal application's self-assessment, scored now. */
  selfScore: z.number().nullable(),
  /** Minimum score of the certified level in the application's rubric. */
  levelMinScore: z.number(),
  vetoed: z.boolean(),
  eligibleLevel: z.string().nullable(),
  /** The rubric's level keys, best first. */
  levels: z.array(z.string()),
});
export type RenewalFacts = z.infer<typeof renewalFactsSchema>;

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
  "review-body-assigned",
  "panel-member-removed",
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
  "objection-upheld",
  "objection-dismissed",
  "report-checked",
  "report-returned",
  "public-notice-ended",
  "application-certified",
  "application-stopped",
  "renewal-fast-tracked",
  "renewal-full-path",
] as const;
export type GradingEmailTemplate = (typeof GRADING_EMAIL_TEMPLATES)[number];

/** Who gets a mail; the server resolves "regulators" and "enterprise" to the tenant's users. */
export const emailRecipientSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("regulators") }),
  z.object({ kind: z.literal("organizers") }),
  z.object({ kind: z.literal("enterprise"), enterpriseId: z.string() }),
  z.object({ kind: z.literal("users"), userIds: z.array(z.string()) }),
  /** The admins of one review body (评审单位), resolved by the server from the body's record. */
  z.object({ kind: z.literal("reviewBodyAdmins"), reviewBodyId: z.string() }),
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
  /** All panel members (评审组), the lead included. */
  reviewers: z.array(z.string()),
  /** The review body (评审单位) the application is assigned to; null before ASSIGN_REVIEW_BODY. */
  reviewBodyId: z.string().nullable().default(null),
  /** The panel's lead (组长), one of `reviewers`; set by ASSIGN_REVIEWERS. */
  leadReviewerId: z.string().nullable().default(null),
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
  /** Start of the running stretch of the public notice (null when no notice runs). */
  noticeStartedAt: instant.nullable().default(null),
  /** Working days of the notice that ran before objections paused it (kept on dismissal). */
  noticeDaysElapsed: z.number().int().min(0).default(0),
  /** Level the reviewers recommended; null before the report or when the review failed. */
  reportedLevel: z.string().nullable(),
  consentToLowerLevel: z.boolean(),
  /** A renewal application at the certified level (absent in snapshots older than Step 12). */
  renewal: renewalContextSchema.nullable().default(null),
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
    /** Applicable items of the self-assessment with no answer (N/A counts as an answer). */
    unansweredItemIds: ids,
    creditListed: creditListingSchema.nullable(),
    /** The tenant's settings in force at submission (replace the ones given at creation). */
    settings: gradingSettingsSchema.optional(),
    reviewersRequired: z.number().int().min(1).optional(),
    conflictedReviewerIds: ids.optional(),
    /** Server fact: the certificate this application renews (set by startRenewal), else null. */
    renewal: renewalOfSchema.nullable().optional(),
  }),
  z.object({ type: z.literal("WITHDRAW"), ...eventBase }),
  /** The authority confirms a renewal's eligibility: straight to public notice (issue 16 item 4). */
  z.object({ type: z.literal("CONFIRM_FAST_TRACK"), ...eventBase, eligibility: renewalFactsSchema }),
  /** The authority sends a renewal down the full path (acceptance, review…), with a reason. */
  z.object({ type: z.literal("SEND_FULL_PATH"), ...eventBase, reason }),
  z.object({ type: z.literal("ACCEPT"), ...eventBase }),
  z.object({ type: z.literal("RETURN"), ...eventBase, reason }),
  z.object({
    type: z.literal("ASSIGN_REVIEW_BODY"),
    ...eventBase,
    reviewBodyId: z.string(),
    /** Whether the body is an active review body of this tenant (the server checks). */
    reviewBodyActive: z.boolean(),
  }),
  z.object({
    type: z.literal("ASSIGN_REVIEWERS"),
    ...eventBase,
    /** All panel members, the lead included. */
    reviewerIds: ids,
    leadReviewerId: z.string(),
    /** Of `reviewerIds`, the active experts of the assigned body with an active reviewer account here. */
    eligibleReviewerIds: ids,
    /** Of `reviewerIds`, experts of the assigned body that are deactivated (or their account is). */
    inactiveReviewerIds: ids,
    /** Of `reviewerIds`, members of the graded enterprise (any membership with its id). */
    enterpriseMemberIds: ids,
    /** Of `reviewerIds`, experts who declared a conflict of interest with the enterprise. */
    declaredConflictIds: ids,
    /** The tenant's minimum panel size now (settings.minPanelSize). */
    minPanelSize: z.number().int().min(1),
    /** settings.panelRotation: the lead must differ from the enterprise's previous lead. */
    panelRotation: z.boolean(),
    /** Lead of the enterprise's previous review (another application); null when none. */
    previousLeadReviewerId: z.string().nullable(),
  }),
  z.object({
    type: z.literal("START_REVIEW"),
    ...eventBase,
    conflictedReviewerIds: ids.optional(),
  }),
  z.object({
    type: z.literal("REQUEST_RECTIFICATION"),
    ...eventBase,
    reason,
    days: z.number(),
    /** Rubric items newly asked to be rectified (整改项). */
    itemIds: ids,
    /** Server facts: items with a review deduction, items already asked for, re-opened items. */
    deductedItemIds: ids,
    requestedItemIds: ids,
    reopenedItemIds: ids,
  }),
  z.object({
    type: z.literal("SUBMIT_RECTIFICATION"),
    ...eventBase,
    /** Server fact: rectification items still waiting for the enterprise's answer. */
    unansweredRectificationIds: ids.optional(),
  }),
  z.object({
    type: z.literal("REPORT_REVIEW"),
    ...eventBase,
    recommendedLevel: z.string().nullable(),
    reason: reason.optional(),
    /** Server fact: rectification items neither accepted nor left open with a reason. */
    unresolvedRectificationIds: ids.optional(),
    /** What the consolidated review sheet says now (the server checks; required, never assumed). */
    sheet: reviewSheetFactsSchema,
  }),
  z.object({ type: z.literal("APPROVE"), ...eventBase }),
  z.object({ type: z.literal("REJECT"), ...eventBase, reason }),
  z.object({ type: z.literal("START_NOTICE"), ...eventBase }),
  z.object({ type: z.literal("OBJECTION"), ...eventBase, reason }),
  z.object({ type: z.literal("UPHOLD_OBJECTION"), ...eventBase, reason }),
  z.object({
    type: z.literal("DISMISS_OBJECTION"),
    ...eventBase,
    reason,
    /** Start the notice period again in full instead of continuing it. */
    restartNotice: z.boolean(),
  }),
  z.object({ type: z.literal("ORGANIZER_APPROVE_REPORT"), ...eventBase }),
  z.object({ type: z.literal("ORGANIZER_RETURN_REPORT"), ...eventBase, reason }),
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
