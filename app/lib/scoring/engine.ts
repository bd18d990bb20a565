/**
 * The scoring engine (DOMAIN.md §3–§4). Pure and synchronous.
 *
 * Arithmetic: points are integer hundredths and weights integer thousandths, so every sum is an
 * exact integer; the only division is the final ratio, done by `roundHalfUp` with BigInt. Weight 1
 * everywhere therefore gives exactly the unweighted score, and scaling every weight by the same
 * factor changes nothing.
 *
 * Decisions the domain text leaves open (kept here so the UI and docs can point to one place):
 * - Thresholds are compared with the ROUNDED score (59.95 → 60.0 reaches a 60-point level),
 *   because the rounded score is what is published and what the rules quote.
 * - A deduction with count 0 deducts nothing and is not a veto hit; an "all" rule with count ≥ 1
 *   removes all points of the item whatever the count.
 * - `deductions[].points` is the rule's own deduction before the item floor; the item total is
 *   floored at 0 separately, so these may add up to more than the points the item lost.
 * - Unanswered items score 0 and stay in the denominator; they are reported ("unanswered-items",
 *   effect "info") but do not by themselves block a level. An unanswered veto item is not a veto hit.
 * - `levelsAllowed` (levels the tenant may grant): the level actually reached (after veto and
 *   performance caps) is replaced by the best allowed level that is not better than it; if there
 *   is none, no level ("level-not-allowed"). Unknown keys in the list match nothing.
 * - `toNextLevel` looks at the score only: the next better level than the score level (among the
 *   allowed levels, if given). It is null when there is no score or no better level. Candidates
 *   are the items not at full points, ranked by the weighted score they would add.
 */
import type {
  Answers,
  ItemAnswer,
  LocalizedText,
  Rubric,
  RubricItem,
  VetoPolicy,
  WeightProfile,
} from "../rubric/schema";
import { FAIL_CAP_NONE } from "../rubric/schema";
import {
  WEIGHT_SCALE,
  fromHundredths,
  percentHalfUp,
  roundHalfUp,
  toHundredths,
  toThousandths,
} from "./decimal";

// ---------------------------------------------------------------------------------------------
// Compiled rubric

interface CompiledRule {
  id: string;
  text: LocalizedText;
  /** Hundredths per occurrence, or -1 for "all". */
  perH: number;
  /** Hundredths, or -1 for no cap. */
  capH: number;
}

interface CompiledGroup {
  id: string;
  title: LocalizedText;
  standardH: number;
}

interface CompiledElement extends CompiledGroup {
  /** Range of this element's sub-elements in `subs` (end exclusive). */
  subStart: number;
  subEnd: number;
}

export interface CompiledRubric {
  readonly rubric: Rubric;
  readonly itemCount: number;
  readonly items: ReadonlyArray<RubricItem>;
  readonly itemIds: ReadonlyArray<string>;
  readonly pointsH: Float64Array;
  readonly itemElement: Int32Array;
  readonly itemSub: Int32Array;
  readonly rules: ReadonlyArray<ReadonlyArray<CompiledRule>>;
  /** Items whose id is also a property of Object.prototype ("constructor", …) need an own-property check. */
  readonly protoShadowed: Uint8Array;
  readonly elements: ReadonlyArray<CompiledElement>;
  readonly subs: ReadonlyArray<CompiledGroup>;
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly minTenths: Int32Array;
  readonly levelIndex: ReadonlyMap<string, number>;
  readonly unitWeights: Float64Array;
  readonly weightCache: WeakMap<WeightProfile, Float64Array>;
}

const compiledCache = new WeakMap<Rubric, CompiledRubric>();

/**
 * Precomputes the index the hot loop needs. Memoised by object identity: rubric versions are
 * immutable once published, so mutating a rubric object after compiling it is not supported.
 */
