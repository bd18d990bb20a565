/** Transitions several states of the grading machine share (see ./machine.ts). */

/**
 * Transitions shared by several states: a credit listing stops any running application (DOMAIN.md
 * §7 joint punishment), and a rejection ends it the same way wherever the authority decides it.
 */
export const STOP_ON_CREDIT_LISTING = {
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

export const REJECT_APPLICATION = {
  target: "rejected",
  guard: "allowed",
  actions: [
    "begin",
    "clearDeadlines",
    "unlockEnterprise",
    { type: "email", params: { template: "application-rejected", to: "enterprise" } },
  ],
} as const;

/** To a review body (regulator): from `accepted`, or again to change the body. */
export const ASSIGN_REVIEW_BODY = {
  target: "reviewBodyAssigned",
  guard: "allowed",
  actions: [
    "begin",
    "recordReviewBody",
    { type: "email", params: { template: "review-body-assigned", to: "reviewBodyAdmins" } },
  ],
} as const;

/** The body's admin forms (or re-forms) the panel. */
export const ASSIGN_REVIEWERS = {
  target: "reviewAssigned",
  guard: "allowed",
  actions: ["begin", "recordReviewers"],
} as const;
