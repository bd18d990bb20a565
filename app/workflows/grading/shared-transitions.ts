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
