/** The grading machine's implementations: types, guards and actions (pure; see ./machine.ts). */
import { assertEvent, assign, setup } from "xstate";
import { addWorkingDays, isWorkingDay, workingDaysBetween } from "../working-days";
import {
  blockedReasons,
  conflictsOf,
  deadlineAfter,
  isLowerThanApplied,
  isRenewalSubmission,
  organizerEnabled,
  panelChanges,
  reasonOf,
  withoutDeadlines,
  type RecipientKind,
} from "./rules";
import type {
  EmailRecipient,
  GradingContext,
  GradingEmailTemplate,
  GradingEvent,
  GradingInput,
  PendingEffect,
} from "./schemas";

function emailEffect(
  context: GradingContext,
  event: GradingEvent,
  template: GradingEmailTemplate,
  to: EmailRecipient,
): PendingEffect {
  return {
    type: "email",
    template,
    to,
    applicationId: context.applicationId,
    data: {
      reason: reasonOf(event),
      appliedLevel: context.appliedLevel,
      reportedLevel: context.reportedLevel,
      deadlines: context.deadlines,
    },
  };
}

/** One mail to these users, or none when the list is empty. */
function usersEmail(
  context: GradingContext,
  event: GradingEvent,
  template: GradingEmailTemplate,
  userIds: string[],
): PendingEffect[] {
  return userIds.length === 0
    ? []
    : [emailEffect(context, event, template, { kind: "users", userIds })];
}

