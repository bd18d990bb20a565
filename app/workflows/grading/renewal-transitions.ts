/**
 * The renewal check of the grading machine (复评/延期, issue 16 item 4): state config of ./machine.ts,
 * kept here so the machine file stays about states. Eligibility rules: ./renewal-rules.ts.
 */
import { REJECT_APPLICATION, STOP_ON_CREDIT_LISTING } from "./shared-transitions";

/** SUBMIT's actions, whichever state it leads to. */
export const SUBMIT_ACTIONS = [
  "begin",
  "recordSubmission",
  "lockEnterprise",
  { type: "email", params: { template: "application-submitted", to: "acceptors" } },
] as const;

/** renewalCheck: waiting for the authority (the organizing unit where it accepts applications). */
export const RENEWAL_CHECK = {
  on: {
    // Confirmed: the certified level stands; the same public notice as the full path follows.
    CONFIRM_FAST_TRACK: {
      target: "#grading.publicNotice",
      guard: "allowed",
      actions: [
        "begin",
        "confirmFastTrack",
        "startNotice",
        { type: "email", params: { template: "renewal-fast-tracked", to: "enterprise" } },
      ],
    },
    // Not eligible (or the authority wants a review): acceptance as for any application.
    SEND_FULL_PATH: {
      target: "#grading.submitted",
      guard: "allowed",
      actions: [
        "begin",
        "sendFullPath",
        { type: "email", params: { template: "renewal-full-path", to: "enterprise" } },
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
      target: "#grading.withdrawn",
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
} as const;