export function compileRubric(rubric: Rubric): CompiledRubric {
  const cached = compiledCache.get(rubric);
  if (cached !== undefined) return cached;

  const items: RubricItem[] = [];
  const itemIds: string[] = [];
  const elementOf: number[] = [];
  const subOf: number[] = [];
  const elements: CompiledElement[] = [];
  const subs: CompiledGroup[] = [];
  rubric.elements.forEach((el, ei) => {
    const subStart = subs.length;
    let elStandard = 0;
    for (const sub of el.subElements) {
      let subStandard = 0;
      for (const item of sub.items) {
        items.push(item);
        itemIds.push(item.id);
        elementOf.push(ei);
        subOf.push(subs.length);
        subStandard += toHundredths(item.points);
      }
      subs.push({ id: sub.id, title: sub.title, standardH: subStandard });
      elStandard += subStandard;
    }
    elements.push({
      id: el.id,
      title: el.title,
      standardH: elStandard,
      subStart,
      subEnd: subs.length,
    });
  });

  const n = items.length;
  const pointsH = new Float64Array(n);
  const protoShadowed = new Uint8Array(n);
  const itemIndex = new Map<string, number>();
  const rules: CompiledRule[][] = [];
  items.forEach((item, i) => {
    pointsH[i] = toHundredths(item.points);
    protoShadowed[i] = item.id in Object.prototype ? 1 : 0;
    itemIndex.set(item.id, i);
    rules.push(
      item.deductionRules.map((r) => ({
        id: r.id,
        text: r.text,
        perH: r.per === "all" ? -1 : toHundredths(r.per),
        capH: r.cap === undefined ? -1 : toHundredths(r.cap),
      })),
    );
  });

  const minTenths = new Int32Array(rubric.levels.length);
  const levelIndex = new Map<string, number>();
  rubric.levels.forEach((level, i) => {
    minTenths[i] = Math.round(level.minScore * 10);
    levelIndex.set(level.key, i);
  });

  const compiled: CompiledRubric = {
    rubric,
    itemCount: n,
    items,
    itemIds,
    pointsH,
    itemElement: Int32Array.from(elementOf),
    itemSub: Int32Array.from(subOf),
    rules,
    protoShadowed,
    elements,
    subs,
    itemIndex,
    minTenths,
    levelIndex,
    unitWeights: new Float64Array(n).fill(WEIGHT_SCALE),
    weightCache: new WeakMap(),
  };
  compiledCache.set(rubric, compiled);
  return compiled;
}

/**
 * Per-item weights in thousandths (docs/rubric-format.md): an `item` rule if one matches; else the
 * MAX of matching `tag` rules; else an `element` rule on the item's first-level element; else 1.
 */
export function resolveItemWeights(compiled: CompiledRubric, profile: WeightProfile): Float64Array {
  const cached = compiled.weightCache.get(profile);
  if (cached !== undefined) return cached;
  const byItem = new Map<string, number>();
  const byTag = new Map<string, number>();
  const byElement = new Map<string, number>();
  for (const rule of profile.rules) {
    const w = toThousandths(rule.weight);
    if (rule.item !== undefined) byItem.set(rule.item, w);
    else if (rule.tag !== undefined) byTag.set(rule.tag, Math.max(w, byTag.get(rule.tag) ?? 0));
    else if (rule.element !== undefined) byElement.set(rule.element, w);
  }
  const weights = new Float64Array(compiled.itemCount);
  compiled.items.forEach((item, i) => {
    let w = byItem.get(item.id);
    if (w === undefined) {
      for (const tag of item.tags) {
        const tw = byTag.get(tag);
        if (tw !== undefined && (w === undefined || tw > w)) w = tw;
      }
    }
    if (w === undefined) {
      const el = compiled.elements[compiled.itemElement[i] ?? -1];
      if (el !== undefined) w = byElement.get(el.id);
    }
    weights[i] = w ?? WEIGHT_SCALE;
  });
  compiled.weightCache.set(profile, weights);
  return weights;
}

// ---------------------------------------------------------------------------------------------
// Result types

export type ReasonCode =
  | "no-applicable-items"
  | "veto"
  | "performance"
  | "below-threshold"
  | "level-not-allowed"
  | "unanswered-items";

/** "blocks": no level because of it; "caps": the level is limited by it; "info": no effect on the level. */
export type ReasonEffect = "blocks" | "caps" | "info";

export type ReasonParam = string | number | null | ReadonlyArray<string>;

/** `code` is a stable i18n key; `params` are the values the message interpolates. */
export interface ScoreReason {
  code: ReasonCode;
  effect: ReasonEffect;
  params: Record<string, ReasonParam>;
}

