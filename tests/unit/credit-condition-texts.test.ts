import { describe, expect, it } from "vitest";
import { credit } from "../../app/i18n/messages/credit";

/** The 2023 listing conditions as 应急管理部令第11号 words them (DOMAIN.md §7). */
describe("2023 credit-list condition texts", () => {
  const zh: Record<string, string> = credit["zh-CN"];
  const en: Record<string, string> = credit.en;

  it("the licence condition speaks of the period while a licence is suspended or revoked (暂扣、吊销期间)", () => {
    expect(zh["credit.condition.c2023_no_licence"]).toBe("未依法取得安全生产相关许可或者在许可被暂扣、吊销期间从事相关生产经营活动");
    expect(zh["credit.condition.c2023_no_licence"]).toContain("暂扣、吊销期间");
    expect(zh["credit.condition.c2023_no_licence"]).not.toContain("注销");
    expect(en["credit.condition.c2023_no_licence"]).toBe("Operating without the required safety licence, or while the licence is suspended or revoked");
  });

  it("the 2–5× fine condition says 罚款 once", () => {
    const text = zh["credit.condition.c2023_serious_accident_fined"] ?? "";
    expect(text).toBe("发生生产安全事故，情节特别严重、影响特别恶劣，依法被处以法定数额2倍以上5倍以下的罚款");
    expect(text.split("罚款").length - 1).toBe(1);
    const enText = en["credit.condition.c2023_serious_accident_fined"] ?? "";
    expect(enText.match(/fine/gi)).toHaveLength(1);
  });
});
