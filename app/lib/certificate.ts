import { z } from "zod";
import { INDUSTRY_KEYS, type IndustryKey } from "./domain";
import { pageParam } from "./paging";

/**
 * Certificate rules that need no database: the number pattern, validity dates and the status a
 * reader sees. Shared by the server (issuing, jobs) and the pages (labels, colours).
 *
 * Dates follow the calendar in China (Asia/Shanghai, UTC+8 all year, no daylight saving), so a
 * certificate issued on 2026-03-02 in Chengdu is "valid until 2029-03-01" wherever the server runs.
 */

export const CERTIFICATE_STATUSES = ["active", "suspended", "revoked", "expired"] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** What the public verification says. Never just "invalid" (DOMAIN.md §9). */
export const VERIFICATION_STATES = ["VALID", "EXPIRED", "SUSPENDED", "REVOKED"] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];

export const CERTIFICATE_HISTORY_ACTIONS = [
  "issued",
  "suspended",
  "reinstated",
  "revoked",
  "expired",
  "reminder",
  "renewalStarted",
  "renewed",
] as const;
export type CertificateHistoryAction = (typeof CERTIFICATE_HISTORY_ACTIONS)[number];

export const DEFAULT_NUMBER_PATTERN = "{PROV}AQB{IND}{LVL}{YYYY}{SEQ:5}";
export const DEFAULT_VALID_YEARS = 3;
export const DEFAULT_REMINDER_DAYS: readonly number[] = [90, 30];
export const DEFAULT_REVOCATION_BLOCK_MONTHS = 12;
export const DEFAULT_RENEWAL_MONTHS = 3;

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type CalendarDay = { year: number; month: number; day: number };

/** The calendar day in China of an instant (month 1–12). */
export function shanghaiDay(at: Date): CalendarDay {
  const shifted = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}

/** Midnight (start of day) in China of the given calendar day; out-of-range days roll over like Date.UTC. */
function shanghaiMidnight(year: number, monthIndex: number, day: number): number {
  return Date.UTC(year, monthIndex, day) - SHANGHAI_OFFSET_MS;
}

/**
 * Last instant of validity: the end of the day before the anniversary `years` later
 * (issued 2026-03-02 → valid until 2029-03-01 23:59:59.999 China time; a 29 February issue ends
 * on 28 February).
 */
export function validUntilFor(issuedAt: Date, years: number): Date {
  const d = shanghaiDay(issuedAt);
  let anniversary = shanghaiMidnight(d.year + years, d.month - 1, d.day);
  // 29 Feb + n years in a common year: Date.UTC rolls to 1 Mar; the anniversary is then 1 Mar.
  if (d.month === 2 && d.day === 29 && shanghaiDay(new Date(anniversary)).month === 3) {
    anniversary = shanghaiMidnight(d.year + years, 2, 1);
  }
  return new Date(anniversary - 1);
}

/** `at` moved by whole calendar months (day clamped to the target month's length), in China time. */
export function addMonths(at: Date, months: number): Date {
  const d = shanghaiDay(at);
  const timeOfDay = at.getTime() - shanghaiMidnight(d.year, d.month - 1, d.day);
  const targetMonthIndex = d.month - 1 + months;
  const lastDay = new Date(Date.UTC(d.year, targetMonthIndex + 1, 0)).getUTCDate();
  return new Date(shanghaiMidnight(d.year, targetMonthIndex, Math.min(d.day, lastDay)) + timeOfDay);
}

