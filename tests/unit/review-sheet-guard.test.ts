/**
 * Step 10 (issue 14 item 4): REPORT_REVIEW is refused by the machine until the consolidated
 * sheet is complete and confirmed, and a level other than the score's needs a reason; the pure
 * sheet rules (owners, gaps, confirmations after a change).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  applyGradingEvent,
  explainBlocked,
  reviewSheetReasons,
  startGrading,
  type GradingEvent,
  type GradingSnapshot,
  type ReviewSheetFacts,
} from "~/workflows/grading.machine";
import { confirmationsAfterChange, elementOwners, elementPages, gapsInPart, leadOf, sheetGaps } from "~/lib/review/sheet";

const NOW = "2026-03-02T02:00:00.000Z";
const CAL = { holidays: [] as string[] };
const regulator = { id: "reg-1", role: "regulator" as const };

function run(s: GradingSnapshot, ...events: GradingEvent[]): GradingSnapshot {
  let snap = s;
  for (const e of events) {
    const step = applyGradingEvent(snap, e);
    if (!step.ok) throw new Error(`${e.type} refused: ${step.reasons.join(",")}`);
    snap = step.snapshot;
  }
  return snap;
}

function underReview(reviewers = ["rev-1", "rev-2"]): GradingSnapshot {
  const s = startGrading({
    applicationId: "app-1",
    enterpriseId: "ent-1",
    settings: { acceptanceDays: 5, reviewDays: 40, publicNoticeDays: 5, calendar: CAL },
  });
  return run(
    s,
    {
      type: "SUBMIT",
      actor: { id: "ent-admin", role: "enterprise_admin" },
      now: NOW,
      appliedLevel: "level2",
      levels: ["level1", "level2", "level3"],
      score: { selfScore: 85, appliedLevelMinScore: 75, vetoed: false, eligibleLevel: "level2" },
      requiredEvidenceMissing: [],
      unansweredItemIds: [],
      creditListed: null,
    },
    { type: "ACCEPT", actor: regulator, now: NOW },
    { type: "ASSIGN_REVIEW_BODY", actor: regulator, now: NOW, reviewBodyId: "body-1", reviewBodyActive: true },
    {
      type: "ASSIGN_REVIEWERS",
      actor: { id: "body-admin", role: "review_body_admin" },
      now: NOW,
      reviewerIds: reviewers,
      leadReviewerId: reviewers[0] ?? "",
      eligibleReviewerIds: reviewers,
      inactiveReviewerIds: [],
      enterpriseMemberIds: [],
      declaredConflictIds: [],
      minPanelSize: 2,
      panelRotation: false,
      previousLeadReviewerId: null,
    },
    { type: "START_REVIEW", actor: { id: reviewers[0] ?? "", role: "reviewer" }, now: NOW },
  );
}

const CLEAN: ReviewSheetFacts = {
  unscoredItemIds: [],
  naWithoutReasonItemIds: [],
  unconfirmedMemberIds: [],
  score: 80.5,
  scoreLevel: "level2",
};

function report(o: { level?: string | null; reason?: string; sheet?: Partial<ReviewSheetFacts>; actor?: string } = {}): GradingEvent {
  return {
    type: "REPORT_REVIEW",
    actor: { id: o.actor ?? "rev-1", role: "reviewer" },
    now: NOW,
    recommendedLevel: o.level === undefined ? "level2" : o.level,
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    sheet: { ...CLEAN, ...o.sheet },
  };
}

describe("REPORT_REVIEW guard", () => {
  it("accepts a complete, confirmed sheet at the level its score gives", () => {
    const s = underReview();
    expect(explainBlocked(s, report())).toEqual([]);
    expect(run(s, report()).value).toEqual({ reviewReported: "pendingApproval" });
  });

  it("refuses while an item is unscored, an N/A lacks its reason or a member has not confirmed", () => {
    const s = underReview();
    expect(explainBlocked(s, report({ sheet: { unscoredItemIds: ["E1.1.1"] } }))).toEqual(["review-incomplete"]);
    expect(explainBlocked(s, report({ sheet: { naWithoutReasonItemIds: ["E2.1.1"] } }))).toEqual(["na-reason-missing"]);
    expect(explainBlocked(s, report({ sheet: { unconfirmedMemberIds: ["rev-2"] } }))).toEqual(["members-not-confirmed"]);
    // A refused event leaves the snapshot as it was.
    expect(applyGradingEvent(s, report({ sheet: { unscoredItemIds: ["E1.1.1"] } })).ok).toBe(false);
  });

  it("a level other than the score's needs a written reason", () => {
    const s = underReview();
    expect(explainBlocked(s, report({ level: "level3" }))).toEqual(
      expect.arrayContaining(["level-differs-from-score"]),
    );
    // Lower than applied AND different from the score: the one reason covers both.
    expect(explainBlocked(s, report({ level: "level3", reason: "现场隐患较多" }))).toEqual([]);
    // The score gives no level: recommending one needs a reason, failing does not need another.
    expect(explainBlocked(s, report({ level: "level2", sheet: { scoreLevel: null } }))).toEqual(["level-differs-from-score"]);
    expect(explainBlocked(s, report({ level: "level2", reason: "见说明", sheet: { scoreLevel: null } }))).toEqual([]);
  });

  it("only the lead files the report (first member when no lead is recorded)", () => {
    const s = underReview();
    expect(explainBlocked(s, report({ actor: "rev-2" }))).toEqual(["not-lead"]);
    const withLead = { ...s.context, leadReviewerId: "rev-2" };
    expect(reviewSheetReasons(withLead, { ...report({ actor: "rev-2" }), type: "REPORT_REVIEW" } as never)).toEqual([]);
    expect(reviewSheetReasons(withLead, report({ actor: "rev-1" }) as never)).toEqual(["not-lead"]);
  });

  it("property: any non-empty gap list blocks; empty lists at the score's level never do", () => {
    const ids = fc.array(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 4 });
    fc.assert(
      fc.property(ids, ids, ids, (unscored, na, unconfirmed) => {
        const reasons = reviewSheetReasons(
          { reviewers: ["rev-1"], leadReviewerId: null },
          report({ sheet: { unscoredItemIds: unscored, naWithoutReasonItemIds: na, unconfirmedMemberIds: unconfirmed } }) as never,
        );
        expect(reasons.includes("review-incomplete")).toBe(unscored.length > 0);
        expect(reasons.includes("na-reason-missing")).toBe(na.length > 0);
        expect(reasons.includes("members-not-confirmed")).toBe(unconfirmed.length > 0);
      }),
    );
  });
});

describe("sheet rules", () => {
  const rubric = {
    elements: [
      { id: "E1", subElements: [{ items: [{ id: "E1.1" }, { id: "E1.2" }] }] },
      { id: "E2", subElements: [{ items: [{ id: "E2.1" }] }] },
    ],
  } as never;

  it("elements belong to the member given them, else to the lead; someone who left the panel hands back", () => {
    expect(leadOf(["a", "b"], null)).toBe("a");
    expect(leadOf(["a", "b"], "b")).toBe("b");
    expect(leadOf(["a", "b"], "z")).toBe("a");
    const owners = elementOwners(rubric, [{ elementId: "E2", userId: "b" }], ["a", "b"], "a");
    expect([...owners]).toEqual([["E1", "a"], ["E2", "b"]]);
    const left = elementOwners(rubric, [{ elementId: "E2", userId: "c" }], ["a", "b"], "a");
    expect(left.get("E2")).toBe("a");
  });

  it("gaps list unscored items, N/A without reason and unconfirmed members, in rubric order", () => {
    const gaps = sheetGaps({
      rubric,
      answers: [{ itemId: "E1.2", choice: "na", naReason: " " }],
      reviewers: ["a", "b"],
      confirmations: [{ userId: "b" }],
    });
    expect(gaps).toEqual({
      unscored: [{ itemId: "E1.1", elementId: "E1" }, { itemId: "E2.1", elementId: "E2" }],
      naWithoutReason: [{ itemId: "E1.2", elementId: "E1" }],
      unconfirmed: ["a"],
    });
    const owners = elementOwners(rubric, [{ elementId: "E2", userId: "b" }], ["a", "b"], "a");
    expect(gapsInPart(gaps, owners, "b").map((g) => g.itemId)).toEqual(["E2.1"]);
    expect(confirmationsAfterChange([{ userId: "a" }, { userId: "b" }], ["b", null])).toEqual([{ userId: "a" }]);
  });

  it("pages split an element at sub-element boundaries, never lose or repeat an item, and keep a large sub-element whole", () => {
    const sub = (n: number) => ({ items: Array.from({ length: n }, (_, i) => i) });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 25 }), (sizes, max) => {
        const subs = sizes.map(sub);
        const pages = elementPages(subs, max);
        expect(pages.flat()).toEqual(subs);
        for (const page of pages) {
          const count = page.reduce((n, s) => n + s.items.length, 0);
          expect(page.length === 1 || count <= max).toBe(true);
        }
      }),
    );
  });
});

