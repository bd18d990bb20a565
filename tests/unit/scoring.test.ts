import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  Answers,
  ItemAnswer,
  Level,
  PerformanceCondition,
  Rubric,
  RubricInput,
  WeightProfile,
} from "../../app/lib/rubric/schema";
import { validateRubric, validateWeightProfile } from "../../app/lib/rubric/schema";
import {
  formatScaled,
  percentHalfUp,
  roundHalfUp,
  roundHalfUp1,
  toHundredths,
  toScaledInt,
  toThousandths,
} from "../../app/lib/scoring/decimal";
import type { ScoreBreakdown, ScoreInput } from "../../app/lib/scoring/engine";
import {
  ScoringInputError,
  compileRubric,
  resolveItemWeights,
  scoreAssessment,
} from "../../app/lib/scoring/engine";

// ---------------------------------------------------------------------------------------------
// Factory: small rubrics built in the test, passed through the real schema so they are valid.

interface RuleSpec {
  id: string;
  per: number | "all";
  cap?: number;
}
interface ItemSpec {
  id: string;
  points: number;
  rules?: RuleSpec[];
  na?: boolean;
  veto?: boolean;
  tags?: string[];
}
interface SubSpec {
  id: string;
  items: ItemSpec[];
}
interface ElementSpec {
  id: string;
  subs: SubSpec[];
}
interface RubricOptions {
  levels?: Level[];
  vetoPolicy?: Rubric["vetoPolicy"];
  performanceConditions?: PerformanceCondition[];
}

const STANDARD_LEVELS: Level[] = [
  { key: "level1", name: { zh: "一级" }, minScore: 90 },
  { key: "level2", name: { zh: "二级" }, minScore: 75 },
  { key: "level3", name: { zh: "三级" }, minScore: 60 },
];

function makeRubric(elements: ElementSpec[], opts: RubricOptions = {}): Rubric {
  let totalH = 0;
  const input: RubricInput = {
    $schemaVersion: 1,
    key: "test",
    version: "1",
    title: { zh: "测试评分细则" },
    standard: "GB/T 33000-2016",
    applicability: { industries: ["*"], sizeClasses: ["small", "micro"] },
    totalPoints: 0,
    levels: opts.levels ?? STANDARD_LEVELS,
    vetoPolicy: opts.vetoPolicy ?? "ineligible",
    performanceConditions: opts.performanceConditions ?? [],
    elements: elements.map((el) => ({
      id: el.id,
      title: { zh: `要素 ${el.id}` },
      subElements: el.subs.map((sub) => ({
        id: sub.id,
        title: { zh: `二级要素 ${sub.id}` },
        items: sub.items.map((it) => {
          totalH += toHundredths(it.points);
          return {
            id: it.id,
            text: { zh: `条款 ${it.id}` },
            points: it.points,
            deductionRules: (it.rules ?? []).map((r) => ({
              id: r.id,
              text: { zh: `扣分项 ${it.id}/${r.id}` },
              per: r.per,
              ...(r.cap === undefined ? {} : { cap: r.cap }),
            })),
            naAllowed: it.na ?? false,
            veto: it.veto ?? false,
            tags: it.tags ?? [],
          };
        }),
      })),
    })),
  };
  input.totalPoints = totalH / 100;
  const result = validateRubric(input, "factory");
  if (!result.ok)
    throw new Error(`factory produced an invalid rubric:\n${result.errors.join("\n")}`);
  return result.value;
}

function makeProfile(rules: WeightProfile["rules"]): WeightProfile {
  const result = validateWeightProfile(
    { $schemaVersion: 1, key: "test-weights", title: { zh: "权重" }, rules },
    "factory",
  );
  if (!result.ok)
    throw new Error(`factory produced an invalid profile:\n${result.errors.join("\n")}`);
  return result.value;
}

const full = (): ItemAnswer => ({ choice: "full" });
const none = (note?: string): ItemAnswer =>
  note === undefined ? { choice: "none" } : { choice: "none", note };
const na = (): ItemAnswer => ({ choice: "na", naReason: "不适用" });
const partial = (...ds: Array<[string, number]>): ItemAnswer => ({
  choice: "partial",
  deductions: ds.map(([rule, count]) => ({ rule, count })),
});
const sheet = (
  answers: Record<string, ItemAnswer>,
  performance?: Record<string, boolean>,
): Answers => (performance === undefined ? { answers } : { answers, performance });

function score(input: ScoreInput): ScoreBreakdown {
  return scoreAssessment(input);
}

// E1.1: I1 10 (a all, b 2 cap 6, c 1), I2 20 (na ok); E1.2: I3 30; E2.1: I4 25 (na, occ-health), I5 15 (na, risk)
const BASIC = makeRubric([
  {
    id: "E1",
    subs: [
      {
        id: "E1.1",
        items: [
          {
            id: "I1",
            points: 10,
            rules: [
              { id: "a", per: "all" },
              { id: "b", per: 2, cap: 6 },
              { id: "c", per: 1 },
            ],
          },
          { id: "I2", points: 20, na: true, rules: [{ id: "a", per: 5 }] },
        ],
      },
      { id: "E1.2", items: [{ id: "I3", points: 30, rules: [{ id: "a", per: 10 }] }] },
    ],
  },
  {
    id: "E2",
    subs: [
      {
        id: "E2.1",
        items: [
          {
            id: "I4",
            points: 25,
            na: true,
            tags: ["occupational-health"],
            rules: [{ id: "a", per: 5 }],
          },
          {
            id: "I5",
            points: 15,
            na: true,
            tags: ["risk-management"],
            rules: [{ id: "a", per: 3 }],
          },
        ],
      },
    ],
  },
]);

