import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffRubricVersions } from "../../app/lib/rubric/diff";
import { describeIssue, issueTarget, parseRubricIssues } from "../../app/lib/rubric/issues";
import { validateRubric, type Rubric, type RubricItem } from "../../app/lib/rubric/schema";

function shipped(name: string): Rubric {
  const data: unknown = JSON.parse(readFileSync(path.resolve("rubrics", `${name}.json`), "utf8"));
  const result = validateRubric(data, name);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

const base = shipped("general-tier3@2025.1");
const clone = (): Rubric => structuredClone(base);
const allItems = (r: Rubric): RubricItem[] =>
  r.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));
function item(r: Rubric, id: string): RubricItem {
  const found = allItems(r).find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
}

describe("diffRubricVersions", () => {
  it("finds nothing between a rubric and a copy of it", () => {
    const diff = diffRubricVersions(base, clone());
    expect(diff.empty).toBe(true);
    expect(diff.items).toEqual({ added: [], removed: [], changed: [] });
    expect(diff.totals).toEqual({
      pointsBefore: 1000,
      pointsAfter: 1000,
      itemsBefore: 135,
      itemsAfter: 135,
    });
    expect(diff.elementTotals.every((e) => e.before === e.after)).toBe(true);
  });

  it("reports changed points, text, flags, tags and rules field by field", () => {
    const draft = clone();
    const a = item(draft, "E1.1.1");
    a.points = 8;
    a.text = { zh: `${a.text.zh}（修订）`, en: a.text.en };
    a.veto = true;
    a.naAllowed = true;
    a.tags = ["risk-management"];
    const b = item(draft, "E1.1.2");
    b.deductionRules = [
      { ...(b.deductionRules[0] ?? { id: "a", text: { zh: "x" }, per: "all" }) },
      { id: "b", text: { zh: "目标未纳入企业总体生产经营目标" }, per: 3 },
      { id: "z", text: { zh: "新增的扣分情形" }, per: 1, cap: 2 },
    ];
    const diff = diffRubricVersions(base, draft);
    expect(diff.items.added).toEqual([]);
    expect(diff.items.removed).toEqual([]);
    expect(diff.items.changed.map((c) => c.id)).toEqual(["E1.1.1", "E1.1.2"]);
    const [first, second] = diff.items.changed;
    expect(first?.changes.map((c) => c.field)).toEqual([
      "text",
      "points",
      "naAllowed",
      "veto",
      "tags",
    ]);
    expect(first?.changes.find((c) => c.field === "points")).toMatchObject({ before: 5, after: 8 });
    expect(first?.changes.find((c) => c.field === "tags")).toMatchObject({
      before: [],
      after: ["risk-management"],
    });
    const rules = second?.changes.find((c) => c.field === "rules");
    expect(rules).toMatchObject({ rules: { added: ["z"], removed: ["c"], changed: ["b"] } });
    expect(diff.totals).toMatchObject({ pointsBefore: 1000, pointsAfter: 1003 });
    expect(diff.elementTotals.find((e) => e.id === "E1")).toMatchObject({
      before: expect.any(Number),
    });
    const e1 = diff.elementTotals.find((e) => e.id === "E1");
    expect((e1?.after ?? 0) - (e1?.before ?? 0)).toBe(3);
    expect(diff.empty).toBe(false);
  });

  it("ignores the order of rules and tags, which changes no score", () => {
    const draft = clone();
    const b = item(draft, "E1.1.2");
    b.deductionRules.reverse();
    const tagged = allItems(draft).find((i) => i.tags.length > 1);
    tagged?.tags.reverse();
    expect(diffRubricVersions(base, draft).empty).toBe(true);
  });

  it("lists added and removed items, moved items, and new or removed sub-elements", () => {
    const draft = clone();
    const e1 = draft.elements[0];
    const e2 = draft.elements[1];
    if (!e1 || !e2) throw new Error("fixture");
    const sub = e1.subElements[0];
    if (!sub) throw new Error("fixture");
    const removed = sub.items.pop();
    sub.items.push({
      id: "E1.1.99",
      text: { zh: "新增评分项" },
      points: 4,
      deductionRules: [],
      naAllowed: false,
      evidenceRequired: false,
      veto: false,
      tags: [],
    });
    // Move the first item of E2's first sub-element into E1.1.
    const moved = e2.subElements[0]?.items.shift();
    if (!moved || !removed) throw new Error("fixture");
    sub.items.push(moved);
    e2.subElements.push({
      id: "E2.9",
      title: { zh: "新二级要素" },
      items: [{ ...moved, id: "E2.9.1" }],
    });
    e1.title = { zh: "目标与职责" };

    const diff = diffRubricVersions(base, draft);
    expect(diff.items.added.map((i) => i.id)).toEqual(["E1.1.99", "E2.9.1"]);
    expect(diff.items.removed.map((i) => i.id)).toEqual([removed.id]);
    const movedChange = diff.items.changed.find((c) => c.id === moved.id);
    expect(movedChange?.movedFrom).toEqual({
      elementId: "E2",
      subElementId: e2.subElements[0]?.id,
    });
    expect(movedChange?.subElementId).toBe("E1.1");
    expect(movedChange?.changes).toEqual([]);
    expect(diff.subElements.added.map((s) => s.id)).toEqual(["E2.9"]);
    expect(diff.elements.changed).toEqual([
      {
        id: "E1",
        parentId: null,
        title: { before: base.elements[0]?.title, after: { zh: "目标与职责" } },
        movedFrom: null,
      },
    ]);
    expect(diff.totals.itemsAfter).toBe(diff.totals.itemsBefore + 1);
  });

  it("reports level threshold and name changes, added and removed levels, conditions and meta", () => {
    const draft = clone();
    const level3 = draft.levels.find((l) => l.key === "level3");
    if (!level3) throw new Error("fixture");
    level3.minScore = 65;
    draft.levels = draft.levels.filter((l) => l.key !== "level1");
    draft.levels.push({ key: "basic", name: { zh: "基础" }, minScore: 50 });
    draft.vetoPolicy = "lowest-level";
    const cond = draft.performanceConditions[0];
    if (!cond) throw new Error("fixture");
    cond.failCap = "level3";
    draft.performanceConditions.push({ id: "extra", text: { zh: "新增条件" }, failCap: "none" });

    const diff = diffRubricVersions(base, draft);
    expect(diff.levels.changed).toEqual([
      {
        key: "level3",
        before: expect.objectContaining({ minScore: 60 }),
        after: expect.objectContaining({ minScore: 65 }),
        fields: ["minScore"],
      },
    ]);
    expect(diff.levels.added.map((l) => l.key)).toEqual(["basic"]);
    expect(diff.levels.removed.map((l) => l.key)).toEqual(["level1"]);
    expect(diff.performanceConditions.changed).toEqual([
      expect.objectContaining({ id: cond.id, fields: ["failCap"] }),
    ]);
    expect(diff.performanceConditions.added.map((c) => c.id)).toEqual(["extra"]);
    expect(diff.meta).toEqual([
      { field: "vetoPolicy", before: "ineligible", after: "lowest-level" },
    ]);
    expect(diff.items.changed).toEqual([]);
  });

  it("adds point totals exactly, without binary float error", () => {
    const draft = clone();
    const items = allItems(draft);
    // 0.1 + 0.2 style values: the totals must still be exact decimals.
    const a = items[0];
    const b = items[1];
    if (!a || !b) throw new Error("fixture");
    a.points = 4.9;
    b.points = 5.2;
    const diff = diffRubricVersions(base, draft);
    expect(diff.totals.pointsAfter).toBe(1000.1);
  });

  it("property: changing the points of any set of items lists exactly those items, and totals follow", () => {
    const ids = allItems(base).map((i) => i.id);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: ids.length - 1 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 20, maxLength: 20 }),
        (indices, newHundredths) => {
          const draft = clone();
          const draftItems = allItems(draft);
          let expectedTotal = 100_000;
          const expectedChanged = new Set<string>();
          indices.forEach((idx, k) => {
            const it = draftItems[idx];
            if (!it) return;
            const before = Math.round(it.points * 100);
            const after = newHundredths[k] ?? before;
            it.points = after / 100;
            expectedTotal += after - before;
            if (after !== before) expectedChanged.add(it.id);
          });
          const diff = diffRubricVersions(base, draft);
          expect(new Set(diff.items.changed.map((c) => c.id))).toEqual(expectedChanged);
          expect(Math.round(diff.totals.pointsAfter * 100)).toBe(expectedTotal);
          expect(diff.empty).toBe(expectedChanged.size === 0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("property: the diff is symmetric — what one direction adds the other removes", () => {
    const small = shipped("small-micro@2025.1");
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 48 }), { maxLength: 10 }), (dropIdx) => {
        const draft = structuredClone(small);
        const drop = new Set(dropIdx);
        let k = 0;
        for (const el of draft.elements) {
          for (const sub of el.subElements) {
            sub.items = sub.items.filter(() => !drop.has(k++));
          }
        }
        const forward = diffRubricVersions(small, draft);
        const backward = diffRubricVersions(draft, small);
        expect(forward.items.removed.map((i) => i.id).sort()).toEqual(
          backward.items.added.map((i) => i.id).sort(),
        );
        expect(forward.items.added).toEqual([]);
        expect(forward.totals.itemsBefore - forward.totals.itemsAfter).toBe(drop.size);
      }),
      { numRuns: 30 },
    );
  });
});

