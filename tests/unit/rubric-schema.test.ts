import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  listRubricFiles,
  listWeightProfileFiles,
  loadRubricFile,
  loadWeightProfileFile,
  resolveRubricRef,
} from "../../app/lib/rubric/load-files.server";
import type { Rubric } from "../../app/lib/rubric/schema";
import {
  formatPath,
  validateAnswers,
  validateRubric,
  validateWeightProfile,
  weightProfileWarnings,
} from "../../app/lib/rubric/schema";

// Plain JSON-like objects (what a file would contain), mutated per test through `patch`.
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function baseRubric(): { [key: string]: Json } {
  return {
    $schemaVersion: 1,
    key: "demo",
    version: "2025.1",
    title: { zh: "示例", en: "Demo" },
    standard: "GB/T 33000-2016",
    applicability: { industries: ["*"], sizeClasses: ["small", "micro"] },
    totalPoints: 30,
    levels: [
      { key: "level1", name: { zh: "一级" }, minScore: 90 },
      { key: "level2", name: { zh: "二级" }, minScore: 75 },
      { key: "level3", name: { zh: "三级" }, minScore: 60 },
    ],
    vetoPolicy: "ineligible",
    performanceConditions: [{ id: "no-fatal-12m", text: { zh: "无死亡事故" }, failCap: "none" }],
    elements: [
      {
        id: "E1",
        title: { zh: "目标职责" },
        subElements: [
          {
            id: "E1.1",
            title: { zh: "目标" },
            items: [
              {
                id: "E1.1.1",
                text: { zh: "建立目标管理制度" },
                points: 10,
                deductionRules: [
                  { id: "a", text: { zh: "未制定" }, per: "all" },
                  { id: "b", text: { zh: "缺一项" }, per: 2, cap: 6 },
                ],
                naAllowed: false,
                evidenceRequired: true,
                veto: false,
                tags: ["risk-management"],
                guidance: { zh: "查阅文件" },
              },
              { id: "E1.1.2", text: { zh: "分解目标" }, points: 20, naAllowed: true },
            ],
          },
        ],
      },
    ],
  };
}

/** Sets a value at a path inside a JSON object (creating nothing: the path must exist up to the parent). */
function patch(root: Json, pathSegs: Array<string | number>, value: Json | undefined): void {
  let node: Json = root;
  for (const seg of pathSegs.slice(0, -1)) {
    if (Array.isArray(node) && typeof seg === "number") node = node[seg] ?? null;
    else if (
      node !== null &&
      typeof node === "object" &&
      !Array.isArray(node) &&
      typeof seg === "string"
    )
      node = node[seg] ?? null;
    else throw new Error(`bad path ${pathSegs.join(".")}`);
  }
  const last = pathSegs[pathSegs.length - 1];
  if (Array.isArray(node) && typeof last === "number") {
    if (value === undefined) node.splice(last, 1);
    else node[last] = value;
  } else if (
    node !== null &&
    typeof node === "object" &&
    !Array.isArray(node) &&
    typeof last === "string"
  ) {
    if (value === undefined) delete node[last];
    else node[last] = value;
  } else throw new Error(`bad path ${pathSegs.join(".")}`);
}

const ITEM0 = ["elements", 0, "subElements", 0, "items", 0];
const LABEL = "rubrics/demo@2025.1.json";

function errorsOf(mutate: (r: { [key: string]: Json }) => void): string[] {
  const r = baseRubric();
  mutate(r);
  const res = validateRubric(r, LABEL);
  return res.ok ? [] : res.errors;
}

function validRubric(): Rubric {
  const res = validateRubric(baseRubric(), LABEL);
  if (!res.ok) throw new Error(res.errors.join("\n"));
  return res.value;
}

