/**
 * Enterprise master data as data (Step 12, item 8): GB/T 4754-2017 industry divisions mapped to
 * the rubric industries, the 规上/规下 flag's effect on the rubric proposal, licences and their
 * expiry, and the region digits of a unified social credit code. Pure and client-safe.
 */
import type { IndustryKey, SizeClass } from "./domain";

/** A GB/T 4754-2017 division (门类 section letter + 2-digit 大类) and the rubric industries it may be. */
export type IndustryDivision = { code: string; section: string; zh: string; industries: readonly [IndustryKey, ...IndustryKey[]] };

/**
 * The divisions an enterprise under work-safety grading is usually in; the first industry is the
 * proposal, the others are allowed (e.g. 26 化学原料 may be 化工, 危化 or 烟花爆竹).
 */
export const INDUSTRY_DIVISIONS: readonly IndustryDivision[] = [
  { code: "06", section: "B", zh: "煤炭开采和洗选业", industries: ["mining"] },
  { code: "07", section: "B", zh: "石油和天然气开采业", industries: ["petroleum"] },
  { code: "08", section: "B", zh: "黑色金属矿采选业", industries: ["mining"] },
  { code: "09", section: "B", zh: "有色金属矿采选业", industries: ["mining"] },
  { code: "10", section: "B", zh: "非金属矿采选业", industries: ["mining"] },
  { code: "13", section: "C", zh: "农副食品加工业", industries: ["light"] },
  { code: "14", section: "C", zh: "食品制造业", industries: ["light"] },
  { code: "15", section: "C", zh: "酒、饮料和精制茶制造业", industries: ["light"] },
  { code: "16", section: "C", zh: "烟草制品业", industries: ["tobacco"] },
  { code: "17", section: "C", zh: "纺织业", industries: ["textile"] },
  { code: "18", section: "C", zh: "纺织服装、服饰业", industries: ["textile"] },
  { code: "19", section: "C", zh: "皮革、毛皮、羽毛及其制品和制鞋业", industries: ["light"] },
  { code: "20", section: "C", zh: "木材加工和木、竹、藤、棕、草制品业", industries: ["light"] },
  { code: "21", section: "C", zh: "家具制造业", industries: ["light"] },
  { code: "22", section: "C", zh: "造纸和纸制品业", industries: ["light"] },
  { code: "23", section: "C", zh: "印刷和记录媒介复制业", industries: ["light"] },
  { code: "24", section: "C", zh: "文教、工美、体育和娱乐用品制造业", industries: ["light"] },
  { code: "25", section: "C", zh: "石油、煤炭及其他燃料加工业", industries: ["chemical", "hazchem"] },
  { code: "26", section: "C", zh: "化学原料和化学制品制造业", industries: ["chemical", "hazchem", "fireworks"] },
  { code: "27", section: "C", zh: "医药制造业", industries: ["pharma", "chemical"] },
  { code: "28", section: "C", zh: "化学纤维制造业", industries: ["textile", "chemical"] },
  { code: "29", section: "C", zh: "橡胶和塑料制品业", industries: ["light", "chemical"] },
  { code: "30", section: "C", zh: "非金属矿物制品业", industries: ["building-materials"] },
  { code: "31", section: "C", zh: "黑色金属冶炼和压延加工业", industries: ["metallurgy"] },
  { code: "32", section: "C", zh: "有色金属冶炼和压延加工业", industries: ["nonferrous"] },
  { code: "33", section: "C", zh: "金属制品业", industries: ["machinery"] },
  { code: "34", section: "C", zh: "通用设备制造业", industries: ["machinery"] },
  { code: "35", section: "C", zh: "专用设备制造业", industries: ["machinery"] },
  { code: "36", section: "C", zh: "汽车制造业", industries: ["machinery"] },
  { code: "37", section: "C", zh: "铁路、船舶、航空航天和其他运输设备制造业", industries: ["machinery"] },
  { code: "38", section: "C", zh: "电气机械和器材制造业", industries: ["machinery"] },
  { code: "39", section: "C", zh: "计算机、通信和其他电子设备制造业", industries: ["machinery"] },
  { code: "40", section: "C", zh: "仪器仪表制造业", industries: ["machinery"] },
  { code: "41", section: "C", zh: "其他制造业", industries: ["other"] },
  { code: "44", section: "D", zh: "电力、热力生产和供应业", industries: ["other"] },
  { code: "45", section: "D", zh: "燃气生产和供应业", industries: ["hazchem", "other"] },
  { code: "47", section: "E", zh: "房屋建筑业", industries: ["construction"] },
  { code: "48", section: "E", zh: "土木工程建筑业", industries: ["construction"] },
  { code: "49", section: "E", zh: "建筑安装业", industries: ["construction"] },
  { code: "50", section: "E", zh: "建筑装饰、装修和其他建筑业", industries: ["construction"] },
  { code: "51", section: "F", zh: "批发业", industries: ["commerce", "hazchem", "fireworks"] },
  { code: "52", section: "F", zh: "零售业", industries: ["commerce", "hazchem", "fireworks"] },
  { code: "59", section: "G", zh: "装卸搬运和仓储业", industries: ["commerce", "hazchem"] },
  { code: "61", section: "H", zh: "住宿业", industries: ["commerce"] },
  { code: "62", section: "H", zh: "餐饮业", industries: ["commerce"] },
];
export const INDUSTRY_DIVISION_CODES = INDUSTRY_DIVISIONS.map((d) => d.code);