describe("rubric validation issues for the editor", () => {
  it("splits schema messages into JSON path, form field name and message, and finds the item", () => {
    const draft = clone();
    const target = draft.elements[2]?.subElements[1]?.items[0];
    if (!target) throw new Error("fixture");
    target.points = 0;
    const result = validateRubric(draft, "general-tier3@x");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issues = parseRubricIssues(result.errors, "general-tier3@x");
    expect(issues).toContainEqual({
      path: "elements[2].subElements[1].items[0].points",
      segments: ["elements", 2, "subElements", 1, "items", 0, "points"],
      name: "elements.2.subElements.1.items.0.points",
      message: "must be > 0",
    });
    const pointsIssue = issues.find((i) => i.name.endsWith("points"));
    expect(issueTarget(pointsIssue?.segments ?? [])).toEqual({
      kind: "item",
      element: 2,
      sub: 1,
      item: 0,
      field: "points",
    });
    expect(describeIssue("must be > 0")).toEqual({ key: "rubric.issue.positive", params: {} });
    // Cross-field checks run once the structure is valid, so the threshold order is a second round.
    const second = clone();
    const level = second.levels[2];
    if (!level) throw new Error("fixture");
    level.minScore = 80;
    const again = validateRubric(second, "general-tier3@x");
    const levelIssue = again.ok
      ? undefined
      : parseRubricIssues(again.errors, "general-tier3@x").find(
          (i) => i.path === "levels[2].minScore",
        );
    expect(levelIssue?.message).toMatch(/must be lower than levels\[1\]\.minScore \(75\)/);
    expect(issueTarget(levelIssue?.segments ?? [])).toEqual({
      kind: "level",
      level: 2,
      field: "minScore",
    });
    expect(describeIssue(levelIssue?.message ?? "")).toEqual({
      key: "rubric.issue.levelOrder",
      params: { previous: "75" },
    });
  });

  it("reads quoted keys and the root path, and keeps unknown lines whole", () => {
    expect(parseRubricIssues(['x: answers["E1.1.1"].choice: bad'], "x")[0]).toMatchObject({
      segments: ["answers", "E1.1.1", "choice"],
      message: "bad",
    });
    expect(parseRubricIssues(["x: (root): must be an object"], "x")[0]).toMatchObject({
      segments: [],
      path: "(root)",
      message: "must be an object",
    });
    expect(parseRubricIssues(["something else"], "x")[0]).toMatchObject({
      path: "",
      message: "something else",
    });
    expect(describeIssue("must equal the sum of all item points (1003), got 1000")).toEqual({
      key: "rubric.issue.totalMismatch",
      params: { sum: "1003", total: "1000" },
    });
    expect(describeIssue("some brand new message")).toBeNull();
  });
});
