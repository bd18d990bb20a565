import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LOCALES } from "~/i18n";
import { startOfShanghaiDay, shanghaiDay } from "~/lib/certificate";
import { revokeFormInput, revokeFormSchema } from "~/lib/revocation-form";
import {
  REVOCATION_GROUNDS,
  REVOCATION_GROUND_KEYS,
  accidentGrounds,
  normalizeGrounds,
  type AccidentFacts,
} from "~/lib/revocation-grounds";
import { EMAIL_TEMPLATE_NAMES, renderEmail, renderSample } from "../../emails/index";

const AS_OF = new Date("2027-06-30T04:00:00Z");
const accident = (daysAgo: number, f: Partial<AccidentFacts> = {}): AccidentFacts => ({
  occurredAt: new Date(AS_OF.getTime() - daysAgo * 86_400_000),
  deaths: 0,
  seriousInjuries: 0,
  directLoss: 0,
  ...f,
});

describe("revocation grounds as data", () => {
  it("lists the eight grounds of the 2021 rules, each with zh and en text and a legal basis", () => {
    expect(REVOCATION_GROUNDS.map((g) => g.key)).toEqual([...REVOCATION_GROUND_KEYS]);
    expect(REVOCATION_GROUND_KEYS).toHaveLength(8);
    for (const g of REVOCATION_GROUNDS) {
      expect(g.text.zh).toMatch(/\p{Script=Han}/u);
      expect(g.text.en).toMatch(/^[A-Z]/);
      expect(g.basis.zh).toContain("应急〔2021〕83号");
      expect(g.basis.en.length).toBeGreaterThan(10);
      // 撤销, never 吊销, for the certificate; 吊销 of a licence is not a ground text either.
      expect(g.text.zh).not.toContain("吊销");
    }
  });

  it("normalizes picked grounds: known keys only, each once, in the list's order", () => {
    expect(normalizeGrounds(["systemNotRunning", "fatalAccident", "nope", "fatalAccident", 3])).toEqual([
      "fatalAccident",
      "systemNotRunning",
    ]);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...REVOCATION_GROUND_KEYS), fc.string())), (values) => {
        const out = normalizeGrounds(values);
        expect(new Set(out).size).toBe(out.length);
        expect(out.every((k) => values.includes(k))).toBe(true);
      }),
    );
  });
});

describe("accident grounds (totals over 12 months, not per accident)", () => {
  it("a death anywhere in the window is a fatal accident", () => {
    expect(accidentGrounds([accident(300, { deaths: 1 })], AS_OF)).toEqual(["fatalAccident"]);
    // Outside the 12 months it no longer counts.
    expect(accidentGrounds([accident(400, { deaths: 1 })], AS_OF)).toEqual([]);
  });

  it("three serious injuries in total, spread over accidents, meet the threshold; two do not", () => {
    expect(accidentGrounds([accident(10, { seriousInjuries: 2 })], AS_OF)).toEqual([]);
    expect(
      accidentGrounds([accident(10, { seriousInjuries: 2 }), accident(200, { seriousInjuries: 1 })], AS_OF),
    ).toEqual(["accidentTotals"]);
  });

  it("direct loss of 1,000,000 CNY in total meets the threshold; 999,999 does not", () => {
    expect(
      accidentGrounds([accident(5, { directLoss: 600_000 }), accident(50, { directLoss: 399_999 })], AS_OF),
    ).toEqual([]);
    expect(
      accidentGrounds([accident(5, { directLoss: 600_000 }), accident(50, { directLoss: 400_000 })], AS_OF),
    ).toEqual(["accidentTotals"]);
  });

  it("thresholds are data: a tenant's lower bar applies", () => {
    const thresholds = { windowMonths: 6, seriousInjuries: 1, directLoss: 10 };
    expect(accidentGrounds([accident(100, { seriousInjuries: 1 })], AS_OF, thresholds)).toEqual(["accidentTotals"]);
    expect(accidentGrounds([accident(200, { seriousInjuries: 1 })], AS_OF, thresholds)).toEqual([]);
  });
});

