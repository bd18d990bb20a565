/**
 * Character n-grams for the public credit registry's search (decision 012). Pure.
 *
 * A publication stores `grams`: every distinct 1-, 2- and 3-character substring of its normalised
 * name (`normalizeForSearch`) and the 3-character substrings of its normalised credit code. A
 * search sends ONE of the query's grams as a top-level equality (`{ grams: g }`): FerretDB on
 * PostgreSQL pushes it down as array containment, MongoDB serves it from the multikey index
 * `{ grams: 1 }`. The candidates are then verified in Node (the name contains the whole query, or
 * the code starts with it), so the gram picked only decides how many candidates are read, never
 * what is found.
 */

/** Longest gram stored; a query is looked up by one gram of this length (or its own length). */
export const GRAM_MAX = 3;

/**
 * Characters that occur in most Chinese enterprise names (legal form, branch, administrative
 * divisions). A gram made of fewer of them is likelier to be rare, so the search prefers it.
 */
const COMMON_CHARS = new Set([..."有限公司责任股份集团分厂省市区县第号"]);

function distinctGrams(text: string, sizes: readonly number[], into: Set<string>): void {
  const chars = [...text];
  for (const n of sizes) {
    for (let i = 0; i + n <= chars.length; i++) into.add(chars.slice(i, i + n).join(""));
  }
}

/**
 * The `grams` of a publication from its normalised name and code (`creditSearchFields`): name
 * grams of 1..3 characters, code grams of 3 (a code is looked up whole or by a prefix of ≥ 3).
 */
export function creditGrams(search: { name: string; code: string }): string[] {
  const grams = new Set<string>();
  distinctGrams(search.name, [1, 2, 3], grams);
  distinctGrams(search.code, [GRAM_MAX], grams);
  return [...grams];
}

/**
 * The one gram a (normalised, non-empty) query is looked up by: a gram of min(3, length)
 * characters with the fewest common characters; ties go to the first one for a name and to the
 * last one for a code-like query (codes of one region share their leading characters).
 */
export function pickQueryGram(text: string, codeLike: boolean): string {
  const chars = [...text];
  const n = Math.min(GRAM_MAX, chars.length);
  const candidates: string[] = [];
  for (let i = 0; i + n <= chars.length; i++) candidates.push(chars.slice(i, i + n).join(""));
  if (codeLike) candidates.reverse();
  let best = candidates[0] ?? text;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const gram of candidates) {
    let score = 0;
    for (const ch of gram) if (COMMON_CHARS.has(ch)) score += 1;
    if (score < bestScore) {
      best = gram;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Whether a candidate really matches: its name contains the query, or, for a code-like query of at
 * least 3 characters (the code grams' length), its code starts with it.
 */
export function matchesCreditQuery(search: { name: string; code: string }, text: string, codeLike: boolean): boolean {
  if (search.name.includes(text)) return true;
  return codeLike && [...text].length >= GRAM_MAX && search.code.startsWith(text);
}
