/** The grading machine's states, guards and actions (see ../grading.machine.ts). */
import { type SnapshotFrom, assertEvent, assign, setup } from "xstate";
import { addWorkingDays, workingDaysBetween } from "../working-days";
import {
  blockedReasons,
  conflictsOf,
  deadlineAfter,
  isLowerThanApplied,
  panelChanges,
  reasonOf,
  withoutDeadlines,
  type RecipientKind,
} from "./rules";
import {
  GRADING_MACHINE_VERSION,
  DEFAULT_REVIEWERS_REQUIRED,
  type EmailRecipient,
  type GradingContext,
  type GradingEmailTemplate,
  type GradingEvent,
  type GradingInput,
  type PendingEffect,
} from "./schemas";


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

/** To a review body (regulator): from `accepted`, or again to change the body. */
const ASSIGN_REVIEW_BODY = {
  target: "reviewBodyAssigned",
  guard: "allowed",
  actions: [
    "begin",
    "recordReviewBody",
    { type: "email", params: { template: "review-body-assigned", to: "reviewBodyAdmins" } },
  ],
} as const;

/** The body's admin forms (or re-forms) the panel. */
const ASSIGN_REVIEWERS = {
  target: "reviewAssigned",
  guard: "allowed",
  actions: ["begin", "recordReviewers"],
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
        reviewBodyId: null,
        leadReviewerId: null,
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
        else if (params.to === "reviewBodyAdmins") {
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
    reviewBodyId: null,
    leadReviewerId: null,
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
        ASSIGN_REVIEW_BODY,
        CREDIT_LISTED: STOP_ON_CREDIT_LISTING,
      },
    },
    /** With a review body (评审单位), whose admin forms the panel (评审组). */
    reviewBodyAssigned: {
      on: {
        ASSIGN_REVIEW_BODY,
        ASSIGN_REVIEWERS,
        CREDIT_LISTED: STOP_ON_CREDIT_LISTING,
      },
    },
    reviewAssigned: {
      on: {
        // Another body dissolves the panel; re-forming replaces it (a member became unavailable).
        ASSIGN_REVIEW_BODY,
        ASSIGN_REVIEWERS,
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
