/**
 * The rubric file format (docs/rubric-format.md) as zod schemas, plus the cross-field checks a
 * schema alone cannot express. Pure: no I/O, so the browser, the server and the CLI scripts share it.
 *
 * Validation runs in two passes: the structural zod parse first, then cross-field checks on the
 * parsed value. The second pass needs a well-formed tree, so it only runs when the first passes.
 * Every message is "<file label>: <json path>: <problem>" so an author can jump straight to it.
 */
import { z } from "zod";
import { POINT_SCALE, hasAtMostDecimals, toHundredths } from "../scoring/decimal";

export const SCHEMA_VERSION = 1;

/** DOMAIN.md §8 industry names; `"*"` (alone) means every industry. */
export const INDUSTRIES = [
  "化工",
  "医药",
  "危化",
  "烟花爆竹",
  "石油开采",
  "金属非金属矿山",
  "冶金",
  "有色",
  "建材",
  "机械",
  "轻工",
  "纺织",
  "烟草",
  "商贸",
  "建筑施工",
  "其他",
] as const;

export const SIZE_CLASSES = ["large", "medium", "small", "micro"] as const;

/** Tags the product knows about (weight profiles may use others; these are just the documented ones). */
export const KNOWN_TAGS = [
  "risk-management",
  "occupational-health",
  "emergency",
  "training",
  "equipment",
  "hazard",
] as const;

/** Keeps every Σ(weight·points) in integer units below 2^53 (see scoring/decimal.ts). */
export const MAX_TOTAL_POINTS = 1_000_000;
export const MAX_WEIGHT = 1000;
export const MAX_DEDUCTION_COUNT = 1_000_000;

/** A level key may not be this: performance conditions use it to mean "no level at all". */
export const FAIL_CAP_NONE = "none";

// ---------------------------------------------------------------------------------------------
// Building blocks

const nonBlank = (what: string) =>
  z
    .string({
      error: (iss) => (iss.input === undefined ? `required (${what})` : "must be a string"),
    })
    .regex(/\S/, { error: "must not be blank" });

/** Names that are object internals in JavaScript: an answer keyed by one would vanish. */
export const RESERVED_IDS = ["__proto__", "constructor", "prototype"] as const;

const idString = nonBlank("an id")
  .regex(/^\S+$/, { error: "must not contain whitespace" })
  .refine((v) => !(RESERVED_IDS as readonly string[]).includes(v), {
    error: `must not be one of ${RESERVED_IDS.join(", ")} (reserved names)`,
  });

const slug = (what: string) =>
  z
    .string({
      error: (iss) => (iss.input === undefined ? `required (${what})` : "must be a string"),
    })
    .regex(/^[a-z0-9-]+$/, { error: "must match [a-z0-9-]+" });

const finiteNumber = (what: string) =>
  z.number({
    error: (iss) => (iss.input === undefined ? `required (${what})` : "must be a number"),
  });

const boolWithDefault = z.boolean({ error: "must be true or false" }).default(false);

export const LocalizedTextSchema = z.strictObject({
  zh: nonBlank("Chinese text"),
  en: z.string({ error: "must be a string" }).optional(),
});
export type LocalizedText = z.output<typeof LocalizedTextSchema>;

const pointsNumber = finiteNumber("points")
  .gt(0, { error: "must be > 0" })
  .refine((v) => hasAtMostDecimals(v, 2), { error: "must have at most 2 decimals" });

const weightNumber = finiteNumber("weight")
  .gt(0, { error: "must be > 0" })
  .max(MAX_WEIGHT, { error: `must be ≤ ${MAX_WEIGHT}` })
  .refine((v) => hasAtMostDecimals(v, 3), { error: "must have at most 3 decimals" });

// ---------------------------------------------------------------------------------------------
// Rubric

export const DeductionRuleSchema = z.strictObject({
  id: idString,
  text: LocalizedTextSchema,
  per: z.union([z.literal("all"), pointsNumber], {
    error: 'must be "all" or a number > 0 with at most 2 decimals',
  }),
  cap: pointsNumber.optional(),
});
export type DeductionRule = z.output<typeof DeductionRuleSchema>;

export const VETO_POLICIES = ["ineligible", "lowest-level"] as const;
export type VetoPolicy = (typeof VETO_POLICIES)[number];