/** Midnight in China at the start of the calendar day of `at`. */
export function startOfShanghaiDay(at: Date): Date {
  const d = shanghaiDay(at);
  return new Date(shanghaiMidnight(d.year, d.month - 1, d.day));
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/** Whole days left until the end of validity (0 on the last day, negative once expired). */
export function daysUntil(validUntil: Date, now: Date): number {
  return Math.floor((validUntil.getTime() - now.getTime()) / DAY_MS);
}

/** The status a reader should see now: an active certificate past its end date is expired even before the job ran. */
export function effectiveStatus(
  cert: { status: CertificateStatus; validUntil: Date | string },
  now: Date,
): CertificateStatus {
  const end = typeof cert.validUntil === "string" ? new Date(cert.validUntil) : cert.validUntil;
  if ((cert.status === "active" || cert.status === "suspended") && now.getTime() > end.getTime())
    return "expired";
  return cert.status;
}

export function verificationState(status: CertificateStatus): VerificationState {
  switch (status) {
    case "active":
      return "VALID";
    case "expired":
      return "EXPIRED";
    case "suspended":
      return "SUSPENDED";
    case "revoked":
      return "REVOKED";
  }
}

/** Tailwind classes per state: colour is a second signal next to the words, never the only one. */
export const STATUS_STYLE: Record<CertificateStatus, { badge: string; panel: string }> = {
  active: {
    badge: "bg-emerald-100 text-emerald-800",
    panel: "border-emerald-300 bg-emerald-50 text-emerald-900",
  },
  suspended: {
    badge: "bg-amber-100 text-amber-900",
    panel: "border-amber-300 bg-amber-50 text-amber-900",
  },
  revoked: { badge: "bg-red-100 text-red-800", panel: "border-red-300 bg-red-50 text-red-900" },
  expired: {
    badge: "bg-slate-200 text-slate-700",
    panel: "border-slate-300 bg-slate-100 text-slate-800",
  },
};

// ---------------------------------------------------------------------------------------------
// Number pattern: literal text plus {YYYY} {YY} {REGION} {PROV} {IND} {LVL} and exactly one {SEQ}
// or {SEQ:n}. The national pattern (2014 rules, still recognised; DOMAIN.md §10) is
// province abbreviation + AQB + industry code + level numeral + year + 5-digit sequence.

/** The default for new tenants and the demo, e.g. 川AQBJXⅢ202600001. */
export const NATIONAL_NUMBER_PATTERN = DEFAULT_NUMBER_PATTERN;

/** Province abbreviations by the first two digits of the GB/T 2260 division code. */
export const PROVINCE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙",
  "21": "辽", "22": "吉", "23": "黑",
  "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁",
  "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
  "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏",
  "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}; // prettier-ignore

/** Two-letter industry codes of certificate numbers (JX 机械, QG 轻工, WH 危化 …). */
export const INDUSTRY_NUMBER_CODES: Readonly<Record<IndustryKey, string>> = {
  chemical: "HG",
  pharma: "YY",
  hazchem: "WH",
  fireworks: "YH",
  petroleum: "SY",
  mining: "KS",
  metallurgy: "YJ",
  nonferrous: "YS",
  "building-materials": "JC",
  machinery: "JX",
  light: "QG",
  textile: "FS",
  tobacco: "YC",
  commerce: "SM",
  construction: "JZ",
  other: "QT",
};

const ROMAN_LEVELS: Readonly<Record<string, string>> = { "1": "Ⅰ", "2": "Ⅱ", "3": "Ⅲ" };

/**
 * The level numeral: level1/2/3 → Ⅰ/Ⅱ/Ⅲ. A small or micro enterprise's "qualified" (达标) grade is
 * granted by the same authority as 三级 and numbered as Ⅲ.
 */
export function levelNumeral(level: string): string {
  const digit = /^level([123])$/.exec(level)?.[1];
  return digit ? (ROMAN_LEVELS[digit] ?? "Ⅲ") : "Ⅲ";
}

export function provinceAbbreviation(regionCode: string): string {
  return PROVINCE_ABBREVIATIONS[regionCode.slice(0, 2)] ?? "";
}

const TOKEN = /\{([A-Z]+)(?::(\d{1,2}))?\}/g;
const PLAIN_TOKENS = new Set(["YYYY", "YY", "REGION", "PROV", "IND", "LVL"]);

export type PatternProblem =
  "noSequence" | "manySequences" | "unknownToken" | "tooLong" | "badCharacter";

export function patternProblems(pattern: string): PatternProblem[] {
  const problems = new Set<PatternProblem>();
  if (pattern.length === 0 || pattern.length > 60) problems.add("tooLong");
  let sequences = 0;
  for (const match of pattern.matchAll(TOKEN)) {
    const [, name, width] = match;
    if (name === "SEQ") sequences++;
    else if (!PLAIN_TOKENS.has(name ?? "") || width !== undefined) problems.add("unknownToken");
  }
  if (sequences === 0) problems.add("noSequence");
  if (sequences > 1) problems.add("manySequences");
  // Braces left after removing the tokens are typos like "{SEQ:5" or "{yyyy}".
  if (/[{}]/.test(pattern.replace(TOKEN, ""))) problems.add("unknownToken");
  if (/[\p{Cc}"<>\\]/u.test(pattern)) problems.add("badCharacter");
  return [...problems];
}

/**
 * The sequence restarts every year when the number shows the year; otherwise it runs on for the
 * tenant (scope 0), so two years can never print the same number. Industry and level in the
 * number do not restart it: one sequence per tenant and year keeps numbers unique and gap-free.
 */
export function sequenceYear(pattern: string, year: number): number {
  return /\{YYYY\}|\{YY\}/.test(pattern) ? year : 0;
}

export type NumberValues = {
  year: number;
  seq: number;
  /** The tenant's GB/T 2260 division code. */
  region: string;
  /** The enterprise's industry, for {IND}. */
  industry?: IndustryKey;
  /** The certified level key, for {LVL}. */
  level?: string;
};

export function formatCertificateNumber(pattern: string, values: NumberValues): string {
  return pattern.replace(TOKEN, (whole, name: string, width: string | undefined) => {
    if (name === "YYYY") return String(values.year).padStart(4, "0");
    if (name === "YY") return String(values.year % 100).padStart(2, "0");
    if (name === "REGION") return values.region;
    if (name === "PROV") return provinceAbbreviation(values.region);
    if (name === "IND") return values.industry ? INDUSTRY_NUMBER_CODES[values.industry] : "QT";
    if (name === "LVL") return levelNumeral(values.level ?? "");
    if (name === "SEQ") return String(values.seq).padStart(width ? Number(width) : 1, "0");
    return whole;
  });
}

/** Verification codes are 16 random bytes in base64url (22 characters). */
export const VERIFY_CODE_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A code as typed or pasted: trims, and accepts a whole verification URL. */
export function normalizeVerifyCode(input: string): string {
  const text = input.trim();
  const fromUrl = /\/verify\/([A-Za-z0-9_-]+)/.exec(text);
  return fromUrl?.[1] ?? text;
}

/** Cells a spreadsheet would run as a formula get a leading apostrophe (CSV injection). */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** List, registry and CSV filters from the URL; anything malformed is ignored rather than an error page. */
export const certificateFilterSchema = z.object({
  q: z.string().trim().max(100).catch(""),
  level: z
    .string()
    .trim()
    .max(40)
    .regex(/^[A-Za-z0-9_-]*$/)
    .catch(""),
  status: z.enum(CERTIFICATE_STATUSES).optional().catch(undefined),
  industry: z.enum(INDUSTRY_KEYS).optional().catch(undefined),
  district: z
    .string()
    .trim()
    .max(12)
    .regex(/^[0-9]*$/)
    .catch(""),
  /** Dashboard links (Step 8): active certificates ending within 30 or 90 days; issued in a year or month. */
  expiring: z.enum(["30", "90"]).optional().catch(undefined),
  issued: z
    .string()
    .regex(/^20\d{2}(-(0[1-9]|1[0-2]))?$/)
    .catch(""),
  page: z.number().int().min(1).catch(1),
});
export type CertificateFilterInput = z.infer<typeof certificateFilterSchema>;

export function parseCertificateFilters(search: URLSearchParams): CertificateFilterInput {
  return certificateFilterSchema.parse({
    q: search.get("q") ?? "",
    level: search.get("level") ?? "",
    status: search.get("status") ?? undefined,
    industry: search.get("industry") ?? undefined,
    district: search.get("district") ?? "",
    expiring: search.get("expiring") ?? undefined,
    issued: search.get("issued") ?? "",
    page: pageParam(search.get("page")),
  });
}

/** The same filters as a query string (for the CSV link and pagination), empty values left out. */
export function filterQuery(filters: Omit<CertificateFilterInput, "page">): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, String(value));
  return params.toString();
}