describe("validateRubric", () => {
  it("accepts a valid rubric and fills documented defaults", () => {
    const rubric = validRubric();
    const item = rubric.elements[0]?.subElements[0]?.items[1];
    expect(item).toMatchObject({
      deductionRules: [],
      veto: false,
      evidenceRequired: false,
      tags: [],
      naAllowed: true,
    });
    const noConditions = baseRubric();
    patch(noConditions, ["performanceConditions"], undefined);
    const res = validateRubric(noConditions, LABEL);
    expect(res.ok && res.value.performanceConditions).toEqual([]);
  });

  it("names the file and the JSON path in every message", () => {
    expect(errorsOf((r) => patch(r, [...ITEM0, "points"], 0))).toEqual([
      `${LABEL}: elements[0].subElements[0].items[0].points: must be > 0`,
    ]);
  });

  it.each<[string, (r: { [key: string]: Json }) => void, string]>([
    ["negative points", (r) => patch(r, [...ITEM0, "points"], -1), "items[0].points: must be > 0"],
    [
      "points with 3 decimals",
      (r) => patch(r, [...ITEM0, "points"], 1.005),
      "items[0].points: must have at most 2 decimals",
    ],
    [
      "points as a string",
      (r) => patch(r, [...ITEM0, "points"], "10"),
      "items[0].points: must be a number",
    ],
    [
      "missing points",
      (r) => patch(r, [...ITEM0, "points"], undefined),
      "items[0].points: required (points)",
    ],
    ["unknown key", (r) => patch(r, [...ITEM0, "weight"], 2), "items[0].weight: unknown key"],
    ["unknown top-level key", (r) => patch(r, ["author"], "x"), `${LABEL}: author: unknown key`],
    ["schema version", (r) => patch(r, ["$schemaVersion"], 2), "$schemaVersion: must be 1"],
    ["bad key", (r) => patch(r, ["key"], "Demo Key"), "key: must match [a-z0-9-]+"],
    ["bad version", (r) => patch(r, ["version"], "2025 1"), "version: must match [0-9A-Za-z.-]+"],
    ["blank zh", (r) => patch(r, ["title", "zh"], "  "), "title.zh: must not be blank"],
    [
      "unknown industry",
      (r) => patch(r, ["applicability", "industries"], ["工贸"]),
      'applicability.industries[0]: must be "*" or one of',
    ],
    [
      "star with others",
      (r) => patch(r, ["applicability", "industries"], ["*", "危化"]),
      'applicability.industries: "*" must be the only entry',
    ],
    [
      "bad size class",
      (r) => patch(r, ["applicability", "sizeClasses"], ["huge"]),
      "applicability.sizeClasses[0]: must be one of",
    ],
    [
      "bad veto policy",
      (r) => patch(r, ["vetoPolicy"], "ignore"),
      'vetoPolicy: must be one of "ineligible", "lowest-level"',
    ],
    ["no levels", (r) => patch(r, ["levels"], []), "levels: must have at least one level"],
    [
      "minScore 0",
      (r) => patch(r, ["levels", 2, "minScore"], 0),
      "levels[2].minScore: must be > 0",
    ],
    [
      "minScore > 100",
      (r) => patch(r, ["levels", 0, "minScore"], 100.5),
      "levels[0].minScore: must be ≤ 100",
    ],
    [
      "minScore 2 decimals",
      (r) => patch(r, ["levels", 0, "minScore"], 89.95),
      "levels[0].minScore: must have at most 1 decimal",
    ],
    [
      "levels not decreasing",
      (r) => patch(r, ["levels", 1, "minScore"], 90),
      "levels[1].minScore: must be lower than levels[0].minScore (90)",
    ],
    [
      "duplicate level key",
      (r) => patch(r, ["levels", 2, "key"], "level1"),
      'levels[2].key: duplicate level key "level1" (first at levels[0])',
    ],
    [
      "reserved level key",
      (r) => patch(r, ["levels", 2, "key"], "none"),
      'levels[2].key: "none" is reserved',
    ],
    [
      "unknown failCap",
      (r) => patch(r, ["performanceConditions", 0, "failCap"], "level9"),
      'performanceConditions[0].failCap: must be "none" or a level key (level1, level2, level3), got "level9"',
    ],
    [
      "duplicate item id",
      (r) => patch(r, ["elements", 0, "subElements", 0, "items", 1, "id"], "E1.1.1"),
      'items[1].id: duplicate id "E1.1.1" (first used at elements[0].subElements[0].items[0].id)',
    ],
    [
      "item id equal to element id",
      (r) => patch(r, ["elements", 0, "subElements", 0, "items", 1, "id"], "E1"),
      'items[1].id: duplicate id "E1" (first used at elements[0].id)',
    ],
    [
      "duplicate rule id",
      (r) => patch(r, [...ITEM0, "deductionRules", 1, "id"], "a"),
      'deductionRules[1].id: duplicate rule id "a" in this item',
    ],
    [
      "per 0",
      (r) => patch(r, [...ITEM0, "deductionRules", 1, "per"], 0),
      "deductionRules[1].per: must be > 0",
    ],
    [
      "per some",
      (r) => patch(r, [...ITEM0, "deductionRules", 1, "per"], "some"),
      'deductionRules[1].per: must be "all" or a number > 0',
    ],
    [
      "cap below per",
      (r) => patch(r, [...ITEM0, "deductionRules", 1, "cap"], 1),
      "deductionRules[1].cap: must be ≥ per (2)",
    ],
    [
      "cap above points",
      (r) => patch(r, [...ITEM0, "deductionRules", 1, "cap"], 12),
      "deductionRules[1].cap: must be ≤ the item points (10)",
    ],
    [
      "cap with all",
      (r) => patch(r, [...ITEM0, "deductionRules", 0, "cap"], 10),
      'deductionRules[0].cap: has no effect with per "all"',
    ],
    [
      "total mismatch",
      (r) => patch(r, ["totalPoints"], 31),
      "totalPoints: must equal the sum of all item points (30), got 31",
    ],
    [
      "empty sub-element",
      (r) => patch(r, ["elements", 0, "subElements", 0, "items"], []),
      "subElements[0].items: must have at least one item",
    ],
    [
      "na not boolean",
      (r) => patch(r, [...ITEM0, "naAllowed"], "yes"),
      "items[0].naAllowed: must be true or false",
    ],
  ])("rejects %s", (_name, mutate, expected) => {
    const errors = errorsOf(mutate);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join("\n")).toContain(expected);
    for (const e of errors) expect(e.startsWith(`${LABEL}: `)).toBe(true);
  });

  it("compares the total in hundredths (0.1 + 0.2 == 0.3)", () => {
    const errors = errorsOf((r) => {
      patch(r, [...ITEM0, "points"], 0.1);
      patch(r, [...ITEM0, "deductionRules"], []);
      patch(r, ["elements", 0, "subElements", 0, "items", 1, "points"], 0.2);
      patch(r, ["totalPoints"], 0.3);
    });
    expect(errors).toEqual([]);
    expect(0.1 + 0.2 === 0.3).toBe(false);
  });

  it("reports every structural problem at once", () => {
    const errors = errorsOf((r) => {
      patch(r, [...ITEM0, "points"], 0);
      patch(r, ["levels", 0, "minScore"], 0);
      patch(r, ["vetoPolicy"], "x");
    });
    expect(errors).toHaveLength(3);
  });

  it("rejects non-objects", () => {
    const res = validateRubric("nope", LABEL);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.errors[0]).toMatch(/^rubrics\/demo@2025\.1\.json: \(root\): /);
  });
});

