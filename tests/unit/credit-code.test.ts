import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeCheckCharacter,
  CREDIT_CODE_ALPHABET,
  isValidCreditCode,
  normalizeCreditCode,
  validateCreditCode,
} from "~/lib/credit-code";
import { creditCodeSchema } from "~/lib/validation";

// Published codes of real companies (DOMAIN.md §8).
const REAL_CODES = ["914403001922038216", "91110000100010433L"];

/** The same text in full-width forms, as it comes out of Chinese input methods and PDFs. */
const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));

const alphabetChar = fc.constantFrom(...CREDIT_CODE_ALPHABET.split(""));
const body17 = fc
  .array(alphabetChar, { minLength: 17, maxLength: 17 })
  .map((chars) => chars.join(""));
const validCode = body17.map((body) => body + computeCheckCharacter(body));

describe("unified social credit code", () => {
  it.each(REAL_CODES)("accepts the real code %s", (code) => {
    expect(validateCreditCode(code)).toEqual({ ok: true, value: code });
  });

  it("computes the published check characters", () => {
    expect(computeCheckCharacter("91440300192203821")).toBe("6");
    expect(computeCheckCharacter("91110000100010433")).toBe("L");
  });

  it("reports an empty input", () => {
    expect(validateCreditCode("   ")).toEqual({ ok: false, error: { code: "empty" } });
  });

  it.each([
    ["91440300192203821", 17],
    ["9144030019220382161", 19],
    ["9144", 4],
  ])("reports the length of %s", (input, length) => {
    expect(validateCreditCode(input)).toEqual({ ok: false, error: { code: "length", length } });
  });

  it.each([
    // I, O, S, V, Z are not in the alphabet; neither are symbols.
    ["91440300I92203821Z", 9, "I"],
    ["O14403001922038216", 1, "O"],
    ["9144030019220382S6", 17, "S"],
    ["91110000100010433V", 18, "V"],
    ["9111000010001#433L", 14, "#"],
  ])("reports the first bad character of %s", (input, position, character) => {
    expect(validateCreditCode(input)).toEqual({
      ok: false,
      error: { code: "character", position, character },
    });
  });

  it("reports a wrong check character with the expected one", () => {
    expect(validateCreditCode("914403001922038217")).toEqual({
      ok: false,
      error: { code: "checksum", expected: "6", actual: "7" },
    });
    expect(validateCreditCode("91110000100010433K")).toEqual({
      ok: false,
      error: { code: "checksum", expected: "L", actual: "K" },
    });
  });

  it("normalizes lower case, full-width characters and spacing", () => {
    expect(normalizeCreditCode("91110000100010433l")).toBe("91110000100010433L");
    expect(fullWidth("91110000100010433L")).toBe("９１１１００００１０００１０４３３Ｌ");
    expect(normalizeCreditCode(fullWidth("91110000100010433L"))).toBe("91110000100010433L");
    expect(normalizeCreditCode(" 9111 0000-1000 1043 3l\u3000")).toBe("91110000100010433L");
    expect(validateCreditCode(fullWidth("91110000100010433l"))).toEqual({
      ok: true,
      value: "91110000100010433L",
    });
    expect(validateCreditCode("91110000100010433l")).toEqual({
      ok: true,
      value: "91110000100010433L",
    });
  });

  it("encodes the failing position and character for the form message", () => {
    const result = creditCodeSchema.safeParse("91440300I92203821Z");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      "errors.creditCode.character?position=9&character=I",
    );
    expect(creditCodeSchema.safeParse("914403001922038217").error?.issues[0]?.message).toBe(
      "errors.creditCode.checksum?expected=6&actual=7",
    );
    expect(creditCodeSchema.safeParse("123").error?.issues[0]?.message).toBe(
      "errors.creditCode.length?length=3",
    );
    expect(creditCodeSchema.parse("91110000100010433l")).toBe("91110000100010433L");
  });

  describe("properties", () => {
    it("any 17 alphabet characters plus their check character validate", () => {
      fc.assert(
        fc.property(body17, (body) => {
          const code = body + computeCheckCharacter(body);
          expect(validateCreditCode(code)).toEqual({ ok: true, value: code });
        }),
        { numRuns: 2000 },
      );
    });

    it("changing any single character to another alphabet character makes a valid code invalid", () => {
      fc.assert(
        fc.property(
          validCode,
          fc.integer({ min: 0, max: 17 }),
          fc.integer({ min: 1, max: 30 }),
          (code, index, shift) => {
            const original = CREDIT_CODE_ALPHABET.indexOf(code.charAt(index));
            const replacement = CREDIT_CODE_ALPHABET.charAt((original + shift) % 31);
            const mutated = code.slice(0, index) + replacement + code.slice(index + 1);
            expect(mutated).not.toBe(code);
            const result = validateCreditCode(mutated);
            expect(result.ok).toBe(false);
            if (!result.ok) expect(result.error.code).toBe("checksum");
          },
        ),
        { numRuns: 2000 },
      );
    });

    it("the check character is always in the alphabet", () => {
      fc.assert(
        fc.property(body17, (body) => CREDIT_CODE_ALPHABET.includes(computeCheckCharacter(body))),
      );
    });

    it("validation is idempotent under normalization (lower case is accepted as its upper case)", () => {
      fc.assert(
        fc.property(validCode, (code) => {
          expect(isValidCreditCode(code.toLowerCase())).toBe(true);
        }),
      );
    });
  });
});