describe("the revocation form", () => {
  const form = (fields: Array<[string, string]>) => {
    const data = new FormData();
    for (const [k, v] of fields) data.append(k, v);
    return revokeFormSchema.safeParse(revokeFormInput(data));
  };

  it("needs at least one known ground, the facts and the confirmation", () => {
    const ok = form([
      ["grounds", "fatalAccident"],
      ["grounds", "concealedAccident"],
      ["reason", "2026-05-01 发生一起死亡事故"],
      ["confirm", "on"],
    ]);
    expect(ok.success && ok.data.grounds).toEqual(["fatalAccident", "concealedAccident"]);
    const bad = form([["reason", " "]]);
    expect(bad.success).toBe(false);
    const paths = bad.success ? [] : bad.error.issues.map((i) => [i.path[0], i.message]);
    expect(paths).toEqual(
      expect.arrayContaining([
        ["grounds", "revocation.errors.groundsRequired"],
        ["reason", "errors.reasonRequired"],
        ["confirm", "revocation.errors.confirmRequired"],
      ]),
    );
    expect(form([["grounds", "lostItsWay"], ["reason", "x"], ["confirm", "on"]]).success).toBe(false);
  });
});

describe("wording: 撤销, never 吊销", () => {
  it("no UI message says 吊销, except the legal texts that quote a licence being 吊销", async () => {
    const dir = path.resolve(__dirname, "../../app/i18n/messages");
    const offending: string[] = [];
    let seen = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const mod = (await import(path.join(dir, file))) as Record<string, unknown>;
      for (const catalog of Object.values(mod)) {
        if (!catalog || typeof catalog !== "object") continue;
        for (const [locale, entries] of Object.entries(catalog as Record<string, unknown>)) {
          if (!entries || typeof entries !== "object") continue;
          for (const [key, text] of Object.entries(entries as Record<string, unknown>)) {
            seen += 1;
            // The credit-list conditions quote the law on licences (许可被暂扣、吊销), which is right.
            if (key.startsWith("credit.condition.")) continue;
            if (typeof text === "string" && text.includes("吊销")) offending.push(`${file} ${locale} ${key}`);
          }
        }
      }
    }
    expect(seen).toBeGreaterThan(500);
    expect(offending).toEqual([]);
  });

  it("no email renders 吊销, in either language", () => {
    for (const locale of LOCALES) {
      const ctx = { locale, tenantName: "成都市应急管理局", tenantSlug: "chengdu", appUrl: "http://x" };
      for (const name of EMAIL_TEMPLATE_NAMES) {
        const out = renderSample(name, ctx);
        expect(JSON.stringify(out), name).not.toContain("吊销");
      }
    }
  });

  it("the revocation email names each ground with its basis and the date the enterprise may reapply", () => {
    const data = {
      certificateId: "665f000000000000000000c1",
      number: "川AQBJXⅢ202600001",
      enterpriseName: "成都示例机械有限公司",
      level: { zh: "三级", en: "Level 3" },
      validUntil: "2029-06-30T15:59:59.999Z",
      path: "/t/chengdu/certificates/665f000000000000000000c1",
      reason: "2027-03-02 发生一起死亡事故",
      grounds: ["fatalAccident", "concealedAccident"],
      blockedUntil: "2028-04-01T16:00:00.000Z",
    };
    const zh = renderEmail("certificate-revoked", data, { locale: "zh-CN", tenantName: "成都市应急管理局", tenantSlug: "chengdu", appUrl: "http://x" });
    expect(zh.text).toContain("发生生产安全死亡事故");
    expect(zh.text).toContain("瞒报、谎报生产安全事故");
    expect(zh.text).toContain("应急〔2021〕83号");
    expect(zh.text).toContain("2027-03-02 发生一起死亡事故");
    expect(zh.text).toMatch(/可于 2028.04.02 起重新申请/);
    const en = renderEmail("certificate-revoked", data, { locale: "en", tenantName: "Chengdu EMB", tenantSlug: "chengdu", appUrl: "http://x" });
    expect(en.text).toContain("A work-safety accident with a death");
    expect(en.text).toContain("may apply again from");
    expect(() => renderEmail("certificate-revoked", { ...data, grounds: ["madeUp"] }, { locale: "en", tenantName: "x", tenantSlug: "x", appUrl: "http://x" })).toThrow();
  });
});

describe("the bar ends at the start of a day in China", () => {
  it("startOfShanghaiDay keeps the calendar day and is midnight UTC+8", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2000-01-01"), max: new Date("2090-01-01"), noInvalidDate: true }), (at) => {
        const start = startOfShanghaiDay(at);
        expect(shanghaiDay(start)).toEqual(shanghaiDay(at));
        expect((start.getTime() + 8 * 3_600_000) % 86_400_000).toBe(0);
        expect(start.getTime()).toBeLessThanOrEqual(at.getTime());
      }),
    );
  });
});

