/**
 * The grading workflow's rules: who may send what, and why an event is refused. Every guard of
 * the machine is the one function `blockedReasons`, so the machine and `explainBlocked` agree.
 */
import { ROLES } from "../../lib/domain";
import {
  addWorkingDays,
  calendarProblems,
  type WorkingCalendar,
} from "../working-days";
import {
  MAX_RECTIFICATION_DAYS,
  type ActorRole,
  type Deadlines,
  type GradingContext,
  type GradingEvent,
  type GradingEventOf,
  type GradingEventType,
} from "./schemas";
import { RENEWAL_BLOCK_REASONS, renewalProblems } from "./renewal-rules";


const ANYONE_BUT_SYSTEM: readonly ActorRole[] = [...ROLES, "public"];

/** Roles that may send each event (reviewer events also need the reviewer to be assigned). */
export const EVENT_ROLES: Record<GradingEventType, readonly ActorRole[]> = {
  SUBMIT: ["enterprise_admin"],
  WITHDRAW: ["enterprise_admin"],
  CONSENT_LOWER_LEVEL: ["enterprise_admin"],
  DECLINE_LOWER_LEVEL: ["enterprise_admin"],
  SUBMIT_RECTIFICATION: ["enterprise_admin"],
  // The organizing unit instead of the regulator when the tenant has one (guard "organizer-decides").
  ACCEPT: ["regulator", "organizer"],
  RETURN: ["regulator", "organizer"],
  // The renewal check belongs to whoever accepts applications (guards "organizer-decides"/"no-organizer").
  CONFIRM_FAST_TRACK: ["regulator", "organizer"],
  SEND_FULL_PATH: ["regulator", "organizer"],
  ORGANIZER_APPROVE_REPORT: ["organizer"],
  ORGANIZER_RETURN_REPORT: ["organizer"],
  UPHOLD_OBJECTION: ["regulator"],
  DISMISS_OBJECTION: ["regulator"],
  ASSIGN_REVIEW_BODY: ["regulator", "organizer"],
  // The review body's admin forms the panel (评审单位组建评审组).
  ASSIGN_REVIEWERS: ["review_body_admin"],
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
  "reviewer-not-eligible",
  "not-enough-reviewers",
  "review-body-not-eligible",
  "review-body-unchanged",
  "no-review-body",
  "lead-not-member",
  "reviewer-inactive",
  "reviewer-employee",
  "lead-rotation",
  "unknown-level",
  "score-below-threshold",
  "veto",
  "level-not-reached",
  "evidence-missing",
  "assessment-incomplete",
  "credit-listed",
  "invalid-days",
  "rectification-pending",
  "level-above-applied",
  "review-failed",
  "notice-not-ended",
  "organizer-decides",
  "no-organizer",
  "rectification-items-required",
  "rectification-item-invalid",
  "rectification-unanswered",
  "rectification-unresolved",
  "review-incomplete",
  "na-reason-missing",
  "members-not-confirmed",
  "level-differs-from-score",
  "not-lead",
  "not-renewal",
  ...RENEWAL_BLOCK_REASONS,
] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

function hasText(value: string | undefined): boolean {
  return value !== undefined && value.trim().length > 0;
}

/** Position in the rubric's level list (0 = best); -1 when unknown. */
function rankOf(context: Pick<GradingContext, "levels">, level: string | null): number {
  return level === null ? -1 : context.levels.indexOf(level);
}

export function isLowerThanApplied(context: GradingContext, level: string | null): boolean {
  return (
    level !== null &&
    level !== context.appliedLevel &&
    rankOf(context, level) > rankOf(context, context.appliedLevel)
  );
}