describe("validateWeightProfile", () => {
  const base = () => ({
    $schemaVersion: 1,
    key: "chengdu-2017",
    title: { zh: "成都权重" },
    rules: [
      { tag: "risk-management", weight: 1.5 },
      { element: "E5", weight: 1.2 },
      { item: "E1.1.1", weight: 2 },
    ],
  });
  const LBL = "rubrics/weights/chengdu-2017.json";

  it("accepts a valid profile", () => {
    expect(validateWeightProfile(base(), LBL).ok).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ["weight 0", [{ tag: "x", weight: 0 }], "rules[0].weight: must be > 0"],
    ["4 decimals", [{ tag: "x", weight: 1.0005 }], "rules[0].weight: must have at most 3 decimals"],
    ["too large", [{ tag: "x", weight: 1001 }], "rules[0].weight: must be ≤ 1000"],
    [
      "two selectors",
      [{ tag: "x", element: "E1", weight: 2 }],
      'rules[0]: must have exactly one of "tag", "element", "item"',
    ],
    ["no selector", [{ weight: 2 }], 'rules[0]: must have exactly one of "tag", "element", "item"'],
    [
      "duplicate",
      [
        { tag: "x", weight: 2 },
        { tag: "x", weight: 3 },
      ],
      "rules[1]: duplicate rule for tag:x (first at rules[0])",
    ],
    ["unknown key", [{ tags: "x", weight: 2 }], "rules[0].tags: unknown key"],
  ])("rejects %s", (_name, rules, expected) => {
    const res = validateWeightProfile({ ...base(), rules }, LBL);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.errors.join("\n")).toContain(`${LBL}: ${expected}`);
  });

  it("warns about rules that match nothing in a rubric", () => {
    const res = validateWeightProfile(base(), LBL);
    if (!res.ok) throw new Error(res.errors.join("\n"));
    expect(weightProfileWarnings(validRubric(), res.value)).toEqual([
      'rules[1]: demo@2025.1 has no element "E5" (element rules match first-level elements only)',
    ]);
  });
});

