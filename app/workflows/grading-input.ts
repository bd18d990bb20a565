/**
 * What a person (or the system) may send to an application's workflow, as the browser and the
 * server both see it: the event payload WITHOUT the facts the server adds itself (actor, clock,
 * score, evidence, credit listing, conflicts, calendar). Pure and client-safe: routes use these
 * schemas for react-hook-form and for parsing the form data; `applyApplicationEvent` parses again.
 */
import { z } from "zod";
import type { Permission } from "~/lib/permissions";
import { LIMITS } from "~/lib/domain";
import { msg } from "~/lib/validation";
import {
  MAX_RECTIFICATION_DAYS,
  stateKeyOf,
  topStateOf,
  type GradingEventType,
  type GradingSnapshot,
} from "./grading.machine";

const reasonText = z
  .string({ error: msg("errors.reasonRequired") })
  .trim()
  .min(1, { error: msg("errors.reasonRequired") })
  .max(LIMITS.reason, { error: msg("errors.tooLong", { max: LIMITS.reason }) });

const optionalReason = z
  .string()
  .trim()
  .max(LIMITS.reason, { error: msg("errors.tooLong", { max: LIMITS.reason }) })
  .optional();

const objectIdText = z.string().regex(/^[0-9a-f]{24}$/, { error: msg("errors.invalidChoice") });

export const applicationEventInputSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("SUBMIT"),
    appliedLevel: z
      .string()
      .trim()
      .min(1, { error: msg("workflow.errors.levelRequired") })
      .max(40),
  }),
  z.object({ type: z.literal("WITHDRAW") }),
  z.object({ type: z.literal("ACCEPT") }),
  z.object({ type: z.literal("RETURN"), reason: reasonText }),
  z.object({ type: z.literal("CONFIRM_FAST_TRACK") }),
  z.object({ type: z.literal("SEND_FULL_PATH"), reason: reasonText }),
  z.object({ type: z.literal("REJECT"), reason: reasonText }),
  z.object({
    type: z.literal("ASSIGN_REVIEW_BODY"),
    reviewBodyId: z
      .string({ error: msg("workflow.errors.reviewBodyRequired") })
      .regex(/^[0-9a-f]{24}$/, { error: msg("workflow.errors.reviewBodyRequired") }),
  }),
  z.object({
    type: z.literal("ASSIGN_REVIEWERS"),
    reviewerIds: z
      .array(objectIdText)
      .min(1, { error: msg("workflow.errors.reviewersRequired") })
      .max(20),
    /** Exactly one lead (组长): a list (two radio values posted) is refused here. */
    leadReviewerId: z
      .string({ error: msg("workflow.errors.oneLead") })
      .regex(/^[0-9a-f]{24}$/, { error: msg("workflow.errors.oneLead") }),
  }),
  z.object({ type: z.literal("START_REVIEW") }),
  z.object({
    type: z.literal("REQUEST_RECTIFICATION"),
    reason: reasonText,
    /** Deducted rubric items to rectify (may be empty when re-asking for re-opened items). */
    itemIds: z.array(z.string().trim().min(1).max(40)).max(500).default([]),
    days: z.coerce
      .number({ error: msg("workflow.errors.days", { max: MAX_RECTIFICATION_DAYS }) })
      .int({ error: msg("workflow.errors.days", { max: MAX_RECTIFICATION_DAYS }) })
      .min(1, { error: msg("workflow.errors.days", { max: MAX_RECTIFICATION_DAYS }) })
      .max(MAX_RECTIFICATION_DAYS, {
        error: msg("workflow.errors.days", { max: MAX_RECTIFICATION_DAYS }),
      }),
  }),
  z.object({ type: z.literal("SUBMIT_RECTIFICATION") }),
  z.object({
    type: z.literal("REPORT_REVIEW"),
    /** null: the review failed (no level can be recommended). */
    recommendedLevel: z.string().max(40).nullable(),
    reason: optionalReason,
  }),
  z.object({ type: z.literal("APPROVE") }),
  z.object({ type: z.literal("START_NOTICE") }),
  z.object({ type: z.literal("OBJECTION"), reason: reasonText }),
  z.object({ type: z.literal("UPHOLD_OBJECTION"), reason: reasonText }),
  z.object({
    type: z.literal("DISMISS_OBJECTION"),
    reason: reasonText,
    restartNotice: z.preprocess(
      (v) => v === true || v === "true" || v === "on" || v === "1",
      z.boolean(),
    ),
  }),
  z.object({ type: z.literal("ORGANIZER_APPROVE_REPORT") }),
  z.object({ type: z.literal("ORGANIZER_RETURN_REPORT"), reason: reasonText }),
  z.object({ type: z.literal("NOTICE_ENDED") }),
  z.object({ type: z.literal("CONSENT_LOWER_LEVEL") }),
  z.object({ type: z.literal("DECLINE_LOWER_LEVEL") }),
  z.object({ type: z.literal("CERTIFY") }),
  z.object({
    type: z.literal("CREDIT_LISTED"),
    recordId: z.string().min(1),
    name: z.string().min(1),
  }),
]);
export type ApplicationEventInput = z.infer<typeof applicationEventInputSchema>;
export type ApplicationEventRaw = z.input<typeof applicationEventInputSchema>;

/**
 * The raw event input of an application-page form: the button's `intent` names the event; the
 * other fields are the ones that event carries. `applicationEventInputSchema` validates the result.
 */