export function industryDivision(code: string): IndustryDivision | null {
  return INDUSTRY_DIVISIONS.find((d) => d.code === code) ?? null;
}

/** Whether the rubric industry fits the GB/T 4754 division (no division = any industry). */
export function industryFitsDivision(industry: IndustryKey, divisionCode: string): boolean {
  const division = industryDivision(divisionCode);
  return !division || division.industries.includes(industry);
}

/** 规上/规下: above or below the statistical size threshold (≥ 20 million CNY main-business revenue). */
export const SCALE_FLAGS = ["above", "below"] as const;
export type ScaleFlag = (typeof SCALE_FLAGS)[number];

/**
 * The size class the rubric proposal uses: a 规下 (below-threshold) enterprise uses the small/micro
 * standard whatever size class was entered (DOMAIN.md §10).
 */
export function rubricSizeClass(sizeClass: SizeClass, scale: ScaleFlag | null | undefined): SizeClass {
  if (scale === "below" && (sizeClass === "large" || sizeClass === "medium")) return "small";
  return sizeClass;
}

// ---------------------------------------------------------------------------------------------
// Licences

export const LICENCE_TYPES = [
  "safety-production",
  "hazchem-trading",
  "hazchem-use",
  "fireworks-trading",
  "mining",
  "other",
] as const;
export type LicenceType = (typeof LICENCE_TYPES)[number];
export type Licence = { type: LicenceType; number: string; expiresAt: Date };
export type LicenceState = "valid" | "expiring" | "expired";

/** A licence counts as expiring this many days before its expiry. */
export const LICENCE_WARN_DAYS = 30;
const DAY_MS = 86_400_000;

export function licenceState(expiresAt: Date, now: Date, warnDays = LICENCE_WARN_DAYS): LicenceState {
  const left = expiresAt.getTime() - now.getTime();
  if (left < 0) return "expired";
  return left <= warnDays * DAY_MS ? "expiring" : "valid";
}

/** The earliest expiry (stored on the enterprise so the regulator's task list is one indexed query). */
export function nextLicenceExpiry(licences: ReadonlyArray<Pick<Licence, "expiresAt">>): Date | null {
  const times = licences.map((l) => l.expiresAt.getTime()).filter(Number.isFinite);
  return times.length > 0 ? new Date(Math.min(...times)) : null;
}

/**
 * The veto item of each rubric that requires valid licences (证照在有效期内). A licence that
 * expired or is about to raises a warning on that item of the self-assessment.
 */
export const LICENCE_VETO_ITEMS: Readonly<Record<string, string>> = {
  "general-tier3": "E2.1.1",
  "hazchem-tier": "E1.1.1",
  "small-micro": "E1.1.1",
};

export type LicenceWarning = { itemId: string; type: LicenceType; number: string; expiresAt: Date; state: Exclude<LicenceState, "valid"> };

export function licenceWarnings(rubricKey: string, licences: readonly Licence[], now: Date): LicenceWarning[] {
  const itemId = LICENCE_VETO_ITEMS[rubricKey];
  if (!itemId) return [];
  return licences.flatMap((l) => {
    const state = licenceState(l.expiresAt, now);
    return state === "valid" ? [] : [{ itemId, type: l.type, number: l.number, expiresAt: l.expiresAt, state }];
  });
}

// ---------------------------------------------------------------------------------------------
// Credit code region (GB 32100: characters 3–8 are the registering authority's division code)

/** The province the credit code was registered in, or null when the digits name no province (e.g. national). */
export function creditCodeProvince(creditCode: string): string | null {
  const region = creditCode.slice(2, 8);
  if (!/^\d{6}$/.test(region)) return null;
  const province = region.slice(0, 2);
  return /^[1-6]\d$/.test(province) && province !== "10" ? province : null;
}

/** True when the code's region digits name a province other than the district's. */
export function creditCodeRegionMismatch(creditCode: string, districtCode: string): boolean {
  const province = creditCodeProvince(creditCode);
  return province !== null && /^\d{6}$/.test(districtCode) && province !== districtCode.slice(0, 2);
}