export const gradingSetup = setup({
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
      if (event.type === "CERTIFY" || event.type === "ORGANIZER_APPROVE_REPORT")
        return isLowerThanApplied(context, context.reportedLevel);
      return false;
    },
    /** Allowed, and the tenant has an organizing unit that checks the report first. */
    allowedToOrganizer: ({ context, event }) =>
      blockedReasons(context, event).length === 0 && organizerEnabled(context),
    /** Allowed, and a renewal at the certified level: the authority checks it for the fast track. */
    allowedAsRenewal: ({ context, event }) =>
      blockedReasons(context, event).length === 0 && isRenewalSubmission(event),
    /** Allowed, and no panel was ever formed (a fast-tracked renewal): the full path starts at acceptance. */
    allowedWithoutPanel: ({ context, event }) =>
      blockedReasons(context, event).length === 0 && context.reviewers.length === 0,
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
        reviewBodyId: null,
        leadReviewerId: null,
        reportedLevel: null,
        consentToLowerLevel: false,
        rectificationStartedAt: null,
        rectificationWorkingDays: 0,
        renewal:
          isRenewalSubmission(event) && event.renewal
            ? { ...event.renewal, decision: "pending" as const }
            : null,
        deadlines: {
          acceptBy: deadlineAfter(event.now, settings.acceptanceDays, settings.calendar),
        },
      };
    }),
    /** Fast track: the certified level stands as if reported and approved; the notice follows. */
    confirmFastTrack: assign(({ context }) =>
      context.renewal === null
        ? {}
        : {
            reportedLevel: context.renewal.level,
            renewal: { ...context.renewal, decision: "fastTrack" as const },
          },
    ),
    /** Full path: acceptance as for any submission, its period counted from now. */
    sendFullPath: assign(({ context, event }) => ({
      renewal: context.renewal === null ? null : { ...context.renewal, decision: "fullPath" as const },
      deadlines: {
        acceptBy: deadlineAfter(event.now, context.settings.acceptanceDays, context.settings.calendar),
      },
    })),
    /** An upheld objection to a fast-tracked renewal: no panel yet, so the full path from acceptance. */
    reopenForFullPath: assign(({ context }) => ({
      reportedLevel: null,
      consentToLowerLevel: false,
      noticeStartedAt: null,
      noticeDaysElapsed: 0,
      deadlines: {},
      renewal: context.renewal === null ? null : { ...context.renewal, decision: "fullPath" as const },
    })),
    clearDeadlines: assign({ deadlines: {} }),
    /** A (new) review body: the old panel, if any, is dissolved and told so. */
    recordReviewBody: assign(({ context, event }) => {
      assertEvent(event, "ASSIGN_REVIEW_BODY");
      const removed = panelChanges(context, { reviewers: [], leadReviewerId: null }).removed;
      return {
        reviewBodyId: event.reviewBodyId,
        reviewers: [],
        leadReviewerId: null,
        pendingEffects: [
          ...context.pendingEffects,
          ...usersEmail(context, event, "panel-member-removed", removed),
        ],
      };
    }),
    /** The panel; only members whose assignment or role changed are mailed. */
    recordReviewers: assign(({ context, event }) => {
      assertEvent(event, "ASSIGN_REVIEWERS");
      const after = { reviewers: event.reviewerIds, leadReviewerId: event.leadReviewerId };
      const { notified, removed } = panelChanges(context, after);
      return {
        ...after,
        reviewersRequired: event.minPanelSize,
        pendingEffects: [
          ...context.pendingEffects,
          ...usersEmail(context, event, "reviewers-assigned", notified),
          ...usersEmail(context, event, "panel-member-removed", removed),
        ],
      };
    }),
    startReview: assign(({ context, event }) => {
      assertEvent(event, ["START_REVIEW", "UPHOLD_OBJECTION", "ORGANIZER_RETURN_REPORT"]);
      return {
        conflictedReviewerIds: [...conflictsOf(context, event)],
        reportedLevel: null,
        consentToLowerLevel: false,
        noticeStartedAt: null,
        noticeDaysElapsed: 0,
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
      noticeStartedAt: event.now,
      noticeDaysElapsed: 0,
      deadlines: {
        noticeEndsAt: deadlineAfter(
          event.now,
          context.settings.publicNoticeDays,
          context.settings.calendar,
        ),
      },
    })),
    /**
     * An objection pauses the notice while the authority verifies it: the working days that ran
     * are kept (the day of the objection itself does not count as run).
     */
    pauseNotice: assign(({ context, event }) => {
      const { calendar } = context.settings;
      const started = context.noticeStartedAt;
      let ran = 0;
      if (started !== null) {
        const now = new Date(event.now);
        ran = workingDaysBetween(new Date(started), now, calendar);
        if (isWorkingDay(now, calendar)) ran -= 1;
      }
      return {
        noticeStartedAt: null,
        noticeDaysElapsed: context.noticeDaysElapsed + Math.max(0, ran),
        deadlines: {},
      };
    }),
    /** A dismissed objection: the notice goes on for the days left (all of them on a restart). */
    resumeNotice: assign(({ context, event }) => {
      assertEvent(event, "DISMISS_OBJECTION");
      const { publicNoticeDays, calendar } = context.settings;
      const elapsed = event.restartNotice ? 0 : context.noticeDaysElapsed;
      // At least one working day, so the public sees the notice running again.
      const left = Math.max(1, publicNoticeDays - elapsed);
      return {
        noticeStartedAt: event.now,
        noticeDaysElapsed: elapsed,
        deadlines: { noticeEndsAt: deadlineAfter(event.now, left, calendar) },
      };
    }),
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
        const kind =
          params.to === "acceptors"
            ? organizerEnabled(context)
              ? "organizers"
              : "regulators"
            : params.to;
        if (kind === "regulators" || kind === "organizers") to = { kind };
        else if (kind === "enterprise")
          to = { kind: "enterprise", enterpriseId: context.enterpriseId };
        else if (kind === "reviewBodyAdmins") {
          if (context.reviewBodyId === null) return {};
          to = { kind: "reviewBodyAdmins", reviewBodyId: context.reviewBodyId };
        } else if (context.reviewers.length > 0) to = { kind: "users", userIds: context.reviewers };
        else return {};
        return {
          pendingEffects: [...context.pendingEffects, emailEffect(context, event, params.template, to)],
        };
      },
    ),
  },
});
