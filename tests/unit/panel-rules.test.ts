/** Pure panel logic (Step 10): who is told about a panel change, specialty warnings, expert form parsing. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expertSchema, parseSpecialties, specialtyMismatches } from "~/lib/review-bodies";
import { panelChanges } from "~/workflows/grading.machine";

const panelArb = fc
  .uniqueArray(fc.constantFrom("a", "b", "c", "d", "e", "f"), { minLength: 1, maxLength: 6 })
  .chain((reviewers) => fc.record({ reviewers: fc.constant(reviewers), leadReviewerId: fc.constantFrom(...reviewers) }));

describe("panelChanges", () => {
  it("tells exactly the added, the removed and those whose role changed", () => {
    fc.assert(
      fc.property(panelArb, panelArb, (before, after) => {
        const { notified, removed } = panelChanges(before, after);
        for (const id of after.reviewers) {
          const wasMember = before.reviewers.includes(id);
          const roleChanged = wasMember && (id === after.leadReviewerId) !== (id === before.leadReviewerId);
          expect(notified.includes(id)).toBe(!wasMember || roleChanged);
        }
        expect([...removed].sort()).toEqual(before.reviewers.filter((id) => !after.reviewers.includes(id)).sort());
        expect(notified.some((id) => removed.includes(id))).toBe(false);
      }),
    );
  });

  it("an unchanged panel tells nobody", () => {
    fc.assert(
      fc.property(panelArb, (p) => {
        expect(panelChanges(p, p)).toEqual({ notified: [], removed: [] });
      }),
    );
  });
});

describe("specialties", () => {
  it("reads keys or Chinese names separated by ; ， 、 or spaces", () => {
    expect(parseSpecialties("机械;轻工、 chemical")).toEqual(["machinery", "light", "chemical"]);
    expect(parseSpecialties("")).toEqual([]);
    expect(expertSchema.safeParse({ name: "王", certificateNo: "A-1", email: "w@example.com", specialties: "潜水" }).error?.issues[0]?.message).toBe(
      "panel.errors.specialty",
    );
    expect(expertSchema.safeParse({ name: "王", certificateNo: "A 1", email: "w@example.com", specialties: "机械" }).error?.issues[0]?.message).toBe(
      "panel.errors.certificateNo",
    );
  });

  it("warns about experts whose specialties miss the enterprise's industry", () => {
    expect(
      specialtyMismatches(
        [
          { userId: "a", specialties: ["machinery", "light"] },
          { userId: "b", specialties: ["mining"] },
        ],
        "light",
      ),
    ).toEqual(["b"]);
  });
});
