import { describe, expect, it } from "vitest";
import { isDistrictOf, isProvinceCode, parseDistrictLines, parseTargetLines, tenantConfigSchema, withDefaults } from "~/lib/tenant-config";

const base = { authorityZh: "成都市应急管理局", authorityEn: "Chengdu EMB", provinceCode: "510000", cityCode: "510100" };

describe("tenant configuration", () => {
  it("checks GB/T 2260 codes: province, city in province, district in city", () => {
    expect(isProvinceCode("510000")).toBe(true);
    expect(isProvinceCode("990000")).toBe(false);
    expect(isProvinceCode("510100")).toBe(false);
    expect(isDistrictOf("510104", "510100")).toBe(true);
    expect(isDistrictOf("510704", "510100")).toBe(false);
    expect(isDistrictOf("510100", "510100")).toBe(false);
    expect(isDistrictOf("510704", "510000")).toBe(true);
  });

  it("parses district and target lines and reports the first bad line", () => {
    expect(parseDistrictLines("510104 锦江区\n\n510105\u3000青羊区").districts).toEqual([
      { code: "510104", name: "锦江区" },
      { code: "510105", name: "青羊区" },
    ]);
    expect(parseDistrictLines("锦江区 510104").bad).toBe("锦江区 510104");
    expect(parseTargetLines("2026 510104 30").targets).toEqual([{ year: 2026, districtCode: "510104", count: 30 }]);
    expect(parseTargetLines("2026 510104 -3").bad).toBe("2026 510104 -3");
  });

  it("fills defaults and validates across fields", () => {
    const ok = tenantConfigSchema.safeParse(withDefaults({ ...base, districts: "510104 锦江区", targets: "2026 510104 5" }));
    expect(ok.success).toBe(true);
    if (ok.success) {
      expect(ok.data.regionCode).toBe("510100");
      expect(ok.data.settings.grantableLevels).toEqual(["level3", "qualified"]);
      expect(ok.data.settings.certificateNumberPattern).toBe("{PROV}AQB{IND}{LVL}{YYYY}{SEQ:5}");
    }
    const cityElsewhere = tenantConfigSchema.safeParse(withDefaults({ ...base, cityCode: "440300" }));
    expect(cityElsewhere.success).toBe(false);
    const dup = tenantConfigSchema.safeParse(withDefaults({ ...base, districts: "510104 锦江区\n510104 锦江区" }));
    expect(dup.success).toBe(false);
    const province = tenantConfigSchema.safeParse(withDefaults({ ...base, cityCode: "", districts: "510704 游仙区" }));
    expect(province.success && province.data.regionCode).toBe("510000");
  });
});
