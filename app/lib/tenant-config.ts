/**
 * A tenant's configuration as the platform admin enters it (page) or a script passes it (CLI):
 * one flat, string-valued input, one schema, so both paths validate alike. Pure and client-safe.
 *
 * Region codes follow GB/T 2260: `PP0000` province, `PPCC00` city, `PPCCDD` county/district.
 */
import { z } from "zod";
import { DEFAULT_NUMBER_PATTERN, patternProblems, PROVINCE_ABBREVIATIONS } from "./certificate";
import { msg, requiredText } from "./validation";

export const TENANT_SLUG = /^[a-z0-9][a-z0-9-]{1,39}$/;
export const GRANTABLE_LEVELS = ["level1", "level2", "level3", "qualified"] as const;
export type GrantableLevel = (typeof GRANTABLE_LEVELS)[number];

export type District = { code: string; name: string };
export type YearlyTarget = { year: number; districtCode: string; count: number };

export type TenantConfig = {
  authority: { zh: string; en: string };
  provinceCode: string;
  /** The tenant's own division: the city code, or the province code for a province-level authority. */
  regionCode: string;
  districts: District[];
  settings: {
    certificateNumberPattern: string;
    grantableLevels: GrantableLevel[];
    acceptanceDays: number;
    reviewDays: number;
    publicNoticeDays: number;
    reviewersRequired: number;
    certificateValidYears: number;
    holidays: string[];
    extraWorkdays: string[];
    /** Unset fields fall back to the platform's CREDIT_DEFAULTS (app/lib/credit.ts). */
    credit: { defenceDays?: number; repairAfterMonths?: number; certificateEffect?: "suspend" | "revoke" };
    yearlyTargets: YearlyTarget[];
  };
};

/** The form/CLI field names, all strings (lists are one entry per line or comma-separated). */
export const TENANT_CONFIG_FIELDS = [
  "authorityZh",
  "authorityEn",
  "provinceCode",
  "cityCode",
  "districts",
  "numberPattern",
  "grantableLevels",
  "acceptanceDays",
  "reviewDays",
  "publicNoticeDays",
  "reviewersRequired",
  "certificateValidYears",
  "holidays",
  "extraWorkdays",
  "creditDefenceDays",
  "creditRepairAfterMonths",
  "creditCertificateEffect",
  "targets",
] as const;
export type TenantConfigField = (typeof TENANT_CONFIG_FIELDS)[number];
export type TenantConfigInput = Partial<Record<TenantConfigField | "slug", string>>;

export const TENANT_CONFIG_DEFAULTS: Record<TenantConfigField, string> = {
  authorityZh: "",
  authorityEn: "",
  provinceCode: "",
  cityCode: "",
  districts: "",
  numberPattern: DEFAULT_NUMBER_PATTERN,
  grantableLevels: "level3,qualified",
  acceptanceDays: "5",
  reviewDays: "40",
  publicNoticeDays: "5",
  reviewersRequired: "2",
  certificateValidYears: "3",
  holidays: "",
  extraWorkdays: "",
  creditDefenceDays: "",
  creditRepairAfterMonths: "",
  creditCertificateEffect: "",
  targets: "",
};

const lines = (text: string) =>
  text
    .split(/[\r\n,;，；]+/)
    .map((l) => l.trim())
    .filter(Boolean);

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,4}$/, { error: msg("platform.error.number") })
    .transform(Number)
    .pipe(z.number().min(min, { error: msg("platform.error.min", { min }) }).max(max, { error: msg("platform.error.max", { max }) }));

function isRealDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** An optional whole number: "" = not set (the platform default applies). */
const optionalInt = (min: number, max: number) =>
  z.union([z.literal("").transform(() => undefined), int(min, max)]);

const dateList = z.string().transform((text, ctx) => {
  const dates = lines(text);
  const bad = dates.find((d) => !isRealDate(d));
  if (bad) ctx.addIssue({ code: "custom", message: msg("platform.error.date", { value: bad.slice(0, 20) }) });
  if (dates.length > 200) ctx.addIssue({ code: "custom", message: msg("errors.tooLong", { max: 200 }) });
  return [...new Set(dates)].sort();
});

export function isProvinceCode(code: string): boolean {
  return /^\d{2}0000$/.test(code) && code.slice(0, 2) in PROVINCE_ABBREVIATIONS;
}

/** A county/district code under `parent` (a city `PPCC00` or a province `PP0000`). */
export function isDistrictOf(code: string, parent: string): boolean {
  if (!/^\d{6}$/.test(code) || code.endsWith("00")) return false;
  return parent.endsWith("0000") ? code.startsWith(parent.slice(0, 2)) : code.startsWith(parent.slice(0, 4));
}

/** "510104 锦江区" per line (a tab, space or full-width space between code and name). */
export function parseDistrictLines(text: string): { districts: District[]; bad: string | null } {
  const districts: District[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const m = /^(\d{6})[\s\u3000]+(\S.{0,29})$/.exec(line);
    if (!m?.[1] || !m[2]) return { districts, bad: line.slice(0, 40) };
    districts.push({ code: m[1], name: m[2].trim() });
  }
  return { districts, bad: null };
}

/** "2026 510104 30" per line: year, district code, number of first-time certifications. */
export function parseTargetLines(text: string): { targets: YearlyTarget[]; bad: string | null } {
  const targets: YearlyTarget[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const m = /^(\d{4})[\s\u3000]+(\d{6})[\s\u3000]+(\d{1,6})$/.exec(line);
    if (!m) return { targets, bad: line.slice(0, 40) };
    targets.push({ year: Number(m[1]), districtCode: String(m[2]), count: Number(m[3]) });
  }
  return { targets, bad: null };
}