export const RubricItemSchema = z.strictObject({
  id: idString,
  text: LocalizedTextSchema,
  points: pointsNumber,
  deductionRules: z.array(DeductionRuleSchema, { error: "must be an array" }).default([]),
  naAllowed: boolWithDefault,
  evidenceRequired: boolWithDefault,
  veto: boolWithDefault,
  /**
   * A veto item's own policy, overriding the rubric's `vetoPolicy` (e.g. no licence makes the
   * enterprise ineligible even where other vetoes only cap the level). Ignored unless `veto`.
   */
  vetoPolicy: z
    .enum(VETO_POLICIES, {
      error: `must be one of ${VETO_POLICIES.map((p) => `"${p}"`).join(", ")}`,
    })
    .optional(),
  tags: z.array(nonBlank("a tag"), { error: "must be an array of strings" }).default([]),
  guidance: LocalizedTextSchema.optional(),
});
export type RubricItem = z.output<typeof RubricItemSchema>;

export const RubricSubElementSchema = z.strictObject({
  id: idString,
  title: LocalizedTextSchema,
  items: z
    .array(RubricItemSchema, { error: "must be an array" })
    .min(1, { error: "must have at least one item" }),
});
export type RubricSubElement = z.output<typeof RubricSubElementSchema>;

export const RubricElementSchema = z.strictObject({
  id: idString,
  title: LocalizedTextSchema,
  subElements: z
    .array(RubricSubElementSchema, { error: "must be an array" })
    .min(1, { error: "must have at least one sub-element" }),
});
export type RubricElement = z.output<typeof RubricElementSchema>;

export const LevelSchema = z.strictObject({
  key: slug("a level key"),
  name: LocalizedTextSchema,
  // Scores are reported with 1 decimal, so a finer threshold could never be met exactly.
  minScore: finiteNumber("minScore")
    .gt(0, { error: "must be > 0" })
    .max(100, { error: "must be ≤ 100" })
    .refine((v) => hasAtMostDecimals(v, 1), { error: "must have at most 1 decimal" }),
});
export type Level = z.output<typeof LevelSchema>;

export const PerformanceConditionSchema = z.strictObject({
  id: idString,
  text: LocalizedTextSchema,
  failCap: nonBlank('a level key or "none"'),
});
export type PerformanceCondition = z.output<typeof PerformanceConditionSchema>;


export const RubricSchema = z.strictObject({
  $schemaVersion: z.literal(SCHEMA_VERSION, { error: `must be ${SCHEMA_VERSION}` }),
  key: slug("the rubric key"),
  version: z
    .string({
      error: (iss) =>
        iss.input === undefined ? "required (the rubric version)" : "must be a string",
    })
    .regex(/^[0-9A-Za-z.-]+$/, { error: "must match [0-9A-Za-z.-]+" }),
  title: LocalizedTextSchema,
  standard: nonBlank("the standard name"),
  description: LocalizedTextSchema.optional(),
  applicability: z.strictObject({
    industries: z
      .array(
        z.union([z.literal("*"), z.enum(INDUSTRIES)], {
          error: `must be "*" or one of ${INDUSTRIES.join(", ")}`,
        }),
      )
      .min(1, { error: 'must list at least one industry (or "*")' }),
    sizeClasses: z
      .array(z.enum(SIZE_CLASSES, { error: `must be one of ${SIZE_CLASSES.join(", ")}` }))
      .min(1, { error: "must list at least one size class" }),
  }),
  totalPoints: pointsNumber.max(MAX_TOTAL_POINTS, { error: `must be ≤ ${MAX_TOTAL_POINTS}` }),
  levels: z
    .array(LevelSchema, { error: "must be an array" })
    .min(1, { error: "must have at least one level" }),
  vetoPolicy: z.enum(VETO_POLICIES, {
    error: `must be one of ${VETO_POLICIES.map((p) => `"${p}"`).join(", ")}`,
  }),
  performanceConditions: z
    .array(PerformanceConditionSchema, { error: "must be an array" })
    .default([]),
  elements: z
    .array(RubricElementSchema, { error: "must be an array" })
    .min(1, { error: "must have at least one element" }),
});
export type Rubric = z.output<typeof RubricSchema>;
/** What a rubric file may contain before defaults are applied. */
export type RubricInput = z.input<typeof RubricSchema>;

// ---------------------------------------------------------------------------------------------
// Weight profile

export const WeightRuleSchema = z.strictObject({
  tag: nonBlank("a tag").optional(),
  element: idString.optional(),
  item: idString.optional(),
  weight: weightNumber,
});
export type WeightRule = z.output<typeof WeightRuleSchema>;

