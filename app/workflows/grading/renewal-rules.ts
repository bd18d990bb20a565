/**
 * Fast-track renewal (复评/延期, issue 16 item 4; DOMAIN.md §10): when a renewal application at the
 * certified level may skip acceptance and review and go straight to public notice. Rules as data:
 * each criterion names the fact it reads, the refusal reason (a block reason, translated as
 * `workflow.block.<reason>`) and the check. Pure: the server builds the facts, the machine's guard
 * and the application page both read `renewalCriteria`, so they cannot disagree.
 */
import type { RenewalFacts } from "./schemas";

export const RENEWAL_CRITERION_KEYS = [
  "window",
  "certificate",
  "yearlyReports",
  "revocation",
  "creditRecord",
  "score",
] as const;
export type RenewalCriterionKey = (typeof RENEWAL_CRITERION_KEYS)[number];

export const RENEWAL_BLOCK_REASONS = [
  "renewal-window-closed",
  "renewal-certificate-not-active",
  "renewal-yearly-reports-missing",
  "renewal-revocation-review",
  "renewal-credit-listed",
  "renewal-score-below-band",
] as const;
export type RenewalBlockReason = (typeof RENEWAL_BLOCK_REASONS)[number];

type Criterion = {
  key: RenewalCriterionKey;
  reason: RenewalBlockReason;
  met: (facts: RenewalFacts, now: number) => boolean;
};

function rank(levels: readonly string[], level: string | null): number {
  return level === null ? -1 : levels.indexOf(level);
}

/** The criteria, in the order the page lists them. */
export const RENEWAL_CRITERIA: readonly Criterion[] = [
  {
    // In the last renewalWindowMonths before expiry (not before, not after).
    key: "window",
    reason: "renewal-window-closed",
    met: (f, now) => now >= Date.parse(f.windowOpensAt) && now <= Date.parse(f.validUntil),
  },
  {
    // A suspended or revoked certificate is itself a revocation ground at work.
    key: "certificate",
    reason: "renewal-certificate-not-active",
    met: (f) => f.certificateStatus === "active",
  },
  {
    key: "yearlyReports",
    reason: "renewal-yearly-reports-missing",
    met: (f) => f.missingYearlyReports.length === 0,
  },
  {
    // A flagged yearly report (score below band, or accidents meeting a ground) not yet decided.
    key: "revocation",
    reason: "renewal-revocation-review",
    met: (f) => f.openRevocationReviews.length === 0,
  },
  {
    key: "creditRecord",
    reason: "renewal-credit-listed",
    met: (f) => f.creditListed === null,
  },
  {
    // The latest self-assessment still meets the certified level's band (veto and caps included).
    key: "score",
    reason: "renewal-score-below-band",
    met: (f) => {
      if (f.selfScore === null || f.selfScore < f.levelMinScore || f.vetoed) return false;
      const eligible = rank(f.levels, f.eligibleLevel);
      const certified = rank(f.levels, f.certificateLevel);
      return eligible >= 0 && certified >= 0 && eligible <= certified;
    },
  },
];

export type RenewalCriterionResult = { key: RenewalCriterionKey; reason: RenewalBlockReason; met: boolean };

/** Every criterion with its outcome (the page shows each one ✓/✗). */
export function renewalCriteria(facts: RenewalFacts, nowIso: string): RenewalCriterionResult[] {
  const now = Date.parse(nowIso);
  return RENEWAL_CRITERIA.map((c) => ({ key: c.key, reason: c.reason, met: c.met(facts, now) }));
}

/** Why the fast track is refused ([] = eligible). */
export function renewalProblems(facts: RenewalFacts, nowIso: string): RenewalBlockReason[] {
  return renewalCriteria(facts, nowIso)
    .filter((c) => !c.met)
    .map((c) => c.reason);
}