export const districtLinesOf = (districts: District[]) => districts.map((d) => `${d.code} ${d.name}`).join("\n");
export const targetLinesOf = (targets: YearlyTarget[]) =>
  targets.map((t) => `${t.year} ${t.districtCode} ${t.count}`).join("\n");

const baseSchema = z.object({
  authorityZh: requiredText(60),
  authorityEn: requiredText(120),
  provinceCode: z.string().trim().refine(isProvinceCode, { error: msg("platform.error.province") }),
  cityCode: z.string().trim(),
  districts: z.string().max(20_000, { error: msg("errors.tooLong", { max: 20_000 }) }),
  numberPattern: z
    .string()
    .trim()
    .superRefine((p, ctx) => {
      const problems = patternProblems(p);
      if (problems[0]) ctx.addIssue({ code: "custom", message: msg("platform.error.pattern", { problem: problems[0] }) });
    }),
  grantableLevels: z.string().transform((text, ctx) => {
    const levels = [...new Set(lines(text))];
    const valid = levels.filter((l): l is GrantableLevel => (GRANTABLE_LEVELS as readonly string[]).includes(l));
    if (valid.length === 0 || valid.length !== levels.length)
      ctx.addIssue({ code: "custom", message: msg("platform.error.levels") });
    return GRANTABLE_LEVELS.filter((l) => valid.includes(l));
  }),
  acceptanceDays: int(1, 60),
  reviewDays: int(1, 365),
  publicNoticeDays: int(1, 60),
  reviewersRequired: int(1, 9),
  certificateValidYears: int(1, 10),
  holidays: dateList,
  extraWorkdays: dateList,
  creditDefenceDays: optionalInt(1, 90),
  creditRepairAfterMonths: optionalInt(0, 120),
  creditCertificateEffect: z
    .enum(["", "suspend", "revoke"], { error: msg("errors.invalidChoice") })
    .transform((v) => (v === "" ? undefined : v)),
  targets: z.string().max(50_000, { error: msg("errors.tooLong", { max: 50_000 }) }),
});

function addIssue(ctx: z.RefinementCtx, path: string, message: string) {
  ctx.addIssue({ code: "custom", path: [path], message });
}

/** The whole configuration, cross-field rules included (city under province, districts under city, targets per district). */
export const tenantConfigSchema = baseSchema.transform((v, ctx): TenantConfig => {
  const city = v.cityCode;
  if (city && !(/^\d{4}00$/.test(city) && !city.endsWith("0000") && city.startsWith(v.provinceCode.slice(0, 2))))
    addIssue(ctx, "cityCode", msg("platform.error.city"));
  const regionCode = city || v.provinceCode;
  const { districts, bad } = parseDistrictLines(v.districts);
  if (bad) addIssue(ctx, "districts", msg("platform.error.districtLine", { value: bad }));
  const wrong = districts.find((d) => !isDistrictOf(d.code, regionCode));
  if (wrong) addIssue(ctx, "districts", msg("platform.error.districtCode", { value: wrong.code }));
  const codes = districts.map((d) => d.code);
  if (new Set(codes).size !== codes.length) addIssue(ctx, "districts", msg("platform.error.districtDuplicate"));
  if (districts.length > 300) addIssue(ctx, "districts", msg("errors.tooLong", { max: 300 }));
  const parsedTargets = parseTargetLines(v.targets);
  if (parsedTargets.bad) addIssue(ctx, "targets", msg("platform.error.targetLine", { value: parsedTargets.bad }));
  const known = new Set(codes.length > 0 ? codes : [regionCode]);
  const unknown = parsedTargets.targets.find((t) => !known.has(t.districtCode) || t.year < 2000 || t.year > 2100);
  if (unknown) addIssue(ctx, "targets", msg("platform.error.targetDistrict", { value: unknown.districtCode }));
  const keys = parsedTargets.targets.map((t) => `${t.year}:${t.districtCode}`);
  if (new Set(keys).size !== keys.length) addIssue(ctx, "targets", msg("platform.error.targetDuplicate"));
  return {
    authority: { zh: v.authorityZh, en: v.authorityEn },
    provinceCode: v.provinceCode,
    regionCode,
    districts,
    settings: {
      certificateNumberPattern: v.numberPattern,
      grantableLevels: v.grantableLevels,
      acceptanceDays: v.acceptanceDays,
      reviewDays: v.reviewDays,
      publicNoticeDays: v.publicNoticeDays,
      reviewersRequired: v.reviewersRequired,
      certificateValidYears: v.certificateValidYears,
      holidays: v.holidays,
      extraWorkdays: v.extraWorkdays,
      credit: {
        defenceDays: v.creditDefenceDays,
        repairAfterMonths: v.creditRepairAfterMonths,
        certificateEffect: v.creditCertificateEffect,
      },
      yearlyTargets: parsedTargets.targets,
    },
  };
});

export const tenantSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(TENANT_SLUG, { error: msg("platform.error.slug") })
  .refine((s) => !["platform", "admin", "api", "verify", "new"].includes(s), { error: msg("platform.error.slugReserved") });

/** Fills absent fields with the defaults, so a CLI call names only what it changes. */
export function withDefaults(input: TenantConfigInput): Record<TenantConfigField, string> {
  const out = { ...TENANT_CONFIG_DEFAULTS };
  for (const field of TENANT_CONFIG_FIELDS) {
    const value = input[field];
    if (typeof value === "string") out[field] = value;
  }
  return out;
}

/** The string entries of an unknown value (an action's echoed input). */
export function stringEntries(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}