export function eventInputFromForm(form: FormData): Record<string, unknown> {
  const text = (name: string): string | undefined => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  const raw: Record<string, unknown> = { type: text("intent") ?? "" };
  for (const name of ["reason", "appliedLevel", "days"]) {
    const value = text(name);
    if (value !== undefined) raw[name] = value;
  }
  if (raw.type === "DISMISS_OBJECTION") raw.restartNotice = text("restartNotice") ?? "";
  if (raw.type === "REQUEST_RECTIFICATION") {
    raw.itemIds = form.getAll("itemIds").filter((v): v is string => typeof v === "string");
  }
  if (form.has("reviewerIds") || raw.type === "ASSIGN_REVIEWERS") {
    raw.reviewerIds = form.getAll("reviewerIds").filter((v): v is string => typeof v === "string");
  }
  if (form.has("leadReviewerId")) {
    const leads = form.getAll("leadReviewerId").filter((v): v is string => typeof v === "string");
    // Two leads stay two: the schema refuses anything but one.
    raw.leadReviewerId = leads.length === 1 ? leads[0] : leads;
  }
  const body = text("reviewBodyId");
  if (body !== undefined) raw.reviewBodyId = body;
  const level = text("recommendedLevel");
  // The empty option stands for "fail": no level recommended.
  if (level !== undefined) raw.recommendedLevel = level === "" || level === FAIL_OPTION ? null : level;
  return raw;
}

/** The report form's "fail" option when its empty option is a "choose…" placeholder (Step 10). */
export const FAIL_OPTION = "__fail";

/** Objection form on the public notice page (no login). */
export const objectionFormSchema = z.object({
  applicationId: objectIdText,
  name: z
    .string({ error: msg("errors.required") })
    .trim()
    .min(1, { error: msg("errors.required") })
    .max(LIMITS.name, { error: msg("errors.tooLong", { max: LIMITS.name }) }),
  contact: z
    .string({ error: msg("errors.required") })
    .trim()
    .min(1, { error: msg("errors.required") })
    .max(LIMITS.shortText, { error: msg("errors.tooLong", { max: LIMITS.shortText }) }),
  statement: reasonText,
});
export type ObjectionForm = z.infer<typeof objectionFormSchema>;

/**
 * The permission a member needs to send each event (besides the machine's role rule). null: not
 * sent by members (the system, or anyone through the public objection form).
 */
export const EVENT_PERMISSIONS: Record<GradingEventType, Permission | null> = {
  SUBMIT: "submit:assessment:own",
  WITHDRAW: "submit:assessment:own",
  CONSENT_LOWER_LEVEL: "submit:assessment:own",
  DECLINE_LOWER_LEVEL: "submit:assessment:own",
  SUBMIT_RECTIFICATION: "submit:assessment:own",
  ACCEPT: "accept:application:any",
  RETURN: "accept:application:any",
  CONFIRM_FAST_TRACK: "accept:application:any",
  SEND_FULL_PATH: "accept:application:any",
  ORGANIZER_APPROVE_REPORT: "check:report:any",
  ORGANIZER_RETURN_REPORT: "check:report:any",
  UPHOLD_OBJECTION: "approve:application:any",
  DISMISS_OBJECTION: "approve:application:any",
  REJECT: "accept:application:any",
  ASSIGN_REVIEW_BODY: "assign:application:any",
  ASSIGN_REVIEWERS: "assign:panel:own",
  APPROVE: "approve:application:any",
  START_NOTICE: "approve:application:any",
  CERTIFY: "certify:application:any",
  START_REVIEW: "review:assessment:assigned",
  REQUEST_RECTIFICATION: "review:assessment:assigned",
  REPORT_REVIEW: "review:assessment:assigned",
  NOTICE_ENDED: null,
  CREDIT_LISTED: null,
  OBJECTION: null,
};

/** Events a person triggers from the application page (not the system, not the public form). */
export const MEMBER_EVENTS: readonly GradingEventType[] = (
  Object.keys(EVENT_PERMISSIONS) as GradingEventType[]
).filter((type) => EVENT_PERMISSIONS[type] !== null);

/**
 * The value of the assessment's `state` field for a snapshot: the machine's dotted state key,
 * except that every editable draft sub-state is stored as plain "draft". "draft" is the contract
 * the self-assessment code checks before any edit (models/assessment.ts), so a returned
 * application is editable again without that code knowing about sub-states; the sub-state itself
 * stays in `workflow.value` (see docs/decisions/005-grading-workflow-persistence.md).
 */
export function stateColumnOf(snapshot: GradingSnapshot): string {
  return topStateOf(snapshot) === "draft" ? "draft" : stateKeyOf(snapshot);
}

/** The regulator's queues: each is a set of stored `state` values. */
export const APPLICATION_QUEUES = [
  { key: "acceptance", states: ["submitted", "renewalCheck"] },
  { key: "returned", states: ["draft"] },
  { key: "assignment", states: ["accepted", "reviewBodyAssigned", "reviewAssigned"] },
  { key: "review", states: ["underReview.reviewing", "underReview.rectification"] },
  {
    key: "approval",
    states: [
      "reviewReported.organizerCheck",
      "reviewReported.pendingApproval",
      "reviewReported.awaitingConsent",
    ],
  },
  {
    key: "notice",
    states: [
      "approved",
      "publicNotice.running",
      "publicNotice.verifyingObjection",
      "publicNotice.ended",
    ],
  },
  { key: "done", states: ["certified", "certifiedLowerLevel", "rejected", "withdrawn", "stopped"] },
] as const;
export type ApplicationQueue = (typeof APPLICATION_QUEUES)[number]["key"];

export function isApplicationQueue(value: unknown): value is ApplicationQueue {
  return APPLICATION_QUEUES.some((q) => q.key === value);
}

/** States in which an assigned reviewer may record item scores. */
export const REVIEW_SCORING_STATES = [
  "underReview.reviewing",
  "underReview.rectification",
] as const;
