/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015.
 * 18 characters from a 31-symbol alphabet (no I, O, S, V, Z); the 18th is a check character.
 */
export const CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export type CreditCodeError =
  | { code: "empty" }
  | { code: "length"; length: number }
  | { code: "character"; position: number; character: string }
  | { code: "checksum"; expected: string; actual: string }
  /** `000000000000000000` has a valid check character but is no one's code (a form filler's placeholder). */
  | { code: "placeholder" };

export type CreditCodeResult = { ok: true; value: string } | { ok: false; error: CreditCodeError };

/** Upper-cases, converts full-width characters and strips spaces, as people paste codes from PDFs. */
export function normalizeCreditCode(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000-]/g, "")
    .toUpperCase();
}

export function computeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) throw new RangeError(`invalid character at position ${i + 1}`);
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CODE_ALPHABET.charAt(check);
}

export function validateCreditCode(input: string): CreditCodeResult {
  const value = normalizeCreditCode(input);
  if (value.length === 0) return { ok: false, error: { code: "empty" } };
  if (value.length !== 18) return { ok: false, error: { code: "length", length: value.length } };
  for (let i = 0; i < 18; i++) {
    const ch = value.charAt(i);
    if (!CREDIT_CODE_ALPHABET.includes(ch)) {
      return { ok: false, error: { code: "character", position: i + 1, character: ch } };
    }
  }
  if (/^0{17}/.test(value)) return { ok: false, error: { code: "placeholder" } };
  const expected = computeCheckCharacter(value.slice(0, 17));
  const actual = value.charAt(17);
  if (expected !== actual) return { ok: false, error: { code: "checksum", expected, actual } };
  return { ok: true, value };
}

export function isValidCreditCode(input: string): boolean {
  return validateCreditCode(input).ok;
}
