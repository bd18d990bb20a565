import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  RENEWAL_BLOCK_REASONS,
  RENEWAL_CRITERIA,
  renewalCriteria,
  renewalProblems,
  type RenewalFacts,
} from "~/workflows/grading.machine";
import { translate } from "~/i18n";

const NOW = "2026-03-02T02:00:00.000Z";
const ELIGIBLE: RenewalFacts = {
  certificateId: "cert-1",
  certificateLevel: "level2",
  certificateStatus: "active",
  windowOpensAt: "2026-02-01T00:00:00.000Z",
  validUntil: "2026-04-30T15:59:59.999Z",
  missingYearlyReports: [],
  openRevocationReviews: [],
  creditListed: null,
  selfScore: 80,
  levelMinScore: 75,
  vetoed: false,
  eligibleLevel: "level2",
  levels: ["level1", "level2", "level3"],
};

describe("renewal eligibility rules", () => {
  it("an enterprise meeting every criterion is eligible", () => {
    expect(renewalProblems(ELIGIBLE, NOW)).toEqual([]);
    expect(renewalCriteria(ELIGIBLE, NOW).every((c) => c.met)).toBe(true);
    // A better level than the certified one still meets its band.
    expect(renewalProblems({ ...ELIGIBLE, eligibleLevel: "level1", selfScore: 95 }, NOW)).toEqual([]);
  });

  it.each<[string, Partial<RenewalFacts>, string]>([
    ["before the window", { windowOpensAt: "2026-03-03T00:00:00.000Z" }, "renewal-window-closed"],
    ["after expiry", { validUntil: "2026-03-01T15:59:59.999Z" }, "renewal-window-closed"],
    ["a suspended certificate", { certificateStatus: "suspended" }, "renewal-certificate-not-active"],
    ["a revoked certificate", { certificateStatus: "revoked" }, "renewal-certificate-not-active"],
    ["a missing yearly report", { missingYearlyReports: [2] }, "renewal-yearly-reports-missing"],
    ["an open revocation review", { openRevocationReviews: [1] }, "renewal-revocation-review"],
    ["a credit record", { creditListed: { recordId: "r", name: "n" } }, "renewal-credit-listed"],
    ["a score below the band", { selfScore: 74.9 }, "renewal-score-below-band"],
    ["no score", { selfScore: null }, "renewal-score-below-band"],
    ["a veto", { vetoed: true }, "renewal-score-below-band"],
    ["a capped level", { eligibleLevel: "level3" }, "renewal-score-below-band"],
    ["no level at all", { eligibleLevel: null }, "renewal-score-below-band"],
  ])("refuses %s", (_name, change, reason) => {
    expect(renewalProblems({ ...ELIGIBLE, ...change }, NOW)).toEqual([reason]);
  });

  it("the window includes its first instant and the last instant of validity", () => {
    expect(renewalProblems({ ...ELIGIBLE, windowOpensAt: NOW }, NOW)).toEqual([]);
    expect(renewalProblems({ ...ELIGIBLE, validUntil: NOW }, NOW)).toEqual([]);
  });

  it("each criterion has its own translated reason in both languages", () => {
    expect(RENEWAL_CRITERIA.map((c) => c.reason)).toEqual([...RENEWAL_BLOCK_REASONS]);
    for (const reason of RENEWAL_BLOCK_REASONS) {
      const zh = translate("zh-CN", `workflow.block.${reason}`);
      const en = translate("en", `workflow.block.${reason}`);
      expect(zh).not.toBe(`workflow.block.${reason}`);
      expect(en).not.toBe(zh);
      expect(zh).not.toMatch(/你|吊销/);
    }
  });

  it("problems are exactly the unmet criteria, in order (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          missing: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
          open: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
          listed: fc.boolean(),
          score: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
          status: fc.constantFrom("active", "suspended", "revoked", "expired" as const),
        }),
        (r) => {
          const facts: RenewalFacts = {
            ...ELIGIBLE,
            missingYearlyReports: r.missing,
            openRevocationReviews: r.open,
            creditListed: r.listed ? { recordId: "r", name: "n" } : null,
            selfScore: r.score,
            certificateStatus: r.status,
          };
          const criteria = renewalCriteria(facts, NOW);
          expect(renewalProblems(facts, NOW)).toEqual(criteria.filter((c) => !c.met).map((c) => c.reason));
          expect(criteria.find((c) => c.key === "yearlyReports")?.met).toBe(r.missing.length === 0);
          expect(criteria.find((c) => c.key === "creditRecord")?.met).toBe(!r.listed);
        },
      ),
    );
  });
});
