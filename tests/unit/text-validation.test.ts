/** Free text and credit codes (issue 15): control and bidi characters refused, the all-zero code refused. */
import { describe, expect, it } from "vitest";
import { creditDraftSchema } from "~/workflows/credit-input";
import { validateCreditCode } from "~/lib/credit-code";
import { creditCodeSchema, enterpriseFieldsSchema, fieldErrors, reasonSchema, textProblem } from "~/lib/validation";

const enterprise = {
  name: "天府机械制造有限公司",
  creditCode: "91510100MA61RL4G0J",
  industry: "machinery",
  sizeClass: "medium",
  districtCode: "510104",
};

describe("free text", () => {
  it("refuses C0 controls, DEL and bidi overrides/isolates; multi-line fields keep tab and newlines", () => {
    expect(textProblem("成都 天府 Co. 1")).toBeNull();
    expect(textProblem("a\u0000b")).toBe("errors.text.control");
    expect(textProblem("a\u007Fb")).toBe("errors.text.control");
    expect(textProblem("a\nb")).toBe("errors.text.control");
    expect(textProblem("a\tb\r\nc", true)).toBeNull();
    expect(textProblem("a\u0000b", true)).toBe("errors.text.control");
    for (const ch of ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      expect(textProblem(`公司${ch}名`)).toBe("errors.text.bidi");
      expect(textProblem(`公司${ch}名`, true)).toBe("errors.text.bidi");
    }
    expect(textProblem("\u200F\u2065\u206A")).toBeNull();
  });

  it("enterprise names and addresses, credit-subject names and facts, reasons: a field error each", () => {
    expect(enterpriseFieldsSchema.safeParse(enterprise).success).toBe(true);
    const named = enterpriseFieldsSchema.safeParse({ ...enterprise, name: "天府\u202Egnp.exe", address: "成都\u0000" });
    expect(named.success).toBe(false);
    if (!named.success) expect(fieldErrors(named.error)).toMatchObject({ name: "errors.text.bidi", address: "errors.text.control" });

    const draft = creditDraftSchema.safeParse({
      subjectName: "锦程\u0007化工",
      creditCode: enterprise.creditCode,
      subjectType: "enterprise",
      listType: "serious",
      conditionKey: "x",
      facts: "第一行\n第二行\t缩进",
      legalBasis: "依据",
      authority: "成都市应急管理局",
    });
    expect(draft.success).toBe(false);
    if (!draft.success) {
      const errors = fieldErrors(draft.error);
      expect(errors.subjectName).toBe("errors.text.control");
      expect(errors.facts).toBeUndefined();
    }
    expect(reasonSchema.safeParse("原因：\n现场不符").success).toBe(true);
    expect(reasonSchema.safeParse("原因\u2066").error?.issues[0]?.message).toBe("errors.text.bidi");
  });
});

describe("credit code", () => {
  it("refuses 000000000000000000 although its check character fits", () => {
    expect(validateCreditCode("000000000000000000")).toEqual({ ok: false, error: { code: "placeholder" } });
    expect(creditCodeSchema.safeParse("000000000000000000").error?.issues[0]?.message).toBe("errors.creditCode.placeholder");
    expect(validateCreditCode(enterprise.creditCode).ok).toBe(true);
  });
});
