/**
 * The checks around the review (Step 10): the organizing unit's check of the review report
 * (组织单位审核评审报告) and the authority's verification of an objection during public notice
 * (异议核实). State configs of ./machine.ts, kept here so the machine file stays about states.
 */

export const OBJECTION_MAILS = [
  { type: "email", params: { template: "objection-received", to: "regulators" } },
  { type: "email", params: { template: "objection-received", to: "enterprise" } },
] as const;

/** reviewReported.organizerCheck: passed on to the authority (via consent when lower) or returned. */
export const ORGANIZER_CHECK = {
  on: {
    ORGANIZER_APPROVE_REPORT: [
      {
        target: "awaitingConsent",
        guard: "allowedAtLowerLevel",
        actions: [
          "begin",
          { type: "email", params: { template: "report-checked", to: "regulators" } },
          {
            type: "email",
            params: { template: "lower-level-consent-requested", to: "enterprise" },
          },
        ],
      },
      {
        target: "pendingApproval",
        guard: "allowed",
        actions: [
          "begin",
          { type: "email", params: { template: "report-checked", to: "regulators" } },
        ],
      },
    ],
    // Back to the panel, which reports again (a new review period).
    ORGANIZER_RETURN_REPORT: {
      target: "#grading.underReview.reviewing",
      guard: "allowed",
      actions: [
        "begin",
        "startReview",
        { type: "email", params: { template: "report-returned", to: "reviewers" } },
      ],
    },
  },
} as const;

/** publicNotice.verifyingObjection: upheld → back to review; dismissed → the notice goes on. */
export const VERIFYING_OBJECTION = {
  on: {
    // Further objections while one is verified are recorded and verified together.
    OBJECTION: {
      target: "verifyingObjection",
      guard: "allowed",
      actions: [
        "begin",
        { type: "email", params: { template: "objection-received", to: "regulators" } },
      ],
    },
    UPHOLD_OBJECTION: [
      {
        // A fast-tracked renewal has no panel yet: it goes down the full path from acceptance.
        target: "#grading.accepted",
        guard: "allowedWithoutPanel",
        actions: [
          "begin",
          "reopenForFullPath",
          { type: "email", params: { template: "objection-upheld", to: "enterprise" } },
        ],
      },
      {
        target: "#grading.underReview",
        guard: "allowed",
        actions: [
          "begin",
          "startReview",
          { type: "email", params: { template: "objection-upheld", to: "enterprise" } },
          { type: "email", params: { template: "objection-upheld", to: "reviewers" } },
        ],
      },
    ],
    DISMISS_OBJECTION: {
      target: "running",
      guard: "allowed",
      actions: [
        "begin",
        "resumeNotice",
        { type: "email", params: { template: "objection-dismissed", to: "enterprise" } },
      ],
    },
  },
} as const;