export interface GroupBreakdown {
  id: string;
  title: LocalizedText;
  /** Points obtained (unweighted). */
  obtained: number;
  /** Standard points of the applicable (not N/A) items. */
  applicable: number;
  /** Standard points of all items. */
  standard: number;
  /** obtained / applicable × 100, half-up to 1 decimal; null when nothing applies. */
  percentage: number | null;
}

export interface ElementBreakdown extends GroupBreakdown {
  subElements: GroupBreakdown[];
}

export interface DeductionEntry {
  itemId: string;
  elementId: string;
  subElementId: string;
  /** "rule": a deduction rule of the item; "none": the item was answered "none" (all points lost). */
  kind: "rule" | "none";
  ruleId: string | null;
  /** The rule's text, or the item's text for "none". */
  text: LocalizedText;
  count: number;
  /** Points this entry deducts before the item floor at 0. */
  points: number;
  note: string | null;
}

export interface VetoEntry {
  itemId: string;
  text: LocalizedText;
}

export interface NextLevelCandidate {
  itemId: string;
  text: LocalizedText;
  /** Score points (weighted, half-up to 2 decimals) the score would gain if this item got full points. */
  gain: number;
  currentObtained: number;
  points: number;
}

export interface NextLevelHint {
  targetLevel: string;
  /** Target minScore − current score, in score points (1 decimal). */
  pointsNeeded: number;
  candidates: NextLevelCandidate[];
}

export interface ScoreBreakdown {
  /** Final (weighted when a profile is given) score, half-up to 1 decimal; null when nothing applies. */
  score: number | null;
  /** Exact decimal form of `score`, e.g. "90.0". */
  scoreText: string | null;
  unweightedScore: number | null;
  unweightedScoreText: string | null;
  /** Level granted: the lower of score level and caps, restricted to `levelsAllowed`. */
  level: string | null;
  /** Level reached by the score alone. */
  scoreLevel: string | null;
  /** Null: no performance condition failed; "none": a failed condition excludes any level; else the capping level key. */
  performanceCap: string | null;
  eligible: boolean;
  reasons: ScoreReason[];
  elements: ElementBreakdown[];
  deductions: DeductionEntry[];
  vetoes: VetoEntry[];
  unanswered: string[];
  toNextLevel: NextLevelHint | null;
  /** items = answered + na + unanswered; "answered" counts full/partial/none answers. */
  counts: { items: number; answered: number; na: number; unanswered: number };
}

export interface ScoreInput {
  rubric: Rubric;
  answers: Answers;
  weights?: WeightProfile | null;
  /** Level keys the tenant may grant; omitted = all levels of the rubric. */
  levelsAllowed?: ReadonlyArray<string> | null;
  /** How many next-level candidates to return (default 10). */
  maxCandidates?: number;
}

/** Raised when answers do not fit the rubric; run `validateAnswers` first to get friendly messages. */
export class ScoringInputError extends Error {
  override readonly name = "ScoringInputError";
}

// ---------------------------------------------------------------------------------------------
// Scoring

const DEFAULT_MAX_CANDIDATES = 10;

function lookupAnswer(
  c: CompiledRubric,
  map: Answers["answers"],
  i: number,
  id: string,
): ItemAnswer | undefined {
  const a = map[id];
  // Only ids like "constructor" could pick up an inherited property; check those few properly.
  if (a !== undefined && c.protoShadowed[i] === 1 && !Object.hasOwn(map, id)) return undefined;
  return a;
}

function groupBreakdown(g: CompiledGroup, obtainedH: number, applicableH: number): GroupBreakdown {
  return {
    id: g.id,
    title: g.title,
    obtained: fromHundredths(obtainedH),
    applicable: fromHundredths(applicableH),
    standard: fromHundredths(g.standardH),
    percentage: applicableH === 0 ? null : percentHalfUp(obtainedH, applicableH).value,
  };
}

function tenthsToNumber(tenths: number): number {
  return tenths / 10;
}