const allFull = (r: Rubric): Record<string, ItemAnswer> => {
  const out: Record<string, ItemAnswer> = {};
  for (const el of r.elements)
    for (const sub of el.subElements) for (const it of sub.items) out[it.id] = full();
  return out;
};

// ---------------------------------------------------------------------------------------------

describe("decimal helpers", () => {
  it("rounds the true ratio half-up, not its binary approximation", () => {
    expect(roundHalfUp1(8995, 100)).toEqual({ value: 90, text: "90.0", scaled: 900n });
    expect(roundHalfUp1(8994, 100).text).toBe("89.9");
    expect(percentHalfUp(1799, 2000).text).toBe("90.0");
    // 201/400 = 50.25 exactly; in binary floating point 201/400*100 is 50.24999999999999.
    expect(Math.round((201 / 400) * 100 * 10) / 10).toBe(50.2);
    expect(percentHalfUp(201, 400).text).toBe("50.3");
    expect(Number(((41 / 80) * 100).toFixed(1))).toBe(51.2);
    expect(percentHalfUp(41, 80).text).toBe("51.3");
  });

  it("rounds ties away from zero and handles signs and other precisions", () => {
    expect(roundHalfUp1(-25, 100).text).toBe("-0.3");
    expect(roundHalfUp1(25, -100).text).toBe("-0.3");
    expect(roundHalfUp(1, 3, 2).text).toBe("0.33");
    expect(roundHalfUp(2, 3, 2).text).toBe("0.67");
    expect(roundHalfUp(5, 2, 0).text).toBe("3");
    expect(percentHalfUp(0, 7).text).toBe("0.0");
    expect(percentHalfUp(7, 7).value).toBe(100);
    expect(roundHalfUp1(10n ** 30n + 5n, 10n ** 30n).text).toBe("1.0");
    expect(() => roundHalfUp1(1, 0)).toThrow(RangeError);
    expect(() => roundHalfUp1(0.5, 1)).toThrow(RangeError);
  });

  it("converts decimals to scaled integers exactly", () => {
    expect(toHundredths(0.29)).toBe(29);
    expect(toHundredths(1000)).toBe(100000);
    expect(toThousandths(1.5)).toBe(1500);
    expect(toThousandths(0.001)).toBe(1);
    expect(toScaledInt(1.005, 100)).toBeNull();
    expect(() => toHundredths(1.005)).toThrow(RangeError);
    expect(formatScaled(5n, 2)).toBe("0.05");
    expect(formatScaled(-1234, 1)).toBe("-123.4");
    expect(formatScaled(7, 0)).toBe("7");
  });

  it("agrees with a rational reference for random ratios", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), (n, d) => {
        const r = percentHalfUp(n, d);
        // n/d·100 ≥ t/10 - 0.05  ⇔  2000n ≥ (2t - 1)d, and < t/10 + 0.05 ⇔ 2000n < (2t + 1)d
        const t = r.scaled;
        const N = BigInt(n);
        const D = BigInt(d);
        expect(2000n * N >= (2n * t - 1n) * D).toBe(true);
        expect(2000n * N < (2n * t + 1n) * D).toBe(true);
        expect(r.value).toBe(Number(r.text));
      }),
    );
  });

  it("the number fast path and the BigInt path agree", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 6 }),
        (n, d, decimals) => {
          expect(roundHalfUp(n, d, decimals)).toEqual(roundHalfUp(BigInt(n), BigInt(d), decimals));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("scoreAssessment — golden cases", () => {
  it("full answers everywhere: 100.0, best level, no deductions", () => {
    const b = score({ rubric: BASIC, answers: sheet(allFull(BASIC)) });
    expect(b.score).toBe(100);
    expect(b.scoreText).toBe("100.0");
    expect(b.unweightedScore).toBe(100);
    expect(b.level).toBe("level1");
    expect(b.scoreLevel).toBe("level1");
    expect(b.eligible).toBe(true);
    expect(b.reasons).toEqual([]);
    expect(b.deductions).toEqual([]);
    expect(b.vetoes).toEqual([]);
    expect(b.toNextLevel).toBeNull();
    expect(b.counts).toEqual({ items: 5, answered: 5, na: 0, unanswered: 0 });
  });

  it("partial with count 0 deducts nothing (zero-deduction answers equal full)", () => {
    const answers = { ...allFull(BASIC), I1: partial(["b", 0], ["c", 0]) };
    const b = score({ rubric: BASIC, answers: sheet(answers) });
    expect(b.scoreText).toBe("100.0");
    expect(b.deductions).toEqual([]);
  });

  it("mixed answers: cap, per-occurrence, none, element and sub-element breakdown, next level", () => {
    const b = score({
      rubric: BASIC,
      answers: sheet({
        I1: {
          choice: "partial",
          deductions: [
            { rule: "b", count: 5, note: "缺5项" },
            { rule: "c", count: 1 },
          ],
        }, // −6 (capped) −1 → 3
        I2: full(), // 20
        I3: partial(["a", 2]), // −20 → 10
        I4: none("无记录"), // 0
        I5: full(), // 15
      }),
    });
    // (3 + 20 + 10 + 0 + 15) / 100 = 48.0
    expect(b.scoreText).toBe("48.0");
    expect(b.level).toBeNull();
    expect(b.scoreLevel).toBeNull();
    expect(b.eligible).toBe(false);
    expect(b.reasons).toEqual([
      {
        code: "below-threshold",
        effect: "blocks",
        params: { score: 48, level: "level3", minScore: 60 },
      },
    ]);
    expect(b.deductions).toEqual([
      {
        itemId: "I1",
        elementId: "E1",
        subElementId: "E1.1",
        kind: "rule",
        ruleId: "b",
        text: { zh: "扣分项 I1/b" },
        count: 5,
        points: 6,
        note: "缺5项",
      },
      {
        itemId: "I1",
        elementId: "E1",
        subElementId: "E1.1",
        kind: "rule",
        ruleId: "c",
        text: { zh: "扣分项 I1/c" },
        count: 1,
        points: 1,
        note: null,
      },
      {
        itemId: "I3",
        elementId: "E1",
        subElementId: "E1.2",
        kind: "rule",
        ruleId: "a",
        text: { zh: "扣分项 I3/a" },
        count: 2,
        points: 20,
        note: null,
      },
      {
        itemId: "I4",
        elementId: "E2",
        subElementId: "E2.1",
        kind: "none",
        ruleId: null,
        text: { zh: "条款 I4" },
        count: 1,
        points: 25,
        note: "无记录",
      },
    ]);
    expect(b.elements).toEqual([
      {
        id: "E1",
        title: { zh: "要素 E1" },
        obtained: 33,
        applicable: 60,
        standard: 60,
        percentage: 55,
        subElements: [
          {
            id: "E1.1",
            title: { zh: "二级要素 E1.1" },
            obtained: 23,
            applicable: 30,
            standard: 30,
            percentage: 76.7,
          },
          {
            id: "E1.2",
            title: { zh: "二级要素 E1.2" },
            obtained: 10,
            applicable: 30,
            standard: 30,
            percentage: 33.3,
          },
        ],
      },
      {
        id: "E2",
        title: { zh: "要素 E2" },
        obtained: 15,
        applicable: 40,
        standard: 40,
        percentage: 37.5,
        subElements: [
          {
            id: "E2.1",
            title: { zh: "二级要素 E2.1" },
            obtained: 15,
            applicable: 40,
            standard: 40,
            percentage: 37.5,
          },
        ],
      },
    ]);
    expect(b.toNextLevel).toEqual({
      targetLevel: "level3",
      pointsNeeded: 12,
      candidates: [
        { itemId: "I4", text: { zh: "条款 I4" }, gain: 25, currentObtained: 0, points: 25 },
        { itemId: "I3", text: { zh: "条款 I3" }, gain: 20, currentObtained: 10, points: 30 },
        { itemId: "I1", text: { zh: "条款 I1" }, gain: 7, currentObtained: 3, points: 10 },
      ],
    });
  });

  it("an item never goes below 0", () => {
    // I1: "all" (−10) and c×4 (−4) = −14 → floored at 0, not −4.
    const b = score({
      rubric: BASIC,
      answers: sheet({ ...allFull(BASIC), I1: partial(["a", 1], ["c", 4]) }),
    });
    expect(b.scoreText).toBe("90.0");
    expect(b.level).toBe("level1");
    expect(b.elements[0]?.subElements[0]?.obtained).toBe(20);
    // Rule entries keep their own amount; the floor applies to the item.
    expect(b.deductions.map((d) => d.points)).toEqual([10, 4]);
    // Many occurrences of a capped rule stay at the cap.
    const capped = score({
      rubric: BASIC,
      answers: sheet({ ...allFull(BASIC), I1: partial(["b", 1000]) }),
    });
    expect(capped.scoreText).toBe("94.0");
  });

  it("N/A items leave the denominator; an all-N/A element reports percentage null", () => {
    const b = score({
      rubric: BASIC,
      answers: sheet({ I1: full(), I2: full(), I3: partial(["a", 1]), I4: na(), I5: na() }),
    });
    // (10 + 20 + 20) / (100 − 40) = 83.33… → 83.3
    expect(b.scoreText).toBe("83.3");
    expect(b.level).toBe("level2");
    const e2 = b.elements[1];
    expect(e2).toMatchObject({
      id: "E2",
      obtained: 0,
      applicable: 0,
      standard: 40,
      percentage: null,
    });
    expect(e2?.subElements[0]).toMatchObject({ applicable: 0, percentage: null });
    expect(b.counts).toEqual({ items: 5, answered: 3, na: 2, unanswered: 0 });
    expect(b.toNextLevel).toMatchObject({ targetLevel: "level1", pointsNeeded: 6.7 });
    // Making I3 full adds 10 / 60 × 100 = 16.67 score points.
    expect(b.toNextLevel?.candidates).toEqual([
      { itemId: "I3", text: { zh: "条款 I3" }, gain: 16.67, currentObtained: 20, points: 30 },
    ]);
  });

  it("every answer N/A: no score, not eligible, reason no-applicable-items", () => {
    const r = makeRubric([
      {
        id: "E1",
        subs: [
          {
            id: "E1.1",
            items: [
              { id: "A", points: 5, na: true },
              { id: "B", points: 5, na: true },
            ],
          },
        ],
      },
    ]);
    const b = score({ rubric: r, answers: sheet({ A: na(), B: na() }) });
    expect(b.score).toBeNull();
    expect(b.scoreText).toBeNull();
    expect(b.unweightedScore).toBeNull();
    expect(b.level).toBeNull();
    expect(b.scoreLevel).toBeNull();
    expect(b.eligible).toBe(false);
    expect(b.reasons).toEqual([{ code: "no-applicable-items", effect: "blocks", params: {} }]);
    expect(b.toNextLevel).toBeNull();
    expect(b.elements[0]?.percentage).toBeNull();
    expect(b.counts).toEqual({ items: 2, answered: 0, na: 2, unanswered: 0 });
  });

  it("unanswered items score 0 and stay in the denominator", () => {
    const b = score({ rubric: BASIC, answers: sheet({ I1: full(), I2: full(), I3: full() }) });
    expect(b.scoreText).toBe("60.0");
    expect(b.level).toBe("level3");
    expect(b.unanswered).toEqual(["I4", "I5"]);
    expect(b.counts).toEqual({ items: 5, answered: 3, na: 0, unanswered: 2 });
    expect(b.reasons).toEqual([
      { code: "unanswered-items", effect: "info", params: { count: 2, vetoItemIds: [] } },
    ]);
    expect(b.deductions).toEqual([]);
  });

  it("89.95 rounds half-up to 90.0 and reaches a 90-point level; 59.95 reaches 60", () => {
    const r = makeRubric([
      {
        id: "E1",
        subs: [
          {
            id: "E1.1",
            items: [
              { id: "X", points: 1000, rules: [{ id: "a", per: 1 }] },
              { id: "Y", points: 1000, rules: [{ id: "a", per: 1 }] },
            ],
          },
        ],
      },
    ]);
    const hi = score({ rubric: r, answers: sheet({ X: full(), Y: partial(["a", 201]) }) }); // 1799 / 2000
    expect(hi.scoreText).toBe("90.0");
    expect(hi.level).toBe("level1");
    const lo = score({ rubric: r, answers: sheet({ X: partial(["a", 801]), Y: full() }) }); // 1199 / 2000
    expect(lo.scoreText).toBe("60.0");
    expect(lo.level).toBe("level3");
    const below = score({ rubric: r, answers: sheet({ X: partial(["a", 802]), Y: full() }) }); // 1198 / 2000 = 59.9
    expect(below.scoreText).toBe("59.9");
    expect(below.level).toBeNull();
  });

  it("exact where float math breaks: 201/400 is 50.3, fractional points sum exactly", () => {
    const r = makeRubric([
      {
        id: "E1",
        subs: [
          {
            id: "E1.1",
            items: [
              { id: "P", points: 200 },
              { id: "Q", points: 200, rules: [{ id: "a", per: 1 }] },
            ],
          },
        ],
      },
    ]);
    const b = score({ rubric: r, answers: sheet({ P: full(), Q: partial(["a", 199]) }) });
    expect(b.scoreText).toBe("50.3");
    // 0.1 + 0.2 points (0.30000000000000004 as floats) over 0.3 applicable is exactly 100.
    const tiny = makeRubric([
      {
        id: "E1",
        subs: [
          {
            id: "E1.1",
            items: [
              { id: "A", points: 0.1 },
              { id: "B", points: 0.2 },
            ],
          },
        ],
      },
    ]);
    expect(score({ rubric: tiny, answers: sheet({ A: full(), B: full() }) }).scoreText).toBe(
      "100.0",
    );
    // 0.29 per occurrence × 3 = 0.87 from 1.15 → 0.28 of 1.15 = 24.347… → 24.3
    const dec = makeRubric(
      [
        {
          id: "E1",
          subs: [
            { id: "E1.1", items: [{ id: "A", points: 1.15, rules: [{ id: "a", per: 0.29 }] }] },
          ],
        },
      ],
      {
        levels: [{ key: "pass", name: { zh: "达标" }, minScore: 24.3 }],
      },
    );
    const d = score({ rubric: dec, answers: sheet({ A: partial(["a", 3]) }) });
    expect(d.scoreText).toBe("24.3");
    expect(d.level).toBe("pass");
    expect(d.deductions[0]?.points).toBe(0.87);
  });

  describe("veto items", () => {
    const vetoRubric = (policy: Rubric["vetoPolicy"]): Rubric =>
      makeRubric(
        [
          {
            id: "E1",
            subs: [
              {
                id: "E1.1",
                items: [
                  { id: "V", points: 10, veto: true, rules: [{ id: "a", per: 1 }] },
                  { id: "O", points: 90, rules: [{ id: "a", per: 1 }] },
                ],
              },
            ],
          },
        ],
        { vetoPolicy: policy },
      );

    it("ineligible policy: any deduction on a veto item means no level whatever the score", () => {
      const b = score({
        rubric: vetoRubric("ineligible"),
        answers: sheet({ V: partial(["a", 1]), O: full() }),
      });
      expect(b.scoreText).toBe("99.0");
      expect(b.scoreLevel).toBe("level1");
      expect(b.level).toBeNull();
      expect(b.eligible).toBe(false);
      expect(b.vetoes).toEqual([{ itemId: "V", text: { zh: "条款 V" } }]);
      expect(b.reasons).toEqual([
        {
          code: "veto",
          effect: "blocks",
          params: { policy: "ineligible", itemIds: ["V"], level: null },
        },
      ]);
      expect(b.toNextLevel).toBeNull();
    });

    it('a "none" answer on a veto item is a hit; count 0 and unanswered are not', () => {
      const r = vetoRubric("ineligible");
      expect(score({ rubric: r, answers: sheet({ V: none(), O: full() }) }).vetoes).toHaveLength(1);
      const zero = score({ rubric: r, answers: sheet({ V: partial(["a", 0]), O: full() }) });
      expect(zero.vetoes).toEqual([]);
      expect(zero.level).toBe("level1");
      const missing = score({ rubric: r, answers: sheet({ O: full() }) });
      expect(missing.vetoes).toEqual([]);
      expect(missing.level).toBe("level1");
      expect(missing.reasons).toEqual([
        { code: "unanswered-items", effect: "info", params: { count: 1, vetoItemIds: ["V"] } },
      ]);
    });

    it("lowest-level policy: capped at the lowest level when the score reaches it", () => {
      const r = vetoRubric("lowest-level");
      const b = score({ rubric: r, answers: sheet({ V: none(), O: full() }) });
      expect(b.scoreText).toBe("90.0");
      expect(b.scoreLevel).toBe("level1");
      expect(b.level).toBe("level3");
      expect(b.eligible).toBe(true);
      expect(b.reasons).toEqual([
        {
          code: "veto",
          effect: "caps",
          params: { policy: "lowest-level", itemIds: ["V"], level: "level3" },
        },
      ]);
    });

    it("lowest-level policy: below the lowest threshold there is still no level", () => {
      const b = score({
        rubric: vetoRubric("lowest-level"),
        answers: sheet({ V: none(), O: partial(["a", 50]) }),
      });
      expect(b.scoreText).toBe("40.0");
      expect(b.level).toBeNull();
      expect(b.reasons.map((r) => [r.code, r.effect])).toEqual([
        ["below-threshold", "blocks"],
        ["veto", "caps"],
      ]);
    });
  });

  describe("safety performance", () => {
    const r = makeRubric(
      [
        {
          id: "E1",
          subs: [{ id: "E1.1", items: [{ id: "A", points: 100, rules: [{ id: "a", per: 1 }] }] }],
        },
      ],
      {
        performanceConditions: [
          { id: "p-l2", text: { zh: "条件一" }, failCap: "level2" },
          { id: "p-none", text: { zh: "条件二" }, failCap: "none" },
          { id: "p-l3", text: { zh: "条件三" }, failCap: "level3" },
        ],
      },
    );

    it("absent or true means passed", () => {
      const b = score({ rubric: r, answers: sheet({ A: full() }, { "p-l2": true }) });
      expect(b.level).toBe("level1");
      expect(b.performanceCap).toBeNull();
    });

    it("a failed condition caps the level; the lowest cap wins", () => {
      const one = score({ rubric: r, answers: sheet({ A: full() }, { "p-l2": false }) });
      expect(one.level).toBe("level2");
      expect(one.scoreLevel).toBe("level1");
      expect(one.performanceCap).toBe("level2");
      expect(one.reasons).toEqual([
        { code: "performance", effect: "caps", params: { conditionIds: ["p-l2"], cap: "level2" } },
      ]);
      const two = score({
        rubric: r,
        answers: sheet({ A: full() }, { "p-l2": false, "p-l3": false }),
      });
      expect(two.level).toBe("level3");
      expect(two.performanceCap).toBe("level3");
    });

    it("level is the LOWER of score level and performance cap", () => {
      const b = score({ rubric: r, answers: sheet({ A: partial(["a", 35]) }, { "p-l2": false }) });
      expect(b.scoreText).toBe("65.0");
      expect(b.level).toBe("level3");
    });

    it('failCap "none" excludes every level', () => {
      const b = score({
        rubric: r,
        answers: sheet({ A: full() }, { "p-none": false, "p-l2": false }),
      });
      expect(b.level).toBeNull();
      expect(b.eligible).toBe(false);
      expect(b.performanceCap).toBe("none");
      expect(b.reasons).toEqual([
        {
          code: "performance",
          effect: "blocks",
          params: { conditionIds: ["p-l2", "p-none"], cap: "none" },
        },
      ]);
    });
  });

  describe("weights", () => {
    const profile = makeProfile([
      { tag: "occupational-health", weight: 2 },
      { tag: "risk-management", weight: 1.5 },
      { element: "E1", weight: 1.2 },
      { item: "I3", weight: 0.5 },
    ]);

    it("resolves item > max(tag) > element > 1", () => {
      const r = makeRubric([
        {
          id: "E1",
          subs: [
            {
              id: "E1.1",
              items: [
                { id: "A", points: 1, tags: ["occupational-health", "risk-management"] },
                { id: "B", points: 1, tags: ["risk-management"] },
                { id: "C", points: 1 },
                { id: "I3", points: 1, tags: ["occupational-health"] },
              ],
            },
          ],
        },
        { id: "E9", subs: [{ id: "E9.1", items: [{ id: "D", points: 1, tags: ["other"] }] }] },
      ]);
      expect([...resolveItemWeights(compileRubric(r), profile)]).toEqual([
        2000, 1500, 1200, 500, 1000,
      ]);
    });

    it("weighted score with N/A items (hand-computed)", () => {
      const b = score({
        rubric: BASIC,
        weights: profile,
        answers: sheet({
          I1: full(),
          I2: na(),
          I3: partial(["a", 1]),
          I4: partial(["a", 1]),
          I5: none(),
        }),
      });
      // weights: I1 1.2 (element), I3 0.5 (item), I4 2 (tag), I5 1.5 (tag); I2 is N/A
      // Σw·obtained = 12 + 10 + 40 + 0 = 62; Σw·applicable = 12 + 15 + 50 + 22.5 = 99.5 → 62.311… → 62.3
      expect(b.scoreText).toBe("62.3");
      // unweighted: 50 / 80 = 62.5
      expect(b.unweightedScoreText).toBe("62.5");
      expect(b.level).toBe("level3");
      // gains are weighted: I5 1.5·15/99.5 = 22.61, I4 2·5/99.5 = 10.05, I3 0.5·10/99.5 = 5.03
      expect(b.toNextLevel?.candidates.map((c) => [c.itemId, c.gain, c.currentObtained])).toEqual([
        ["I5", 22.61, 0],
        ["I4", 10.05, 20],
        ["I3", 5.03, 20],
      ]);
    });

    it("weight 1 everywhere gives exactly the unweighted score", () => {
      const ones = makeProfile([
        { element: "E1", weight: 1 },
        { tag: "risk-management", weight: 1 },
        { item: "I4", weight: 1 },
      ]);
      const answers = sheet({
        I1: partial(["b", 2]),
        I2: na(),
        I3: partial(["a", 1]),
        I4: partial(["a", 1]),
        I5: none(),
      });
      const w = score({ rubric: BASIC, answers, weights: ones });
      const u = score({ rubric: BASIC, answers });
      expect(w.scoreText).toBe(u.scoreText);
      expect(w.scoreText).toBe(w.unweightedScoreText);
    });
  });

  describe("levelsAllowed", () => {
    it("a higher score level is reported as the best allowed level below it", () => {
      const b = score({ rubric: BASIC, answers: sheet(allFull(BASIC)), levelsAllowed: ["level3"] });
      expect(b.scoreLevel).toBe("level1");
      expect(b.level).toBe("level3");
      expect(b.reasons).toEqual([
        {
          code: "level-not-allowed",
          effect: "caps",
          params: { level: "level1", grantedLevel: "level3", levelsAllowed: ["level3"] },
        },
      ]);
      expect(b.toNextLevel).toBeNull();
    });

    it("no allowed level at or below the reached one means no level", () => {
      const b = score({
        rubric: BASIC,
        answers: sheet({ ...allFull(BASIC), I4: none(), I5: none() }),
        levelsAllowed: ["level1"],
      });
      expect(b.scoreLevel).toBe("level3");
      expect(b.level).toBeNull();
      expect(b.reasons[0]).toMatchObject({ code: "level-not-allowed", effect: "blocks" });
      // The next target skips levels the tenant cannot grant.
      expect(b.toNextLevel).toMatchObject({ targetLevel: "level1", pointsNeeded: 30 });
    });
  });

  describe("input errors and edge cases", () => {
    it("throws ScoringInputError on unknown rules and disallowed N/A", () => {
      expect(() => score({ rubric: BASIC, answers: sheet({ I1: partial(["zz", 1]) }) })).toThrow(
        ScoringInputError,
      );
      expect(() => score({ rubric: BASIC, answers: sheet({ I1: na() }) })).toThrow(/naAllowed/);
    });

    it("ignores answers for unknown items and inherited properties", () => {
      const r = makeRubric([
        {
          id: "E1",
          subs: [
            {
              id: "E1.1",
              items: [
                // constructor/__proto__/prototype are refused by the schema; valueOf is still inherited.
                { id: "valueOf", points: 10 },
                { id: "toString", points: 10 },
              ],
            },
          ],
        },
      ]);
      const b = score({ rubric: r, answers: sheet({ toString: full(), other: full() }) });
      expect(b.scoreText).toBe("50.0");
      expect(b.unanswered).toEqual(["valueOf"]);
    });

    it("memoises the compiled rubric by identity", () => {
      expect(compileRubric(BASIC)).toBe(compileRubric(BASIC));
      expect(compileRubric(structuredClone(BASIC))).not.toBe(compileRubric(BASIC));
    });

    it("maxCandidates limits the next-level list", () => {
      const b = score({ rubric: BASIC, answers: sheet({}), maxCandidates: 2 });
      expect(b.toNextLevel?.candidates.map((c) => c.itemId)).toEqual(["I3", "I4"]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests

interface GenItem {
  pointsH: number;
  naAllowed: boolean;
  veto: boolean;
  tags: string[];
  rules: Array<{ all: boolean; perPct: number; capPct: number | null }>;
  answer: { kind: "full" | "partial" | "none" | "na" | "absent"; counts: number[] };
}

const TAGS = ["risk-management", "occupational-health", "emergency"] as const;

const genItem: fc.Arbitrary<GenItem> = fc.record({
  pointsH: fc.integer({ min: 1, max: 5000 }),
  naAllowed: fc.boolean(),
  veto: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  tags: fc.subarray([...TAGS]),
  rules: fc.array(
    fc.record({
      all: fc.boolean(),
      perPct: fc.integer({ min: 1, max: 100 }),
      capPct: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    }),
    { maxLength: 3 },
  ),
  answer: fc.record({
    kind: fc.constantFrom("full", "partial", "none", "na", "absent"),
    counts: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }),
  }),
});

const genShape = fc.array(
  fc.array(fc.array(genItem, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }),
  {
    minLength: 1,
    maxLength: 3,
  },
);

interface Scenario {
  rubric: Rubric;
  answers: Answers;
  ids: string[];
}

function buildScenario(
  shape: GenItem[][][],
  policy: Rubric["vetoPolicy"] = "ineligible",
  forceNa: number | null = null,
): Scenario {
  const ids: string[] = [];
  const answers: Record<string, ItemAnswer> = {};
  let k = 0;
  const elements: ElementSpec[] = shape.map((subs, e) => ({
    id: `E${e + 1}`,
    subs: subs.map((items, s) => ({
      id: `E${e + 1}.${s + 1}`,
      items: items.map((g, i) => {
        const id = `E${e + 1}.${s + 1}.${i + 1}`;
        const naAllowed = g.naAllowed || forceNa === k;
        k++;
        ids.push(id);
        const rules: RuleSpec[] = g.rules.map((r, ri) => {
          if (r.all) return { id: `r${ri}`, per: "all" };
          const perH = Math.max(1, Math.round((g.pointsH * r.perPct) / 100));
          if (r.capPct === null || perH > g.pointsH) return { id: `r${ri}`, per: perH / 100 };
          const capH = perH + Math.round(((g.pointsH - perH) * r.capPct) / 100);
          return { id: `r${ri}`, per: perH / 100, cap: capH / 100 };
        });
        const kind = g.answer.kind;
        if (kind === "full") answers[id] = full();
        else if (kind === "none") answers[id] = none();
        else if (kind === "na") answers[id] = naAllowed ? na() : full();
        else if (kind === "partial") {
          answers[id] =
            rules.length === 0
              ? none()
              : partial(
                  ...rules.map((r, ri): [string, number] => [r.id, g.answer.counts[ri] ?? 1]),
                );
        }
        return { id, points: g.pointsH / 100, na: naAllowed, veto: g.veto, tags: g.tags, rules };
      }),
    })),
  }));
  return { rubric: makeRubric(elements, { vetoPolicy: policy }), answers: sheet(answers), ids };
}

interface GenWeights {
  tags: number[];
  elements: number[];
  useTag: boolean[];
  useElement: boolean[];
  itemWeight: number | null;
}

const genWeights: fc.Arbitrary<GenWeights> = fc.record({
  tags: fc.array(fc.integer({ min: 1, max: 10_000 }), {
    minLength: TAGS.length,
    maxLength: TAGS.length,
  }),
  elements: fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 3, maxLength: 3 }),
  useTag: fc.array(fc.boolean(), { minLength: TAGS.length, maxLength: TAGS.length }),
  useElement: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  itemWeight: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
});

function profileFrom(g: GenWeights, scale = 1): WeightProfile {
  const rules: WeightProfile["rules"] = [];
  TAGS.forEach((tag, i) => {
    if (g.useTag[i] === true) rules.push({ tag, weight: ((g.tags[i] ?? 1000) * scale) / 1000 });
  });
  g.elements.forEach((w, i) => {
    if (g.useElement[i] === true) rules.push({ element: `E${i + 1}`, weight: (w * scale) / 1000 });
  });
  if (g.itemWeight !== null) rules.push({ item: "E1.1.1", weight: (g.itemWeight * scale) / 1000 });
  return makeProfile(rules);
}

/** Independent reference: exact rationals, written without the engine's index or typed arrays. */
function referenceScoreText(
  rubric: Rubric,
  answers: Answers,
  profile: WeightProfile | null,
): string | null {
  let num = 0n;
  let den = 0n;
  for (const el of rubric.elements) {
    for (const sub of el.subElements) {
      for (const item of sub.items) {
        const a = answers.answers[item.id];
        if (a?.choice === "na") continue;
        const p = BigInt(Math.round(item.points * 100));
        let obtained = 0n;
        if (a?.choice === "full") obtained = p;
        else if (a?.choice === "partial") {
          let lost = 0n;
          for (const d of a.deductions) {
            const rule = item.deductionRules.find((r) => r.id === d.rule);
            if (rule === undefined || d.count === 0) continue;
            let x = rule.per === "all" ? p : BigInt(Math.round(rule.per * 100)) * BigInt(d.count);
            if (rule.cap !== undefined && x > BigInt(Math.round(rule.cap * 100)))
              x = BigInt(Math.round(rule.cap * 100));
            lost += x;
          }
          obtained = lost >= p ? 0n : p - lost;
        }
        let w = 1000n;
        if (profile !== null) {
          const itemRule = profile.rules.find((r) => r.item === item.id);
          const tagWs = profile.rules
            .filter((r) => r.tag !== undefined && item.tags.includes(r.tag))
            .map((r) => r.weight);
          const elRule = profile.rules.find((r) => r.element === el.id);
          const wn =
            itemRule?.weight ?? (tagWs.length > 0 ? Math.max(...tagWs) : (elRule?.weight ?? 1));
          w = BigInt(Math.round(wn * 1000));
        }
        num += w * obtained;
        den += w * p;
      }
    }
  }
  if (den === 0n) return null;
  const t = (2n * num * 1000n + den) / (2n * den);
  return formatScaled(t, 1);
}

const levelRank = (b: ScoreBreakdown): number =>
  b.level === null ? 99 : STANDARD_LEVELS.findIndex((l) => l.key === b.level);

describe("scoreAssessment — properties", () => {
  it("score and percentages stay in [0, 100]; counts add up", () => {
    fc.assert(
      fc.property(genShape, fc.option(genWeights, { nil: null }), (shape, gw) => {
        const { rubric, answers } = buildScenario(shape);
        const b = score({ rubric, answers, weights: gw === null ? null : profileFrom(gw) });
        if (b.score !== null) {
          expect(b.score).toBeGreaterThanOrEqual(0);
          expect(b.score).toBeLessThanOrEqual(100);
        }
        for (const el of b.elements) {
          for (const g of [el, ...el.subElements]) {
            if (g.percentage !== null) expect(g.percentage >= 0 && g.percentage <= 100).toBe(true);
            expect(g.obtained).toBeLessThanOrEqual(g.applicable);
            expect(g.applicable).toBeLessThanOrEqual(g.standard);
          }
        }
        expect(b.counts.answered + b.counts.na + b.counts.unanswered).toBe(b.counts.items);
        expect(b.eligible).toBe(b.level !== null);
      }),
      { numRuns: 300 },
    );
  });

  it("matches an independent exact reference (weighted and unweighted)", () => {
    fc.assert(
      fc.property(genShape, fc.option(genWeights, { nil: null }), (shape, gw) => {
        const { rubric, answers } = buildScenario(shape);
        const profile = gw === null ? null : profileFrom(gw);
        const b = score({ rubric, answers, weights: profile });
        expect(b.scoreText).toBe(referenceScoreText(rubric, answers, profile));
        expect(b.unweightedScoreText).toBe(referenceScoreText(rubric, answers, null));
      }),
      { numRuns: 300 },
    );
  });

  // The brief's wording was "marking a full-score item N/A never lowers the score", but that is
  // false: with A full (10) and B none (10) the score is 50; A → N/A gives 0/10 = 0. What holds is
  // the pair below: N/A on a zero-score item never lowers the score, N/A on a full item never raises it.
  it("N/A on a zero-score item never lowers the score; N/A on a full item never raises it", () => {
    fc.assert(
      fc.property(genShape, fc.nat(), fc.option(genWeights, { nil: null }), (shape, pick, gw) => {
        const count = shape.flat(2).length;
        const j = pick % count;
        const { rubric, answers, ids } = buildScenario(shape, "ineligible", j);
        const id = ids[j] ?? "";
        const weights = gw === null ? null : profileFrom(gw);
        const run = (a: ItemAnswer) =>
          score({ rubric, answers: sheet({ ...answers.answers, [id]: a }), weights });
        const asNone = run(none());
        const asFull = run(full());
        const asNa = run(na());
        if (asNa.score === null) return;
        expect(asNone.score).not.toBeNull();
        expect(asNa.score).toBeGreaterThanOrEqual(asNone.score ?? Infinity);
        expect(asNa.score).toBeLessThanOrEqual(asFull.score ?? -Infinity);
      }),
      { numRuns: 300 },
    );
  });

  it("adding deductions never raises the score or improves the level", () => {
    fc.assert(
      fc.property(
        genShape,
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom<Rubric["vetoPolicy"]>("ineligible", "lowest-level"),
        (shape, pick, extra, policy) => {
          const { rubric, answers, ids } = buildScenario(shape, policy);
          const id = ids[pick % ids.length] ?? "";
          const item = rubric.elements
            .flatMap((e) => e.subElements.flatMap((s) => s.items))
            .find((it) => it.id === id);
          const firstRule = item?.deductionRules[0];
          const current = answers.answers[id];
          let worse: ItemAnswer;
          if (current === undefined || current.choice === "na") return;
          if (current.choice === "none") worse = none();
          else if (firstRule === undefined) worse = none();
          else if (current.choice === "full") worse = partial([firstRule.id, extra]);
          else {
            const ds = current.deductions.map((d) =>
              d.rule === firstRule.id ? { ...d, count: d.count + extra } : d,
            );
            worse = { choice: "partial", deductions: ds };
          }
          const before = score({ rubric, answers });
          const after = score({ rubric, answers: sheet({ ...answers.answers, [id]: worse }) });
          expect(after.score ?? 0).toBeLessThanOrEqual(before.score ?? 0);
          expect(levelRank(after)).toBeGreaterThanOrEqual(levelRank(before));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("all weights 1 equals unweighted", () => {
    fc.assert(
      fc.property(
        genShape,
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        (shape, use) => {
          const { rubric, answers } = buildScenario(shape);
          const rules: WeightProfile["rules"] = [];
          TAGS.forEach((tag, i) => {
            if (use[i] === true) rules.push({ tag, weight: 1 });
          });
          ["E1", "E2", "E3"].forEach((element, i) => {
            if (use[i + 3] === true) rules.push({ element, weight: 1 });
          });
          if (use[6] === true) rules.push({ item: "E1.1.1", weight: 1 });
          const w = score({ rubric, answers, weights: makeProfile(rules) });
          const u = score({ rubric, answers });
          expect(w.scoreText).toBe(u.scoreText);
          expect(w.scoreText).toBe(w.unweightedScoreText);
          expect(w.level).toBe(u.level);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("scaling every weight by the same factor changes nothing", () => {
    fc.assert(
      fc.property(genShape, genWeights, fc.integer({ min: 2, max: 50 }), (shape, gw, k) => {
        const { rubric, answers } = buildScenario(shape);
        // Weights that are not set fall back to 1, so a scaled profile must set every weight explicitly.
        const all: GenWeights = {
          ...gw,
          useTag: TAGS.map(() => true),
          useElement: [true, true, true],
        };
        const a = score({ rubric, answers, weights: profileFrom(all) });
        const b = score({ rubric, answers, weights: profileFrom(all, k) });
        expect(b.scoreText).toBe(a.scoreText);
        expect(b.level).toBe(a.level);
        expect(b.toNextLevel?.candidates.map((c) => [c.itemId, c.gain])).toEqual(
          a.toNextLevel?.candidates.map((c) => [c.itemId, c.gain]),
        );
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// CLI: scripts/score.ts

describe("scripts/score.ts", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  let dir = "";

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "safegrade-score-"));
    const r = makeRubric([
      {
        id: "E1",
        subs: [
          {
            id: "E1.1",
            items: [
              { id: "A", points: 60 },
              { id: "B", points: 40, rules: [{ id: "a", per: 10 }] },
            ],
          },
        ],
      },
    ]);
    writeFileSync(path.join(dir, "test@1.json"), JSON.stringify(r));
    writeFileSync(
      path.join(dir, "answers.json"),
      JSON.stringify(sheet({ A: full(), B: partial(["a", 1]) })),
    );
    writeFileSync(
      path.join(dir, "bad-answers.json"),
      JSON.stringify(sheet({ A: full(), "E9.9": full() })),
    );
    writeFileSync(path.join(dir, "broken.json"), "{ not json");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) =>
    spawnSync(tsx, ["scripts/score.ts", ...args], { cwd: root, encoding: "utf8", timeout: 30_000 });

  it("prints the breakdown as JSON", () => {
    const res = run(
      "--rubric",
      path.join(dir, "test@1.json"),
      "--answers",
      path.join(dir, "answers.json"),
    );
    expect(res.status).toBe(0);
    const out: unknown = JSON.parse(res.stdout);
    expect(out).toMatchObject({ rubric: "test@1", score: 90, scoreText: "90.0", level: "level1" });
  }, 30_000);

  it("exits 2 with a clear message on bad input", () => {
    const missing = run("--answers", path.join(dir, "answers.json"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("missing --rubric");
    const unreadable = run(
      "--rubric",
      path.join(dir, "test@1.json"),
      "--answers",
      path.join(dir, "nope.json"),
    );
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toContain("file not found");
    const broken = run(
      "--rubric",
      path.join(dir, "test@1.json"),
      "--answers",
      path.join(dir, "broken.json"),
    );
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain("invalid JSON");
    const invalid = run(
      "--rubric",
      path.join(dir, "test@1.json"),
      "--answers",
      path.join(dir, "bad-answers.json"),
    );
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain('bad-answers.json: answers["E9.9"]: unknown item id "E9.9"');
    const badRef = run("--rubric", "Not A Ref", "--answers", path.join(dir, "answers.json"));
    expect(badRef.status).toBe(2);
    expect(badRef.stderr).toContain("expected key@version");
  }, 60_000);
});
