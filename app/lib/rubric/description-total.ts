/**
 * The total a rubric's description states ("满分1000分", "（1000−不适用项分值）", "1000 points",
 * "(1000 − points of N/A items)") is generated from `totalPoints` when a draft is saved, so a
 * published version never says 1000 while its items add up to 1005.
 */
const NUMBER = String.raw`\d+(?:\.\d+)?`;
const PATTERNS: RegExp[] = [
  new RegExp(String.raw`(满分\s*)(${NUMBER})(\s*分)`, "g"),
  new RegExp(String.raw`([（(]\s*)(${NUMBER})(\s*[−-]\s*(?:不适用|points of N/A))`, "g"),
  new RegExp(String.raw`(^|[\s;；,，])(${NUMBER})( points(?: in total)?(?=\s*[;.,，。；(（]|$))`, "g"),
];

/** Every total the text states, in order. */
export function statedTotals(text: string): number[] {
  const found: number[] = [];
  for (const pattern of PATTERNS) for (const m of text.matchAll(pattern)) found.push(Number(m[2]));
  return found;
}

/** The text with every stated total replaced by `total` (other numbers untouched). */
export function withStatedTotal(text: string, total: number): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, (_m, before: string, _n: string, after: string) => `${before}${total}${after}`);
  return out;
}

type Described = { totalPoints: number; description?: { zh: string; en?: string } };

/** The rubric with its description's stated totals set to its total. */
export function withDescriptionTotal<T extends Described>(rubric: T): T {
  if (!rubric.description) return rubric;
  const { zh, en } = rubric.description;
  return {
    ...rubric,
    description: { ...rubric.description, zh: withStatedTotal(zh, rubric.totalPoints), ...(en === undefined ? {} : { en: withStatedTotal(en, rubric.totalPoints) }) },
  };
}
