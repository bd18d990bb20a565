/**
 * Character n-grams and code prefixes for the public credit registry's search (decisions 012, 033).
 * Pure.
 *
 * A publication stores `grams`: every distinct 1-, 2- and 3-character substring of its normalised
 * name (`normalizeForSearch`), and `codePrefixes`: the prefixes of 3 to 17 characters of its
 * normalised credit code (18 characters is `searchCode`). A name search sends ONE of the query's
 * grams as a top-level equality (`{ grams: g }`): FerretDB on PostgreSQL pushes it down as array
 * containment, MongoDB serves it from the multikey index `{ grams: 1 }`; the candidates are then
 * verified in Node (the name contains the whole query), so the gram picked only decides how many
 * candidates are read, never what is found. A code prefix is one exact `{ codePrefixes: p }`:
 * every document it reads matches.
 */

/** Longest gram stored; a query is looked up by one gram of this length (or its own length). */
export const GRAM_MAX = 3;

/**
 * Characters that occur in most Chinese enterprise names (legal form, branch, administrative
 * divisions). A gram made of fewer of them is likelier to be rare, so the search prefers it.
 */
const COMMON_CHARS = new Set([..."有限公司责任股份集团分厂省市区县第号"]);

/** How many of a gram's characters are common in enterprise names (fewer = likelier rare). */
export function commonCharCount(gram: string): number {
  let count = 0;
  for (const ch of gram) if (COMMON_CHARS.has(ch)) count += 1;
  return count;
}

function distinctGrams(text: string, sizes: readonly number[], into: Set<string>): void {
  const chars = [...text];
  for (const n of sizes) {
    for (let i = 0; i + n <= chars.length; i++) into.add(chars.slice(i, i + n).join(""));
  }
}

/** The `grams` of a publication: the 1..3-character pieces of its normalised name. */
export function creditGrams(name: string): string[] {
  const grams = new Set<string>();
  distinctGrams(name, [1, 2, 3], grams);
  return [...grams];
}

/** Shortest code prefix looked up (a shorter code-like query is searched in names only). */
export const CODE_PREFIX_MIN = 3;
/** A whole code (`searchCode`) is this long; prefixes stop one short of it. */
export const CODE_LENGTH = 18;

/** The `codePrefixes` of a publication: its normalised code's prefixes of 3 to 17 characters. */
export function creditCodePrefixes(code: string): string[] {
  const chars = [...code];
  const prefixes: string[] = [];
  for (let n = CODE_PREFIX_MIN; n < Math.min(chars.length + 1, CODE_LENGTH); n++) prefixes.push(chars.slice(0, n).join(""));
  return prefixes;
}

/**
 * The one gram a (normalised, non-empty) query's name read uses: a gram of min(3, length)
 * characters with the fewest common characters; ties go to the first one.
 */
export function pickQueryGram(text: string): string {
  const chars = [...text];
  const n = Math.min(GRAM_MAX, chars.length);
  let best = text;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let i = 0; i + n <= chars.length; i++) {
    const gram = chars.slice(i, i + n).join("");
    const score = commonCharCount(gram);
    if (score < bestScore) {
      best = gram;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Whether a candidate really matches: its name contains the query, or, for a code-like query of at
 * least 3 characters (the shortest stored prefix), its code starts with it.
 */
export function matchesCreditQuery(search: { name: string; code: string }, text: string, codeLike: boolean): boolean {
  if (search.name.includes(text)) return true;
  return codeLike && [...text].length >= CODE_PREFIX_MIN && search.code.startsWith(text);
}

/**
 * Whether a code-like text can only be the start of a unified social credit code (GB 32100-2015):
 * at least 8 characters whose 3rd to 8th are the six digits of the registering administrative
 * division. No enterprise name starts that way, so such a query reads code prefixes only (a name
 * read of its digits would read thousands of candidates for nothing: 3 s at 100,000 publications).
 */
export function isCodePrefixOnly(text: string): boolean {
  return text.length >= 8 && /^[0-9A-Z]{2}\d{6}/.test(text);
}
