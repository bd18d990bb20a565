/**
 * Grounds on which the grading authority revokes (撤销, never 吊销) a certificate, as data with their
 * legal basis (DOMAIN.md §6 and §10, 《企业安全生产标准化建设定级办法》 应急〔2021〕83号). Pure: the
 * certificate pages, the public verification page, the emails and the yearly-report checks all read
 * this one list. The accident thresholds are defaults a tenant may override.
 */

export const REVOCATION_GROUND_KEYS = [
  "fatalAccident",
  "accidentTotals",
  "concealedAccident",
  "seriousDishonest",
  "applicationFraud",
  "licenceLost",
  "majorHazardUnfixed",
  "systemNotRunning",
] as const;
export type RevocationGroundKey = (typeof REVOCATION_GROUND_KEYS)[number];

export type Bilingual = { zh: string; en: string };
export type RevocationGround = {
  key: RevocationGroundKey;
  /** What happened, as the public page and the email state it. */
  text: Bilingual;
  /** Where the rule comes from. */
  basis: Bilingual;
};

const GRADING_RULES: Bilingual = {
  zh: "《企业安全生产标准化建设定级办法》（应急〔2021〕83号）",
  en: "Measures for Grading Work-Safety Standardization (MEM 2021 No. 83)",
};
const on = (extra?: Bilingual): Bilingual =>
  extra
    ? { zh: `${GRADING_RULES.zh}；${extra.zh}`, en: `${GRADING_RULES.en}; ${extra.en}` }
    : GRADING_RULES;

export const REVOCATION_GROUNDS: readonly RevocationGround[] = [
  {
    key: "fatalAccident",
    text: { zh: "发生生产安全死亡事故", en: "A work-safety accident with a death" },
    basis: on(),
  },
  {
    key: "accidentTotals",
    text: {
      zh: "12 个月内生产安全事故累计重伤 3 人以上或直接经济损失累计 100 万元以上",
      en: "Accidents within 12 months totalling 3 or more serious injuries or 1,000,000 CNY or more direct loss",
    },
    basis: on({
      zh: "《生产安全事故报告和调查处理条例》（国务院令第493号）",
      en: "Regulations on Reporting, Investigating and Handling Work-Safety Accidents (State Council Decree 493)",
    }),
  },
  {
    key: "concealedAccident",
    text: { zh: "瞒报、谎报生产安全事故", en: "Concealed or falsely reported accidents" },
    basis: on(),
  },
  {
    key: "seriousDishonest",
    text: {
      zh: "被列入安全生产严重失信主体名单",
      en: "Listed as a seriously dishonest subject in work safety",
    },
    basis: on({
      zh: "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）",
      en: "Measures on the List of Seriously Dishonest Subjects in Work Safety (MEM Order 11)",
    }),
  },
  {
    key: "applicationFraud",
    text: {
      zh: "在定级申请、评审中弄虚作假",
      en: "Fraud in the grading application or review",
    },
    basis: on(),
  },
  {
    key: "licenceLost",
    text: {
      zh: "安全生产许可证被撤销、注销或者过期失效",
      en: "Work-safety licence revoked, cancelled or expired",
    },
    basis: on(),
  },
  {
    key: "majorHazardUnfixed",
    text: {
      zh: "重大事故隐患未按期整改",
      en: "A major accident hazard not fixed in time",
    },
    basis: on(),
  },
  {
    key: "systemNotRunning",
    text: {
      zh: "安全生产标准化管理体系未有效运行（如未按期报送年度自评报告）",
      en: "Standardization system not kept running (e.g. yearly self-assessment reports missing)",
    },
    basis: on(),
  },
];

const BY_KEY = new Map(REVOCATION_GROUNDS.map((g) => [g.key, g]));

export function isRevocationGroundKey(value: unknown): value is RevocationGroundKey {
  return typeof value === "string" && BY_KEY.has(value as RevocationGroundKey);
}

export function revocationGround(key: RevocationGroundKey): RevocationGround {
  const ground = BY_KEY.get(key);
  if (!ground) throw new Error(`unknown revocation ground ${key}`);
  return ground;
}

/** Known keys in the list's order, each once; unknown values dropped. */
export function normalizeGrounds(values: readonly unknown[]): RevocationGroundKey[] {
  const picked = new Set(values.filter(isRevocationGroundKey));
  return REVOCATION_GROUND_KEYS.filter((k) => picked.has(k));
}

export function groundText(key: RevocationGroundKey, locale: "zh-CN" | "en"): string {
  const g = revocationGround(key);
  return locale === "en" ? g.text.en : g.text.zh;
}

export function groundBasis(key: RevocationGroundKey, locale: "zh-CN" | "en"): string {
  const g = revocationGround(key);
  return locale === "en" ? g.basis.en : g.basis.zh;
}

// ---------------------------------------------------------------------------------------------
// Grounds that follow from recorded accidents (yearly reports). Totals over the window, not per
// accident (DOMAIN.md §10).

export type AccidentFacts = {
  occurredAt: Date;
  deaths: number;
  seriousInjuries: number;
  /** Direct economic loss in CNY. */
  directLoss: number;
};

export type AccidentThresholds = {
  windowMonths: number;
  seriousInjuries: number;
  directLoss: number;
};

export const DEFAULT_ACCIDENT_THRESHOLDS: AccidentThresholds = {
  windowMonths: 12,
  seriousInjuries: 3,
  directLoss: 1_000_000,
};

function monthsBefore(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

/**
 * The accident grounds met by the accidents in the window ending at `asOf`: any death, or totals
 * of serious injuries / direct loss at or above the thresholds.
 */
export function accidentGrounds(
  accidents: readonly AccidentFacts[],
  asOf: Date,
  thresholds: AccidentThresholds = DEFAULT_ACCIDENT_THRESHOLDS,
): RevocationGroundKey[] {
  const from = monthsBefore(asOf, thresholds.windowMonths).getTime();
  const inWindow = accidents.filter(
    (a) => a.occurredAt.getTime() > from && a.occurredAt.getTime() <= asOf.getTime(),
  );
  const grounds: RevocationGroundKey[] = [];
  if (inWindow.some((a) => a.deaths > 0)) grounds.push("fatalAccident");
  const injuries = inWindow.reduce((s, a) => s + a.seriousInjuries, 0);
  const loss = inWindow.reduce((s, a) => s + a.directLoss, 0);
  if (injuries >= thresholds.seriousInjuries || loss >= thresholds.directLoss)
    grounds.push("accidentTotals");
  return grounds;
}