export const WeightProfileSchema = z.strictObject({
  $schemaVersion: z.literal(SCHEMA_VERSION, { error: `must be ${SCHEMA_VERSION}` }),
  key: slug("the profile key"),
  title: LocalizedTextSchema,
  description: LocalizedTextSchema.optional(),
  rules: z.array(WeightRuleSchema, { error: "must be an array" }),
});
export type WeightProfile = z.output<typeof WeightProfileSchema>;

// ---------------------------------------------------------------------------------------------
// Answers

const optionalNote = z.string({ error: "must be a string" }).optional();

export const AnswerDeductionSchema = z.strictObject({
  rule: idString,
  // Defaults to 1 because "all" rules and one-off findings need no count.
  count: z
    .number({ error: "must be a number" })
    .int({ error: "must be a non-negative integer" })
    .min(0, { error: "must be a non-negative integer" })
    .max(MAX_DEDUCTION_COUNT, { error: `must be ≤ ${MAX_DEDUCTION_COUNT}` })
    .default(1),
  note: optionalNote,
});
export type AnswerDeduction = z.output<typeof AnswerDeductionSchema>;

export const ItemAnswerSchema = z.discriminatedUnion(
  "choice",
  [
    z.strictObject({ choice: z.literal("full"), note: optionalNote }),
    z.strictObject({
      choice: z.literal("partial"),
      deductions: z
        .array(AnswerDeductionSchema, { error: "must be an array" })
        .min(1, { error: 'a "partial" answer needs at least one deduction' }),
      note: optionalNote,
    }),
    z.strictObject({ choice: z.literal("none"), note: optionalNote }),
    z.strictObject({
      choice: z.literal("na"),
      naReason: nonBlank("why the item does not apply"),
      note: optionalNote,
    }),
  ],
  { error: 'must be one of "full", "partial", "none", "na"' },
);
export type ItemAnswer = z.output<typeof ItemAnswerSchema>;
export type AnswerChoice = ItemAnswer["choice"];

export const AnswersSchema = z.strictObject({
  answers: z.record(z.string(), ItemAnswerSchema, { error: "must be an object keyed by item id" }),
  performance: z
    .record(z.string(), z.boolean({ error: "must be true (passed) or false (failed)" }))
    .optional(),
});
/** An answer sheet: item id → answer, plus safety-performance facts (condition id → passed?). */
export type Answers = z.output<typeof AnswersSchema>;
export type AnswersInput = z.input<typeof AnswersSchema>;

// ---------------------------------------------------------------------------------------------
// Results and error formatting

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a path as JS-like accessors: `elements[2].items[0]`, `answers["E1.1.1"].choice`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const s = String(seg);
      if (IDENTIFIER.test(s)) out += out === "" ? s : `.${s}`;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out === "" ? "(root)" : out;
}

