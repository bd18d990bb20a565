/** The grading machine's states (see ../grading.machine.ts); guards and actions live in ./setup.ts. */
import type { SnapshotFrom } from "xstate";
import { GRADING_MACHINE_VERSION, DEFAULT_REVIEWERS_REQUIRED } from "./schemas";
import { gradingSetup } from "./setup";
import { ORGANIZER_CHECK, OBJECTION_MAILS, VERIFYING_OBJECTION } from "./review-checks";
import { RENEWAL_CHECK, SUBMIT_ACTIONS } from "./renewal-transitions";
import {
  ASSIGN_REVIEW_BODY,
  ASSIGN_REVIEWERS,
  REJECT_APPLICATION,
  STOP_ON_CREDIT_LISTING,
} from "./shared-transitions";

export const gradingMachine = gradingSetup.createMachine({
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
    noticeStartedAt: null,
    noticeDaysElapsed: 0,
    reportedLevel: null,
    consentToLowerLevel: false,
    renewal: null,
    pendingEffects: [],
  }),
  states: {
    /** Editable by the enterprise. `returned` = sent back by the regulator; same application. */
    draft: {
      initial: "editing",
      states: { editing: {}, returned: {} },
      on: {
        SUBMIT: [
          {
            // A renewal at the certified level: the authority checks it for the fast track first.
            target: "renewalCheck",
            guard: "allowedAsRenewal",
            actions: SUBMIT_ACTIONS,
          },
          { target: "submitted", guard: "allowed", actions: SUBMIT_ACTIONS },
        ],
        WITHDRAW: { target: "withdrawn", guard: "allowed", actions: ["begin", "clearDeadlines"] },
      },
    },
    /** 复评/延期: the authority confirms eligibility (→ public notice) or sends it down the full path. */
    renewalCheck: RENEWAL_CHECK,
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
            { type: "email", params: { template: "application-withdrawn", to: "acceptors" } },
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
            target: "#grading.reviewReported.organizerCheck",
            guard: "allowedToOrganizer",
            actions: [
              "begin",
              "recordReport",
              { type: "email", params: { template: "review-reported", to: "organizers" } },
            ],
          },
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
        /** The organizing unit checks the report before the authority (organizer tenants only). */
        organizerCheck: ORGANIZER_CHECK,
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
              target: "verifyingObjection",
              guard: "allowed",
              actions: ["begin", "pauseNotice", ...OBJECTION_MAILS],
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
        /** The authority verifies the objection(s); the notice period is paused meanwhile. */
        verifyingObjection: VERIFYING_OBJECTION,
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