describe("validateAnswers", () => {
  const rubric = validRubric();
  const check = (data: unknown) => validateAnswers(rubric, data, "answers.json");

  it("accepts a valid sheet and defaults count to 1", () => {
    const res = check({
      answers: {
        "E1.1.1": {
          choice: "partial",
          deductions: [
            { rule: "b", note: "缺1项" },
            { rule: "a", count: 0 },
          ],
        },
        "E1.1.2": { choice: "na", naReason: "无此业务" },
      },
      performance: { "no-fatal-12m": true },
    });
    expect(res.ok).toBe(true);
    const a = res.ok ? res.value.answers["E1.1.1"] : undefined;
    expect(a?.choice === "partial" && a.deductions[0]?.count).toBe(1);
    expect(check({ answers: {} }).ok).toBe(true);
  });

  it.each<[string, unknown, string]>([
    [
      "unknown item id",
      { answers: { "E9.9.9": { choice: "full" } } },
      'answers["E9.9.9"]: unknown item id "E9.9.9" in demo@2025.1',
    ],
    [
      "unknown rule id",
      { answers: { "E1.1.1": { choice: "partial", deductions: [{ rule: "z", count: 1 }] } } },
      'answers["E1.1.1"].deductions[0].rule: unknown rule "z" for item E1.1.1 (known: a, b)',
    ],
    [
      "rule on an item without rules",
      { answers: { "E1.1.2": { choice: "partial", deductions: [{ rule: "a" }] } } },
      'answers["E1.1.2"].deductions[0].rule: unknown rule "a" for item E1.1.2 (the item has no deduction rules)',
    ],
    [
      "negative count",
      { answers: { "E1.1.1": { choice: "partial", deductions: [{ rule: "b", count: -1 }] } } },
      'answers["E1.1.1"].deductions[0].count: must be a non-negative integer',
    ],
    [
      "fractional count",
      { answers: { "E1.1.1": { choice: "partial", deductions: [{ rule: "b", count: 1.5 }] } } },
      'answers["E1.1.1"].deductions[0].count: must be a non-negative integer',
    ],
    [
      "duplicate rule",
      { answers: { "E1.1.1": { choice: "partial", deductions: [{ rule: "b" }, { rule: "b" }] } } },
      'answers["E1.1.1"].deductions[1].rule: rule "b" is already listed at deductions[0]; use count instead',
    ],
    [
      "partial without deductions",
      { answers: { "E1.1.1": { choice: "partial", deductions: [] } } },
      'answers["E1.1.1"].deductions: a "partial" answer needs at least one deduction',
    ],
    [
      "na not allowed",
      { answers: { "E1.1.1": { choice: "na", naReason: "x" } } },
      'answers["E1.1.1"].choice: "na" is not allowed for this item (naAllowed is false)',
    ],
    [
      "na without reason",
      { answers: { "E1.1.2": { choice: "na" } } },
      'answers["E1.1.2"].naReason: required (why the item does not apply)',
    ],
    [
      "na with blank reason",
      { answers: { "E1.1.2": { choice: "na", naReason: " " } } },
      'answers["E1.1.2"].naReason: must not be blank',
    ],
    [
      "unknown choice",
      { answers: { "E1.1.2": { choice: "maybe" } } },
      'answers["E1.1.2"].choice: must be one of "full", "partial", "none", "na"',
    ],
    [
      "unknown answer key",
      { answers: { "E1.1.2": { choice: "full", score: 3 } } },
      'answers["E1.1.2"].score: unknown key',
    ],
    [
      "unknown performance id",
      { answers: {}, performance: { "no-such": false } },
      'performance["no-such"]: unknown performance condition id "no-such"',
    ],
    [
      "performance not boolean",
      { answers: {}, performance: { "no-fatal-12m": "yes" } },
      'performance["no-fatal-12m"]: must be true (passed) or false (failed)',
    ],
    ["missing answers", { performance: {} }, "answers: must be an object keyed by item id"],
  ])("rejects %s", (_name, data, expected) => {
    const res = check(data);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.errors.join("\n")).toContain(`answers.json: ${expected}`);
  });
});

