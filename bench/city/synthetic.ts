/**
 * Deterministic synthetic values for the city scenario: names, GB 32100 credit codes, a seeded
 * PRNG, and batched inserts through the app's models (validation, defaults and casting included).
 */
import type { Model } from "mongoose";
import { computeCheckCharacter, CREDIT_CODE_ALPHABET } from "../../app/lib/credit-code";

/** A deterministic PRNG (LCG), so every run seeds the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function picker(random: () => number) {
  return <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
}

/** The i-th valid 18-character unified social credit code under a 9-character prefix. */
export function creditCodeFor(i: number, prefix = "91510100"): string {
  let body = "";
  let n = i;
  for (let k = 0; k < 17 - prefix.length; k++) {
    body = CREDIT_CODE_ALPHABET.charAt(n % 31) + body;
    n = Math.floor(n / 31);
  }
  const first17 = `${prefix}${body}`;
  return first17 + computeCheckCharacter(first17);
}

const CITIES = ["成都", "绵阳", "德阳", "宜宾", "泸州", "乐山", "南充", "自贡", "遂宁", "内江"];
/** Name fragments; the credit registry name search looks for pairs of them. */
export const NAME_WORDS = ["蜀新", "锦城", "天府", "金龙", "盛达", "安泰", "恒远", "鑫源", "宏发", "川联", "华西", "巴山"];
export const NAME_KINDS = ["化工", "机械", "建材", "食品", "冶金", "纺织", "物流", "矿业", "燃气", "烟花爆竹"];

/** A realistic company name, unique per i. */
export function companyName(i: number, city?: string): string {
  const c = city ?? CITIES[i % CITIES.length] ?? "";
  const w = NAME_WORDS[Math.floor(i / 7) % NAME_WORDS.length] ?? "";
  const k = NAME_KINDS[Math.floor(i / 3) % NAME_KINDS.length] ?? "";
  return `${c}${w}${k}有限公司第${i}分公司`;
}

/** Name-search fragments that match many companies (word + kind, as a person would type). */
export function nameSearchFragments(count: number): string[] {
  return Array.from({ length: count }, (_, r) => `${NAME_WORDS[r % NAME_WORDS.length] ?? ""}${NAME_KINDS[(r * 3) % NAME_KINDS.length] ?? ""}`);
}

/**
 * Inserts `count` generated documents through the model in batches (`insertMany`: the schema's
 * validation, defaults and timestamps apply, as for documents the app writes itself). `lean`
 * skips that per-document work, for bulk copies of documents the app already wrote or built.
 */
export async function insertGenerated<T>(
  model: Model<T>,
  count: number,
  make: (i: number) => Record<string, unknown>,
  options: { batch?: number; onBatch?: (done: number) => void; lean?: boolean } = {},
): Promise<void> {
  const batch = options.batch ?? 1000;
  for (let start = 0; start < count; start += batch) {
    const docs: Array<Record<string, unknown>> = [];
    for (let i = start; i < Math.min(count, start + batch); i++) docs.push(make(i));
    await model.insertMany(docs, { ordered: false, lean: options.lean ?? false });
    options.onBatch?.(Math.min(count, start + batch));
  }
}
