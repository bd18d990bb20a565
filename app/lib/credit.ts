/**
 * Work-safety credit lists (失信/黑名单, DOMAIN.md §7): list types, listing conditions, states and
 * the normalisation used by the public search. Shared by the server, the UI and the tests.
 */

/** The 2023 serious-dishonesty list; the 2017 list is kept as a type for historical records. */
export const CREDIT_LIST_TYPES = ["serious2023", "dishonest2017"] as const;
export type CreditListType = (typeof CREDIT_LIST_TYPES)[number];

export const CREDIT_SUBJECT_TYPES = ["enterprise", "serviceBody", "person"] as const;
export type CreditSubjectType = (typeof CREDIT_SUBJECT_TYPES)[number];

/**
 * Listing conditions as data: the 9 conditions of 应急管理部令第11号 (2023) and the 2017 rules'
 * kinds of conduct. Labels live in the i18n catalog under `credit.condition.<key>`.
 * A tenant may restrict the offered set (`settings.credit.conditions`); records keep their key.
 */
export const CREDIT_CONDITIONS: ReadonlyArray<{ key: string; listType: CreditListType }> = [
  { key: "c2023_major_accident", listType: "serious2023" },
  { key: "c2023_repeat_larger_accidents", listType: "serious2023" },
  { key: "c2023_serious_accident_fined", listType: "serious2023" },
  { key: "c2023_concealed_accident", listType: "serious2023" },
  { key: "c2023_principal_fled", listType: "serious2023" },
  { key: "c2023_no_licence", listType: "serious2023" },
  { key: "c2023_service_false_report", listType: "serious2023" },
  { key: "c2023_refused_penalty", listType: "serious2023" },
  { key: "c2023_other_egregious", listType: "serious2023" },
  { key: "c2017_liability_accident", listType: "dishonest2017" },
  { key: "c2017_no_licence", listType: "dishonest2017" },
  { key: "c2017_hazard_unfixed", listType: "dishonest2017" },
  { key: "c2017_obstructed_inspection", listType: "dishonest2017" },
  { key: "c2017_operating_when_stopped", listType: "dishonest2017" },
  { key: "c2017_concealed_accident", listType: "dishonest2017" },
  { key: "c2017_service_false_report", listType: "dishonest2017" },
  { key: "c2017_other", listType: "dishonest2017" },
];
export const CREDIT_CONDITION_KEYS = CREDIT_CONDITIONS.map((c) => c.key);

/**
 * Top-level status of a record (the first segment of its machine state). Only `published`
 * records are shown to the public; `removed` ones stay in the regulator's archive.
 */
export const CREDIT_STATUSES = [
  "draft",
  "notified",
  "defenceReceived",
  "decided",
  "dropped",
  "published",
  "removed",
] as const;
export type CreditStatus = (typeof CREDIT_STATUSES)[number];

export const CREDIT_REMOVAL_REASONS = ["expired", "repaired"] as const;
export type CreditRemovalReason = (typeof CREDIT_REMOVAL_REASONS)[number];

/** Defaults; a tenant overrides them in `settings.credit`. */
export const CREDIT_DEFAULTS = {
  /** Days the subject has to state a defence after the notice (陈述申辩). */
  defenceDays: 7,
  /** Listing period by list type, in months. */
  periodMonths: { serious2023: 36, dishonest2017: 12 } satisfies Record<CreditListType, number>,
  /** Credit repair may be applied for after this many months on the list. */
  repairAfterMonths: 12,
  /**
   * What publication does to the subject's active certificates: revoke (撤销, the 2021 grading
   * rules list a serious-dishonesty listing as a revocation ground); "suspend" stays a tenant option.
   */
  certificateEffect: "revoke" as "suspend" | "revoke",
};

/**
 * Search normalisation: full-width ASCII to half-width, Latin letters upper-cased, whitespace
 * removed. Applied to stored names/codes (`search.name`, `search.code`) and to queries alike, so
 * "ａｂｃ有限公司" finds "ABC有限公司" and a lower-case code finds its record.
 */
export function normalizeForSearch(input: string): string {
  let out = "";
  for (const ch of input.normalize("NFKC")) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x3000) continue; // ideographic space
    out += ch;
  }
  return out.replace(/\s+/g, "").toUpperCase();
}

/** Shows only the first 6 and last 4 characters of an ID number (110101********1234). */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 10) return s.length <= 2 ? "*".repeat(s.length) : `${s[0]}${"*".repeat(s.length - 2)}${s[s.length - 1]}`;
  return `${s.slice(0, 6)}${"*".repeat(s.length - 10)}${s.slice(-4)}`;
}

/**
 * The whole `search` sub-document of a credit record (normalised name and code for the public
 * registry's search); every writer of a record calls this, and the model's validate hook too.
 */
export function creditSearchFields(subjectName: string, creditCode: string): { name: string; code: string } {
  return { name: normalizeForSearch(subjectName), code: normalizeForSearch(creditCode) };
}