export function conflictsOf(context: GradingContext, event: GradingEvent): readonly string[] {
  if (
    (event.type === "START_REVIEW" ||
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
export function blockedReasons(context: GradingContext, event: GradingEvent): BlockReason[] {
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

  const organizerOn = organizerEnabled(context, event);
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
      if (event.unansweredItemIds.length > 0) reasons.add("assessment-incomplete");
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
    case "CONFIRM_FAST_TRACK":
    case "SEND_FULL_PATH":
      if (context.renewal === null) reasons.add("not-renewal");
      if (event.type === "SEND_FULL_PATH" && !hasText(event.reason)) reasons.add("reason-required");
      if (event.type === "CONFIRM_FAST_TRACK") {
        // The facts must be about this application's certificate and level.
        if (
          context.renewal !== null &&
          (event.eligibility.certificateId !== context.renewal.certificateId ||
            event.eligibility.certificateLevel !== context.renewal.level)
        )
          reasons.add("invalid-payload");
        for (const r of renewalProblems(event.eligibility, event.now)) reasons.add(r);
      }
      if (organizerOn && event.actor.role === "regulator") reasons.add("organizer-decides");
      if (!organizerOn && event.actor.role === "organizer") reasons.add("no-organizer");
      break;
    case "ACCEPT":
    case "RETURN":
      if (event.type === "RETURN" && !hasText(event.reason)) reasons.add("reason-required");
      // With an organizing unit, acceptance is its job; without one, the regulator's.
      if (organizerOn && event.actor.role === "regulator") reasons.add("organizer-decides");
      if (!organizerOn && event.actor.role === "organizer") reasons.add("no-organizer");
      break;
    case "ORGANIZER_APPROVE_REPORT":
    case "ORGANIZER_RETURN_REPORT":
      if (event.type === "ORGANIZER_RETURN_REPORT" && !hasText(event.reason))
        reasons.add("reason-required");
      if (!organizerOn) reasons.add("no-organizer");
      break;
    case "REJECT":
    case "OBJECTION":
    case "UPHOLD_OBJECTION":
    case "DISMISS_OBJECTION":
      if (!hasText(event.reason)) reasons.add("reason-required");
      break;
    case "ASSIGN_REVIEW_BODY":
      if (!hasText(event.reviewBodyId) || !event.reviewBodyActive)
        reasons.add("review-body-not-eligible");
      else if (
        event.reviewBodyId === context.reviewBodyId &&
        context.reviewers.length > 0
      ) {
        // Re-sending the same body would dissolve its panel: refuse instead of doing that silently.
        reasons.add("review-body-unchanged");
      }
      break;
    case "ASSIGN_REVIEWERS":
      if (context.reviewBodyId === null) reasons.add("no-review-body");
      for (const reason of panelProblems(event)) reasons.add(reason);
      break;
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
    case "REQUEST_RECTIFICATION": {
      assignedReviewer();
      if (!hasText(event.reason)) reasons.add("reason-required");
      if (!validDays(event.days, MAX_RECTIFICATION_DAYS)) reasons.add("invalid-days");
      const items = event.itemIds;
      // A round asks for new deducted items, or again for the answers the reviewer re-opened.
      if (items.length === 0 && event.reopenedItemIds.length === 0)
        reasons.add("rectification-items-required");
      if (
        new Set(items).size !== items.length ||
        items.some((id) => !event.deductedItemIds.includes(id) || event.requestedItemIds.includes(id))
      ) {
        reasons.add("rectification-item-invalid");
      }
      break;
    }
    case "SUBMIT_RECTIFICATION":
      if ((event.unansweredRectificationIds ?? []).length > 0)
        reasons.add("rectification-unanswered");
      break;
    case "REPORT_REVIEW": {
      assignedReviewer();
      for (const r of reviewSheetReasons(context, event)) reasons.add(r);
      const level = event.recommendedLevel;
      if (level !== null) {
        const rank = rankOf(context, level);
        if (rank < 0) reasons.add("unknown-level");
        else if (rank < rankOf(context, context.appliedLevel)) reasons.add("level-above-applied");
      }
      // A fail or a lower level must tell the enterprise why.
      if (level !== context.appliedLevel && !hasText(event.reason)) reasons.add("reason-required");
      if ((event.unresolvedRectificationIds ?? []).length > 0)
        reasons.add("rectification-unresolved");
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

/** Whether this application runs with an organizing unit (fixed by the settings in force at SUBMIT). */
/** SUBMIT of a renewal application at the certified level: it waits for the renewal check. */
export function isRenewalSubmission(event: GradingEvent): boolean {
  return (
    event.type === "SUBMIT" &&
    event.renewal !== undefined &&
    event.renewal !== null &&
    event.renewal.level === event.appliedLevel
  );
}

export function organizerEnabled(context: GradingContext, event?: GradingEvent): boolean {
  if (event?.type === "SUBMIT" && event.settings) return event.settings.organizerEnabled === true;
  return context.settings.organizerEnabled === true;
}

/**
 * Why a proposed panel is refused (DOMAIN.md §10: a 评审组 of at least two experts of the review
 * body, one of them the lead; no expert who works for the enterprise or declared a conflict;
 * optionally not the same lead as the enterprise's previous review). Pure: the server supplies
 * which ids are eligible, inactive, employees or conflicted.
 */
export function panelProblems(
  event: GradingEventOf<"ASSIGN_REVIEWERS">,
): BlockReason[] {
  const reasons = new Set<BlockReason>();
  const list = event.reviewerIds;
  if (list.length === 0 || new Set(list).size !== list.length || list.some((id) => !hasText(id))) {
    reasons.add("invalid-reviewers");
  } else if (list.length < event.minPanelSize) {
    reasons.add("not-enough-reviewers");
  }
  if (!list.includes(event.leadReviewerId)) reasons.add("lead-not-member");
  for (const id of list) {
    if (event.inactiveReviewerIds.includes(id)) reasons.add("reviewer-inactive");
    else if (!event.eligibleReviewerIds.includes(id)) reasons.add("reviewer-not-eligible");
    if (event.enterpriseMemberIds.includes(id)) reasons.add("reviewer-employee");
    if (event.declaredConflictIds.includes(id)) reasons.add("reviewer-conflict");
  }
  if (
    event.panelRotation &&
    event.previousLeadReviewerId !== null &&
    event.previousLeadReviewerId === event.leadReviewerId
  ) {
    reasons.add("lead-rotation");
  }
  return [...reasons];
}

/** Who must hear about a panel change: only the people whose assignment (or role on it) changed. */
export function panelChanges(
  before: { reviewers: readonly string[]; leadReviewerId: string | null },
  after: { reviewers: readonly string[]; leadReviewerId: string | null },
): { notified: string[]; removed: string[] } {
  const added = after.reviewers.filter((id) => !before.reviewers.includes(id));
  const removed = before.reviewers.filter((id) => !after.reviewers.includes(id));
  const roleChanged = after.reviewers.filter(
    (id) =>
      before.reviewers.includes(id) &&
      (id === after.leadReviewerId) !== (id === before.leadReviewerId),
  );
  return { notified: [...added, ...roleChanged], removed };
}

/**
 * The consolidated sheet must be complete before the report (Step 10): every item scored, every
 * N/A with its reason, every member's confirmation; the lead reports, and a level other than the
 * one the score gives needs a written reason (shown to the authority).
 */
export function reviewSheetReasons(
  context: Pick<GradingContext, "reviewers" | "leadReviewerId">,
  event: GradingEventOf<"REPORT_REVIEW">,
): BlockReason[] {
  const out: BlockReason[] = [];
  const { sheet } = event;
  if (sheet.unscoredItemIds.length > 0) out.push("review-incomplete");
  if (sheet.naWithoutReasonItemIds.length > 0) out.push("na-reason-missing");
  if (sheet.unconfirmedMemberIds.length > 0) out.push("members-not-confirmed");
  if (event.recommendedLevel !== sheet.scoreLevel && !hasText(event.reason))
    out.push("level-differs-from-score");
  const lead = context.leadReviewerId ?? context.reviewers[0] ?? null;
  if (event.actor.role === "reviewer" && event.actor.id !== null && context.reviewers.includes(event.actor.id) && event.actor.id !== lead)
    out.push("not-lead");
  return out;
}

export function deadlineAfter(fromIso: string, days: number, calendar: WorkingCalendar): string {
  return addWorkingDays(new Date(fromIso), days, calendar).toISOString();
}

export function withoutDeadlines(deadlines: Deadlines, ...keys: Array<keyof Deadlines>): Deadlines {
  const next: Deadlines = { ...deadlines };
  for (const key of keys) delete next[key];
  return next;
}

export function reasonOf(event: GradingEvent): string | null {
  return "reason" in event && typeof event.reason === "string" && hasText(event.reason)
    ? event.reason.trim()
    : null;
}

/** "acceptors": the organizing unit when the tenant has one, else the regulators. */
export type RecipientKind = "regulators" | "organizers" | "acceptors" | "enterprise" | "reviewers" | "reviewBodyAdmins";
