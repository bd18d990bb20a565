/**
 * Scoring benchmarks. `benchScoring()` is collected by the bench runner; `npx tsx bench/scoring.ts`
 * runs it alone and prints a table.
 *
 * The synthetic rubric is built from a fixed seed so numbers are comparable between runs and
 * machines differ only in speed, not in workload.
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  defaultRubricsDir,
  listRubricFiles,
  listWeightProfileFiles,
  loadRubricFile,
  loadWeightProfileFile,
} from "../app/lib/rubric/load-files.server";
import type {
  Answers,
  ItemAnswer,
  Rubric,
  RubricInput,
  WeightProfile,
} from "../app/lib/rubric/schema";
import { validateRubric, validateWeightProfile } from "../app/lib/rubric/schema";
import { compileRubric, scoreAssessment } from "../app/lib/scoring/engine";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

/** mulberry32: tiny, fast, and good enough to make a reproducible workload. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = [
  "risk-management",
  "occupational-health",
  "emergency",
  "training",
  "equipment",
  "hazard",
];

export function syntheticRubric(itemCount: number, seed = 20250101): Rubric {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(rand() * xs.length)];
  const elementsCount = 8;
  const subsPerElement = 4;
  const perSub = Math.ceil(itemCount / (elementsCount * subsPerElement));
  let made = 0;
  let totalH = 0;
  const elements: RubricInput["elements"] = [];
  for (let e = 1; e <= elementsCount; e++) {
    const subElements: RubricInput["elements"][number]["subElements"] = [];
    for (let s = 1; s <= subsPerElement && made < itemCount; s++) {
      const items: RubricInput["elements"][number]["subElements"][number]["items"] = [];
      for (let i = 1; i <= perSub && made < itemCount; i++, made++) {
        // Mostly whole points, some halves, like real scoring rules.
        const pointsH = (1 + Math.floor(rand() * 20)) * 100 + (rand() < 0.2 ? 50 : 0);
        totalH += pointsH;
        const rules: NonNullable<
          RubricInput["elements"][number]["subElements"][number]["items"][number]["deductionRules"]
        > = [{ id: "a", text: { zh: "未建立" }, per: "all" }];
        const nRules = Math.floor(rand() * 3);
        for (let r = 0; r < nRules; r++) {
          const perH = Math.max(50, Math.min(pointsH, 100 * (1 + Math.floor(rand() * 3))));
          rules.push({
            id: `r${r}`,
            text: { zh: `缺失一项 ${r}` },
            per: perH / 100,
            ...(rand() < 0.5 ? { cap: pointsH / 100 } : {}),
          });
        }
        const tag = pick(TAGS);
        items.push({
          id: `E${e}.${s}.${i}`,
          text: { zh: `条款 E${e}.${s}.${i}` },
          points: pointsH / 100,
          deductionRules: rules,
          naAllowed: rand() < 0.3,
          evidenceRequired: rand() < 0.5,
          veto: rand() < 0.01,
          tags: tag === undefined || rand() < 0.5 ? [] : [tag],
        });
      }
      subElements.push({ id: `E${e}.${s}`, title: { zh: `二级要素 ${e}.${s}` }, items });
    }
    elements.push({ id: `E${e}`, title: { zh: `一级要素 ${e}` }, subElements });
  }
  const input: RubricInput = {
    $schemaVersion: 1,
    key: "bench",
    version: "1",
    title: { zh: "基准评分细则" },
    standard: "GB/T 33000-2016",
    applicability: { industries: ["*"], sizeClasses: ["large", "medium", "small", "micro"] },
    totalPoints: totalH / 100,
    levels: [
      { key: "level1", name: { zh: "一级" }, minScore: 90 },
      { key: "level2", name: { zh: "二级" }, minScore: 75 },
      { key: "level3", name: { zh: "三级" }, minScore: 60 },
    ],
    vetoPolicy: "ineligible",
    performanceConditions: [{ id: "no-fatal-12m", text: { zh: "无死亡事故" }, failCap: "none" }],
    elements,
  };
  const res = validateRubric(input, "bench");
  if (!res.ok)
    throw new Error(`synthetic rubric is invalid:\n${res.errors.slice(0, 5).join("\n")}`);
  return res.value;
}

export function syntheticAnswers(rubric: Rubric, seed = 7): Answers {
  const rand = rng(seed);
  const answers: Record<string, ItemAnswer> = {};
  for (const el of rubric.elements) {
    for (const sub of el.subElements) {
      for (const item of sub.items) {
        const x = rand();
        if (x < 0.7) answers[item.id] = { choice: "full" };
        else if (x < 0.85) {
          const rule = item.deductionRules[Math.floor(rand() * item.deductionRules.length)];
          answers[item.id] =
            rule === undefined
              ? { choice: "none" }
              : {
                  choice: "partial",
                  deductions: [
                    { rule: rule.id, count: 1 + Math.floor(rand() * 3), note: "现场发现" },
                  ],
                };
        } else if (x < 0.9) answers[item.id] = { choice: "none" };
        else if (x < 0.95 && item.naAllowed)
          answers[item.id] = { choice: "na", naReason: "不涉及" };
        // else: unanswered
      }
    }
  }
  return { answers, performance: { "no-fatal-12m": true } };
}

function benchProfile(): WeightProfile {
  const res = validateWeightProfile(
    {
      $schemaVersion: 1,
      key: "bench",
      title: { zh: "基准权重" },
      rules: [
        { tag: "risk-management", weight: 1.5 },
        { tag: "occupational-health", weight: 1.5 },
        { element: "E5", weight: 1.2 },
        { item: "E1.1.1", weight: 2 },
      ],
    },
    "bench",
  );
  if (!res.ok) throw new Error(res.errors.join("\n"));
  return res.value;
}

function percentile(sorted: Float64Array, p: number): number {
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

/** Times `fn` once per sample (µs); returns [median, p95]. A sink keeps the result observable. */
function timeEach(fn: () => unknown, warmup: number, runs: number): [number, number] {
  let sink = 0;
  for (let i = 0; i < warmup; i++) if (fn() !== undefined) sink++;
  const samples = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    if (fn() !== undefined) sink++;
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  if (sink < 0) console.log(sink);
  samples.sort();
  return [percentile(samples, 50), percentile(samples, 95)];
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

export async function benchScoring(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const rubric = syntheticRubric(1000);
  const answers = syntheticAnswers(rubric);
  const profile = benchProfile();

  const t0 = process.hrtime.bigint();
  compileRubric(rubric);
  results.push({
    name: "compile 1000-item rubric (once, memoised)",
    value: round(Number(process.hrtime.bigint() - t0) / 1e6, 3),
    unit: "ms",
  });

  const [median, p95] = timeEach(() => scoreAssessment({ rubric, answers }), 2000, 10000);
  results.push({
    name: "score 1000 items, median",
    value: round(median, 1),
    unit: "µs",
    target: "< 200 µs",
  });
  results.push({ name: "score 1000 items, p95", value: round(p95, 1), unit: "µs" });

  const [wMedian, wP95] = timeEach(
    () => scoreAssessment({ rubric, answers, weights: profile }),
    2000,
    10000,
  );
  results.push({
    name: "score 1000 items weighted, median",
    value: round(wMedian, 1),
    unit: "µs",
    target: "< 200 µs",
  });
  results.push({ name: "score 1000 items weighted, p95", value: round(wP95, 1), unit: "µs" });

  const [vMedian] = timeEach(() => validateRubric(rubric, "bench"), 5, 30);
  results.push({
    name: "validate 1000-item rubric (schema + cross checks), median",
    value: round(vMedian / 1000, 2),
    unit: "ms",
  });

  const dir = defaultRubricsDir();
  const files = [...(await listRubricFiles(dir)), ...(await listWeightProfileFiles(dir))];
  const weightsDir = path.join(dir, "weights");
  const l0 = process.hrtime.bigint();
  let invalid = 0;
  for (const file of files) {
    const res =
      path.dirname(file) === weightsDir
        ? await loadWeightProfileFile(file)
        : await loadRubricFile(file);
    if (!res.ok) invalid++;
  }
  const loadMs = Number(process.hrtime.bigint() - l0) / 1e6;
  results.push({
    name: `load + validate shipped rubric files (${files.length} files${invalid > 0 ? `, ${invalid} invalid` : ""})`,
    value: round(loadMs, 2),
    unit: "ms",
  });

  return results;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const results = await benchScoring();
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    console.log(
      `${r.name.padEnd(width)}  ${String(r.value).padStart(10)} ${r.unit.padEnd(3)}${r.target === undefined ? "" : `  (target ${r.target})`}`,
    );
  }
}