export function scoreAssessment(input: ScoreInput): ScoreBreakdown {
  const { rubric, answers } = input;
  const c = compileRubric(rubric);
  const weights = input.weights ? resolveItemWeights(c, input.weights) : c.unitWeights;
  const maxCandidates = input.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const answerMap = answers.answers;
  const n = c.itemCount;

  const subObtained = new Float64Array(c.subs.length);
  const subApplicable = new Float64Array(c.subs.length);
  const deductions: DeductionEntry[] = [];
  const vetoes: VetoEntry[] = [];
  /** A failed veto item whose policy (its own, else the rubric's) is "ineligible". */
  let ineligibleVeto = false;
  const unanswered: string[] = [];
  const unansweredVeto: string[] = [];
  let naCount = 0;
  let num = 0;
  let den = 0;
  let numW = 0;
  let denW = 0;

  // Top candidates kept sorted best first: (weighted loss desc, id asc). Small K, so insertion is cheapest.
  const candIdx: number[] = [];
  const candLoss: number[] = [];

  for (let i = 0; i < n; i++) {
    const id = c.itemIds[i] ?? "";
    const pts = c.pointsH[i] ?? 0;
    const sub = c.itemSub[i] ?? 0;
    const ans = lookupAnswer(c, answerMap, i, id);
    let obtained = 0;

    if (ans === undefined) {
      unanswered.push(id);
      if (c.items[i]?.veto === true) unansweredVeto.push(id);
    } else if (ans.choice === "na") {
      if (c.items[i]?.naAllowed !== true) {
        throw new ScoringInputError(`item ${id}: "na" is not allowed (naAllowed is false)`);
      }
      naCount++;
      continue;
    } else if (ans.choice === "full") {
      obtained = pts;
    } else if (ans.choice === "none") {
      const item = c.items[i];
      if (item !== undefined) {
        deductions.push({
          itemId: id,
          elementId: c.elements[c.itemElement[i] ?? 0]?.id ?? "",
          subElementId: c.subs[sub]?.id ?? "",
          kind: "none",
          ruleId: null,
          text: item.text,
          count: 1,
          points: fromHundredths(pts),
          note: ans.note ?? null,
        });
        if (item.veto) {
          vetoes.push({ itemId: id, text: item.text });
          if ((item.vetoPolicy ?? rubric.vetoPolicy) === "ineligible") ineligibleVeto = true;
        }
      }
    } else {
      const rules = c.rules[i] ?? [];
      let lost = 0;
      for (const d of ans.deductions) {
        let rule: CompiledRule | undefined;
        for (const r of rules) {
          if (r.id === d.rule) {
            rule = r;
            break;
          }
        }
        if (rule === undefined)
          throw new ScoringInputError(`item ${id}: unknown deduction rule "${d.rule}"`);
        if (d.count === 0) continue;
        let ded = rule.perH < 0 ? pts : rule.perH * d.count;
        if (rule.capH >= 0 && ded > rule.capH) ded = rule.capH;
        lost += ded;
        deductions.push({
          itemId: id,
          elementId: c.elements[c.itemElement[i] ?? 0]?.id ?? "",
          subElementId: c.subs[sub]?.id ?? "",
          kind: "rule",
          ruleId: rule.id,
          text: rule.text,
          count: d.count,
          points: fromHundredths(ded),
          note: d.note ?? null,
        });
      }
      obtained = lost >= pts ? 0 : pts - lost;
      const item = c.items[i];
      if (lost > 0 && item !== undefined && item.veto) {
        vetoes.push({ itemId: id, text: item.text });
        if ((item.vetoPolicy ?? rubric.vetoPolicy) === "ineligible") ineligibleVeto = true;
      }
    }

    const w = weights[i] ?? WEIGHT_SCALE;
    num += obtained;
    den += pts;
    numW += w * obtained;
    denW += w * pts;
    subObtained[sub] = (subObtained[sub] ?? 0) + obtained;
    subApplicable[sub] = (subApplicable[sub] ?? 0) + pts;

    if (obtained < pts && maxCandidates > 0) {
      const loss = w * (pts - obtained);
      let pos = candIdx.length;
      // Walk from the end: most items do not make the list, and they fail the first comparison.
      while (pos > 0) {
        const prevLoss = candLoss[pos - 1] ?? 0;
        const prevId = c.itemIds[candIdx[pos - 1] ?? 0] ?? "";
        if (prevLoss > loss || (prevLoss === loss && prevId < id)) break;
        pos--;
      }
      if (pos < maxCandidates) {
        candIdx.splice(pos, 0, i);
        candLoss.splice(pos, 0, loss);
        if (candIdx.length > maxCandidates) {
          candIdx.pop();
          candLoss.pop();
        }
      }
    }
  }

  if (!Number.isSafeInteger(numW) || !Number.isSafeInteger(denW)) {
    // Unreachable for schema-valid input (see decimal.ts); refuse rather than return a wrong score.
    throw new ScoringInputError(
      "weighted sums exceed the exact integer range; check totalPoints and weights",
    );
  }

  const elements: ElementBreakdown[] = c.elements.map((el) => {
    let eo = 0;
    let ea = 0;
    const subElements: GroupBreakdown[] = [];
    for (let s = el.subStart; s < el.subEnd; s++) {
      const g = c.subs[s];
      if (g === undefined) continue;
      const so = subObtained[s] ?? 0;
      const sa = subApplicable[s] ?? 0;
      eo += so;
      ea += sa;
      subElements.push(groupBreakdown(g, so, sa));
    }
    return { ...groupBreakdown(el, eo, ea), subElements };
  });

  const answeredCount = n - naCount - unanswered.length;
  const counts = { items: n, answered: answeredCount, na: naCount, unanswered: unanswered.length };
  const reasons: ScoreReason[] = [];
  const unansweredReason = (): void => {
    if (unanswered.length > 0) {
      reasons.push({
        code: "unanswered-items",
        effect: "info",
        params: { count: unanswered.length, vetoItemIds: unansweredVeto },
      });
    }
  };

  const levels = rubric.levels;
  const performance = evaluatePerformance(rubric, answers, c);

  if (den === 0) {
    reasons.push({ code: "no-applicable-items", effect: "blocks", params: {} });
    unansweredReason();
    return {
      score: null,
      scoreText: null,
      unweightedScore: null,
      unweightedScoreText: null,
      level: null,
      scoreLevel: null,
      performanceCap: performance.cap,
      eligible: false,
      reasons,
      elements,
      deductions,
      vetoes,
      unanswered,
      toNextLevel: null,
      counts,
    };
  }

  const weighted = percentHalfUp(numW, denW);
  const unweighted = input.weights ? percentHalfUp(num, den) : weighted;
  const scoreTenths = Number(weighted.scaled);

  // Levels are ordered best first, so the first threshold met is the score level.
  let scoreLevelIdx = -1;
  for (let l = 0; l < levels.length; l++) {
    if (scoreTenths >= (c.minTenths[l] ?? Infinity)) {
      scoreLevelIdx = l;
      break;
    }
  }
  const lowestIdx = levels.length - 1;

  let blocked = false;
  let ceiling = scoreLevelIdx;
  if (scoreLevelIdx < 0) {
    const lowest = levels[lowestIdx];
    reasons.push({
      code: "below-threshold",
      effect: "blocks",
      params: {
        score: weighted.value,
        level: lowest?.key ?? null,
        minScore: lowest?.minScore ?? null,
      },
    });
    blocked = true;
  }

  if (vetoes.length > 0) {
    // One failed veto whose policy is "ineligible" (the rubric's or the item's own) blocks.
    const policy: VetoPolicy = ineligibleVeto ? "ineligible" : rubric.vetoPolicy;
    const itemIds = vetoes.map((v) => v.itemId);
    if (policy === "ineligible") {
      reasons.push({ code: "veto", effect: "blocks", params: { policy, itemIds, level: null } });
      blocked = true;
    } else {
      reasons.push({
        code: "veto",
        effect: "caps",
        params: { policy, itemIds, level: levels[lowestIdx]?.key ?? null },
      });
      if (ceiling >= 0 && ceiling < lowestIdx) ceiling = lowestIdx;
    }
  }

  if (performance.failed.length > 0) {
    if (performance.capIdx === Infinity) {
      reasons.push({
        code: "performance",
        effect: "blocks",
        params: { conditionIds: performance.failed, cap: FAIL_CAP_NONE },
      });
      blocked = true;
    } else {
      reasons.push({
        code: "performance",
        effect: "caps",
        params: { conditionIds: performance.failed, cap: performance.cap },
      });
      if (ceiling >= 0 && ceiling < performance.capIdx) ceiling = performance.capIdx;
    }
  }

  const allowed = allowedMask(levels.length, c, input.levelsAllowed);
  let levelIdx = -1;
  if (!blocked && ceiling >= 0) {
    for (let l = ceiling; l < levels.length; l++) {
      if (allowed[l] === 1) {
        levelIdx = l;
        break;
      }
    }
    if (levelIdx !== ceiling) {
      reasons.push({
        code: "level-not-allowed",
        effect: levelIdx < 0 ? "blocks" : "caps",
        params: {
          level: levels[ceiling]?.key ?? null,
          grantedLevel: levelIdx < 0 ? null : (levels[levelIdx]?.key ?? null),
          levelsAllowed: levels.filter((_, l) => allowed[l] === 1).map((lv) => lv.key),
        },
      });
    }
  }
  unansweredReason();

  let toNextLevel: NextLevelHint | null = null;
  for (let l = (scoreLevelIdx < 0 ? levels.length : scoreLevelIdx) - 1; l >= 0; l--) {
    if (allowed[l] !== 1) continue;
    const target = levels[l];
    if (target === undefined) break;
    const candidates: NextLevelCandidate[] = [];
    candIdx.forEach((ci, k) => {
      const item = c.items[ci];
      if (item === undefined) return;
      const pts = c.pointsH[ci] ?? 0;
      const w = weights[ci] ?? WEIGHT_SCALE;
      const loss = candLoss[k] ?? 0;
      candidates.push({
        itemId: item.id,
        text: item.text,
        // BigInt: with the largest points and weights, loss × 100 passes 2^53.
        gain: roundHalfUp(BigInt(loss) * 100n, denW, 2).value,
        currentObtained: fromHundredths(pts - loss / w),
        points: fromHundredths(pts),
      });
    });
    toNextLevel = {
      targetLevel: target.key,
      pointsNeeded: tenthsToNumber((c.minTenths[l] ?? 0) - scoreTenths),
      candidates,
    };
    break;
  }

  const level = levelIdx < 0 ? null : (levels[levelIdx]?.key ?? null);
  return {
    score: weighted.value,
    scoreText: weighted.text,
    unweightedScore: unweighted.value,
    unweightedScoreText: unweighted.text,
    level,
    scoreLevel: scoreLevelIdx < 0 ? null : (levels[scoreLevelIdx]?.key ?? null),
    performanceCap: performance.cap,
    eligible: level !== null,
    reasons,
    elements,
    deductions,
    vetoes,
    unanswered,
    toNextLevel,
    counts,
  };
}