function issueMessages(fileLabel: string, issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      // One line per key, and the key in the path, so it reads like every other message.
      for (const key of issue.keys)
        out.push(`${fileLabel}: ${formatPath([...issue.path, key])}: unknown key`);
    } else {
      out.push(`${fileLabel}: ${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return out;
}

class ErrorSink {
  readonly errors: string[] = [];
  constructor(private readonly fileLabel: string) {}
  add(path: ReadonlyArray<PropertyKey>, message: string): void {
    this.errors.push(`${this.fileLabel}: ${formatPath(path)}: ${message}`);
  }
}

function fmtPoints(hundredths: number): string {
  return String(hundredths / POINT_SCALE);
}

// ---------------------------------------------------------------------------------------------
// Rubric cross-field checks

function checkRubric(r: Rubric, sink: ErrorSink): void {
  const industries = r.applicability.industries;
  if (industries.includes("*") && industries.length > 1) {
    sink.add(["applicability", "industries"], '"*" must be the only entry when present');
  }

  const levelKeys = new Map<string, number>();
  r.levels.forEach((level, i) => {
    if (level.key === FAIL_CAP_NONE) {
      sink.add(
        ["levels", i, "key"],
        `"${FAIL_CAP_NONE}" is reserved (it means "no level" in failCap)`,
      );
    }
    const first = levelKeys.get(level.key);
    if (first !== undefined)
      sink.add(
        ["levels", i, "key"],
        `duplicate level key "${level.key}" (first at levels[${first}])`,
      );
    else levelKeys.set(level.key, i);
    const prev = r.levels[i - 1];
    if (prev !== undefined && !(level.minScore < prev.minScore)) {
      sink.add(
        ["levels", i, "minScore"],
        `must be lower than levels[${i - 1}].minScore (${prev.minScore}); levels are ordered best first`,
      );
    }
  });

  const conditionIds = new Map<string, number>();
  r.performanceConditions.forEach((cond, i) => {
    const first = conditionIds.get(cond.id);
    if (first !== undefined) {
      sink.add(
        ["performanceConditions", i, "id"],
        `duplicate condition id "${cond.id}" (first at performanceConditions[${first}])`,
      );
    } else conditionIds.set(cond.id, i);
    if (cond.failCap !== FAIL_CAP_NONE && !levelKeys.has(cond.failCap)) {
      sink.add(
        ["performanceConditions", i, "failCap"],
        `must be "${FAIL_CAP_NONE}" or a level key (${[...levelKeys.keys()].join(", ")}), got "${cond.failCap}"`,
      );
    }
  });

  const ids = new Map<string, string>();
  const claimId = (id: string, path: ReadonlyArray<PropertyKey>) => {
    const first = ids.get(id);
    if (first !== undefined) sink.add(path, `duplicate id "${id}" (first used at ${first})`);
    else ids.set(id, formatPath(path));
  };

  let sumHundredths = 0;
  r.elements.forEach((el, ei) => {
    claimId(el.id, ["elements", ei, "id"]);
    el.subElements.forEach((sub, si) => {
      claimId(sub.id, ["elements", ei, "subElements", si, "id"]);
      sub.items.forEach((item, ii) => {
        const itemPath = ["elements", ei, "subElements", si, "items", ii] as const;
        claimId(item.id, [...itemPath, "id"]);
        const pointsH = toHundredths(item.points);
        sumHundredths += pointsH;
        const ruleIds = new Map<string, number>();
        item.deductionRules.forEach((rule, ri) => {
          const rulePath = [...itemPath, "deductionRules", ri] as const;
          const firstRule = ruleIds.get(rule.id);
          if (firstRule !== undefined) {
            sink.add(
              [...rulePath, "id"],
              `duplicate rule id "${rule.id}" in this item (first at deductionRules[${firstRule}])`,
            );
          } else ruleIds.set(rule.id, ri);
          if (rule.cap === undefined) return;
          if (rule.per === "all") {
            sink.add(
              [...rulePath, "cap"],
              'has no effect with per "all" (the rule already removes all points); remove it',
            );
            return;
          }
          const capH = toHundredths(rule.cap);
          if (capH < toHundredths(rule.per))
            sink.add([...rulePath, "cap"], `must be ≥ per (${rule.per})`);
          if (capH > pointsH)
            sink.add([...rulePath, "cap"], `must be ≤ the item points (${item.points})`);
        });
      });
    });
  });

  const totalH = toHundredths(r.totalPoints);
  if (sumHundredths !== totalH) {
    sink.add(
      ["totalPoints"],
      `must equal the sum of all item points (${fmtPoints(sumHundredths)}), got ${r.totalPoints}`,
    );
  }
}

/** Validates a parsed JSON value as a rubric. `fileLabel` prefixes every message (e.g. the file path). */
export function validateRubric(data: unknown, fileLabel: string): ValidationResult<Rubric> {
  const parsed = RubricSchema.safeParse(data);
  if (!parsed.success) return { ok: false, errors: issueMessages(fileLabel, parsed.error.issues) };
  const sink = new ErrorSink(fileLabel);
  checkRubric(parsed.data, sink);
  return sink.errors.length > 0
    ? { ok: false, errors: sink.errors }
    : { ok: true, value: parsed.data };
}

// ---------------------------------------------------------------------------------------------
// Weight profile cross-field checks

export function validateWeightProfile(
  data: unknown,
  fileLabel: string,
): ValidationResult<WeightProfile> {
  const parsed = WeightProfileSchema.safeParse(data);
  if (!parsed.success) return { ok: false, errors: issueMessages(fileLabel, parsed.error.issues) };
  const sink = new ErrorSink(fileLabel);
  const seen = new Map<string, number>();
  parsed.data.rules.forEach((rule, i) => {
    const selectors: string[] = [];
    if (rule.tag !== undefined) selectors.push(`tag:${rule.tag}`);
    if (rule.element !== undefined) selectors.push(`element:${rule.element}`);
    if (rule.item !== undefined) selectors.push(`item:${rule.item}`);
    const [selector] = selectors;
    if (selector === undefined || selectors.length > 1) {
      sink.add(["rules", i], 'must have exactly one of "tag", "element", "item"');
      return;
    }
    // Two rules for the same target would make the resulting weight depend on file order.
    const first = seen.get(selector);
    if (first !== undefined)
      sink.add(["rules", i], `duplicate rule for ${selector} (first at rules[${first}])`);
    else seen.set(selector, i);
  });
  return sink.errors.length > 0
    ? { ok: false, errors: sink.errors }
    : { ok: true, value: parsed.data };
}

/**
 * Rules of a profile that match nothing in the given rubric. Not an error (a profile is shared by
 * rubrics with different trees) but worth telling the person who applies it.
 */
export function weightProfileWarnings(rubric: Rubric, profile: WeightProfile): string[] {
  const elementIds = new Set<string>();
  const itemIds = new Set<string>();
  const tags = new Set<string>();
  for (const el of rubric.elements) {
    elementIds.add(el.id);
    for (const sub of el.subElements) {
      for (const item of sub.items) {
        itemIds.add(item.id);
        for (const t of item.tags) tags.add(t);
      }
    }
  }
  const warnings: string[] = [];
  profile.rules.forEach((rule, i) => {
    if (rule.tag !== undefined && !tags.has(rule.tag))
      warnings.push(
        `rules[${i}]: no item of ${rubric.key}@${rubric.version} has tag "${rule.tag}"`,
      );
    if (rule.element !== undefined && !elementIds.has(rule.element)) {
      warnings.push(
        `rules[${i}]: ${rubric.key}@${rubric.version} has no element "${rule.element}" (element rules match first-level elements only)`,
      );
    }
    if (rule.item !== undefined && !itemIds.has(rule.item))
      warnings.push(`rules[${i}]: ${rubric.key}@${rubric.version} has no item "${rule.item}"`);
  });
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// Answers cross-field checks

/**
 * Validates an answer sheet against a (valid) rubric: structure, unknown item / rule / performance
 * condition ids, counts, and "na" only where the rubric allows it.
 */
export function validateAnswers(
  rubric: Rubric,
  data: unknown,
  fileLabel = "answers",
): ValidationResult<Answers> {
  const parsed = AnswersSchema.safeParse(data);
  if (!parsed.success) return { ok: false, errors: issueMessages(fileLabel, parsed.error.issues) };
  const sink = new ErrorSink(fileLabel);
  const items = new Map<string, RubricItem>();
  for (const el of rubric.elements)
    for (const sub of el.subElements) for (const item of sub.items) items.set(item.id, item);

  for (const [itemId, answer] of Object.entries(parsed.data.answers)) {
    const item = items.get(itemId);
    if (item === undefined) {
      sink.add(
        ["answers", itemId],
        `unknown item id "${itemId}" in ${rubric.key}@${rubric.version}`,
      );
      continue;
    }
    if (answer.choice === "na" && !item.naAllowed) {
      sink.add(
        ["answers", itemId, "choice"],
        '"na" is not allowed for this item (naAllowed is false)',
      );
    }
    if (answer.choice !== "partial") continue;
    const seenRules = new Map<string, number>();
    answer.deductions.forEach((d, di) => {
      if (!item.deductionRules.some((r) => r.id === d.rule)) {
        const known = item.deductionRules.map((r) => r.id);
        sink.add(
          ["answers", itemId, "deductions", di, "rule"],
          `unknown rule "${d.rule}" for item ${itemId} (${known.length > 0 ? `known: ${known.join(", ")}` : "the item has no deduction rules"})`,
        );
      }
      const first = seenRules.get(d.rule);
      if (first !== undefined) {
        sink.add(
          ["answers", itemId, "deductions", di, "rule"],
          `rule "${d.rule}" is already listed at deductions[${first}]; use count instead`,
        );
      } else seenRules.set(d.rule, di);
    });
  }

  const conditionIds = new Set(rubric.performanceConditions.map((c) => c.id));
  for (const condId of Object.keys(parsed.data.performance ?? {})) {
    if (!conditionIds.has(condId)) {
      sink.add(
        ["performance", condId],
        `unknown performance condition id "${condId}" in ${rubric.key}@${rubric.version}`,
      );
    }
  }
  return sink.errors.length > 0
    ? { ok: false, errors: sink.errors }
    : { ok: true, value: parsed.data };
}