describe("formatPath", () => {
  it("renders identifiers with dots and other keys in brackets", () => {
    expect(formatPath([])).toBe("(root)");
    expect(formatPath(["elements", 2, "subElements", 0, "items", 3, "points"])).toBe(
      "elements[2].subElements[0].items[3].points",
    );
    expect(formatPath(["answers", "E1.1.1", "choice"])).toBe('answers["E1.1.1"].choice');
    expect(formatPath(["$schemaVersion"])).toBe("$schemaVersion");
  });
});

describe("file loading", () => {
  it("rejects malformed references", async () => {
    const res = await resolveRubricRef("Not A Ref");
    expect(res.ok).toBe(false);
    expect(!res.ok && res.errors[0]).toContain("expected key@version");
    const missing = await resolveRubricRef(
      "no-such-rubric@0",
      path.join(import.meta.dirname, "no-such-dir"),
    );
    expect(!missing.ok && missing.errors[0]).toContain("file not found");
  });
});

// Data files are written to docs/rubric-format.md by another part of the project; whatever is
// shipped must validate. Skipped (not failed) while the directory has no files yet.
describe("shipped rubric files", async () => {
  const root = path.resolve(import.meta.dirname, "../../rubrics");
  const rubricFiles = existsSync(root) ? await listRubricFiles(root) : [];
  const profileFiles = existsSync(root) ? await listWeightProfileFiles(root) : [];

  it.skipIf(rubricFiles.length === 0).each(rubricFiles.map((f) => [path.basename(f), f]))(
    "%s is valid",
    async (_name, file) => {
      const res = await loadRubricFile(file);
      expect(res.ok ? [] : res.errors).toEqual([]);
    },
  );

  it.skipIf(profileFiles.length === 0).each(profileFiles.map((f) => [path.basename(f), f]))(
    "weights/%s is valid",
    async (_name, file) => {
      const res = await loadWeightProfileFile(file);
      expect(res.ok ? [] : res.errors).toEqual([]);
    },
  );
});