interface PerformanceResult {
  failed: string[];
  /** Index of the capping level; Infinity when a failed condition excludes every level; -1 when nothing failed. */
  capIdx: number;
  cap: string | null;
}

function evaluatePerformance(
  rubric: Rubric,
  answers: Answers,
  c: CompiledRubric,
): PerformanceResult {
  const facts = answers.performance;
  const failed: string[] = [];
  let capIdx = -1;
  for (const cond of rubric.performanceConditions) {
    // Absent means passed: the assessor records failures, not every condition.
    if (facts === undefined || !Object.hasOwn(facts, cond.id) || facts[cond.id] !== false) continue;
    failed.push(cond.id);
    const idx =
      cond.failCap === FAIL_CAP_NONE ? Infinity : (c.levelIndex.get(cond.failCap) ?? Infinity);
    if (idx > capIdx) capIdx = idx;
  }
  const cap =
    capIdx < 0
      ? null
      : capIdx === Infinity
        ? FAIL_CAP_NONE
        : (rubric.levels[capIdx]?.key ?? FAIL_CAP_NONE);
  return { failed, capIdx, cap };
}

function allowedMask(
  count: number,
  c: CompiledRubric,
  levelsAllowed: ReadonlyArray<string> | null | undefined,
): Uint8Array {
  const mask = new Uint8Array(count);
  if (levelsAllowed === undefined || levelsAllowed === null) return mask.fill(1);
  for (const key of levelsAllowed) {
    const idx = c.levelIndex.get(key);
    if (idx !== undefined) mask[idx] = 1;
  }
  return mask;
}
