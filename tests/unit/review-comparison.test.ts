/**
 * The item comparison's rows (pure): differences and deductions are flagged per item, the filters
 * keep exactly those, and who may read the results when (authority, panel, enterprise, setting).
 */
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { reviewResultsAccess } from "~/data/grading/review-results.server";
import { comparisonRows, filterRows, isDecided } from "~/lib/review/comparison";
import { permissionsFor } from "~/lib/permissions";
import type { Role } from "~/lib/domain";
import type { Rubric } from "~/lib/rubric/schema";

const item = (id: string, points: number) => ({
  id,
  text: { zh: `条款${id}` },
  points,
  deductionRules: [{ id: "r1", text: { zh: "缺一项扣1分" }, per: 1 }],
  naAllowed: true,
});
const rubric = {
  levels: [{ key: "qualified", name: { zh: "达标" }, minScore: 60 }],
  elements: [
    { id: "E1", title: { zh: "目标" }, subElements: [{ id: "E1.1", title: { zh: "目标" }, items: [item("E1.1.1", 5), item("E1.1.2", 5)] }] },
    { id: "E2", title: { zh: "制度" }, subElements: [{ id: "E2.1", title: { zh: "制度" }, items: [item("E2.1.1", 10)] }] },
  ],
} as unknown as Rubric;

describe("comparison rows", () => {
  it("flags differences and deductions and keeps the notes; filters keep exactly those", () => {
    const fileId = new Types.ObjectId();
    const rows = comparisonRows(
      rubric,
      [
        { itemId: "E1.1.1", choice: "full" },
        { itemId: "E1.1.2", choice: "full" },
        { itemId: "E2.1.1", choice: "na", naReason: "无此设施" },
      ],
      [
        { itemId: "E1.1.1", choice: "full" },
        { itemId: "E1.1.2", choice: "partial", deductions: [{ rule: "r1", count: 2, note: "台账缺两月" }] },
        { itemId: "E2.1.1", choice: "na", naReason: "无此设施" },
      ],
      [{ fileId, itemId: "E1.1.2", filename: "台账.pdf" }],
      "zh-CN",
    );
    expect(rows.map((r) => [r.itemId, r.differs, r.deducted])).toEqual([
      ["E1.1.1", false, false],
      ["E1.1.2", true, true],
      ["E2.1.1", false, false],
    ]);
    const second = rows[1];
    expect(second?.review).toMatchObject({ choice: "partial", obtained: 3, deductions: [{ text: "缺一项扣1分", count: 2, note: "台账缺两月" }] });
    expect(second?.self.obtained).toBe(5);
    expect(second?.evidence).toEqual([{ fileId: String(fileId), filename: "台账.pdf" }]);
    expect(filterRows(rows, "diff").map((r) => r.itemId)).toEqual(["E1.1.2"]);
    expect(filterRows(rows, "deductions").map((r) => r.itemId)).toEqual(["E1.1.2"]);
    expect(filterRows(rows, "all")).toHaveLength(3);
  });

  it("an unscored review item differs from an answered self-assessment item", () => {
    const rows = comparisonRows(rubric, [{ itemId: "E1.1.1", choice: "none" }], [], [], "zh-CN");
    expect(rows[0]).toMatchObject({ differs: true, deducted: false, review: { choice: null } });
  });
});

describe("who reads the review results", () => {
  const tenantId = new Types.ObjectId();
  const enterpriseId = new Types.ObjectId();
  const reviewer = new Types.ObjectId();
  const member = (role: Role, user = new Types.ObjectId()) => ({
    tenantId,
    roles: [role],
    permissions: permissionsFor([role]),
    enterpriseId: role.startsWith("enterprise") ? enterpriseId : null,
    user: { _id: user, email: "x@example.cn" },
  });
  const doc = (state: string, reported = true) => ({
    tenantId,
    enterpriseId,
    reviewerIds: [reviewer],
    state,
    review: { byReviewer: {}, summaries: {}, rectifications: [], report: reported ? { at: new Date(0), by: null, recommendedLevel: "qualified", reason: null, score: 90 } : null },
  });
  const on = { showReviewResultsToEnterprise: true };

  it("authority and panel after the report; the enterprise after the decision unless hidden", () => {
    expect(reviewResultsAccess(member("regulator"), doc("underReview.reviewing", false), on)).toBe("notReported");
    expect(reviewResultsAccess(member("regulator"), doc("reviewReported.pendingApproval"), on)).toBe("allowed");
    expect(reviewResultsAccess(member("reviewer", reviewer), doc("reviewReported.pendingApproval"), on)).toBe("allowed");
    expect(reviewResultsAccess(member("reviewer"), doc("reviewReported.pendingApproval"), on)).toBe("notFound");
    expect(reviewResultsAccess(member("enterprise_admin"), doc("reviewReported.pendingApproval"), on)).toBe("notDecided");
    for (const state of ["approved", "publicNotice.running", "certified", "certifiedLowerLevel", "rejected"]) {
      expect(isDecided(state)).toBe(true);
      expect(reviewResultsAccess(member("enterprise_member"), doc(state), on)).toBe("allowed");
      expect(reviewResultsAccess(member("enterprise_admin"), doc(state), { showReviewResultsToEnterprise: false })).toBe("hidden");
    }
    // Unset = default on.
    expect(reviewResultsAccess(member("enterprise_admin"), doc("approved"), {})).toBe("allowed");
  });
});
