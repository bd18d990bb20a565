/**
 * The dashboard's figures as plain tables (header + rows of text/numbers), in the user's language.
 * One source for the page's "show as table" blocks, the CSV/XLSX exports and the monthly PDF.
 */
import type { DashboardFigures } from "~/data/dashboard.server";
import { isMessageKey, translate, type Locale } from "~/i18n";

export const DASHBOARD_TABLES = [
  "levels",
  "states",
  "overdue",
  "expiring",
  "creditStatus",
  "creditCondition",
  "trend",
  "districts",
  "industries",
  "gaps",
] as const;
export type DashboardTableKey = (typeof DASHBOARD_TABLES)[number];

export function isDashboardTable(value: unknown): value is DashboardTableKey {
  return typeof value === "string" && (DASHBOARD_TABLES as readonly string[]).includes(value);
}

export type Cell = string | number;
export type PlainTable = { key: string; title: string; columns: string[]; rows: Cell[][] };

function loose(locale: Locale, key: string, fallback: string): string {
  return isMessageKey(key) ? translate(locale, key) : fallback;
}

export function levelLabel(f: Pick<DashboardFigures, "levelNames">, level: string, locale: Locale): string {
  if (!level) return translate(locale, "dashboard.level.none");
  const name = f.levelNames[level];
  return name ? (locale === "en" ? name.en || name.zh : name.zh) : level;
}

export function certStatusLabel(status: string, locale: Locale): string {
  return status ? loose(locale, `certificate.status.${status}`, status) : translate(locale, "dashboard.status.none");
}

export function stateLabelOf(state: string, locale: Locale): string {
  return loose(locale, `workflow.state.${state}`, state);
}

export function creditStatusLabel(status: string, locale: Locale): string {
  return loose(locale, `credit.status.${status}`, status);
}

export function conditionLabel(condition: string, locale: Locale): string {
  return loose(locale, `credit.condition.${condition}`, condition);
}

export function industryLabel(industry: string, locale: Locale): string {
  return loose(locale, `industry.${industry}`, industry);
}

export function dashboardTable(f: DashboardFigures, key: DashboardTableKey, locale: Locale): PlainTable {
  const t = (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate(locale, k, p);
  const count = t("dashboard.col.count");
  switch (key) {
    case "levels":
      return {
        key,
        title: t("dashboard.levels.title"),
        columns: [t("dashboard.col.level"), t("dashboard.col.certStatus"), count],
        rows: f.byLevel.map((r) => [levelLabel(f, r.level, locale), certStatusLabel(r.status, locale), r.count]),
      };
    case "states":
      return {
        key,
        title: t("dashboard.states.title"),
        columns: [t("dashboard.col.state"), count],
        rows: f.byState.map((r) => [stateLabelOf(r.key, locale), r.count]),
      };
    case "overdue":
      return {
        key,
        title: t("dashboard.overdue.title"),
        columns: [
          t("dashboard.col.enterprise"),
          t("dashboard.col.creditCode"),
          t("dashboard.col.cycle"),
          t("dashboard.col.overdueKind"),
          t("dashboard.col.deadline"),
        ],
        rows: f.overdue.map((o) => [
          o.enterpriseName,
          o.creditCode,
          o.cycle,
          t(o.kind === "acceptance" ? "dashboard.overdue.acceptance" : "dashboard.overdue.review"),
          o.deadline.slice(0, 10),
        ]),
      };
    case "expiring":
      return {
        key,
        title: t("dashboard.expiring.title"),
        columns: [t("dashboard.col.window"), count],
        rows: [
          [t("dashboard.expiring.days", { days: 30 }), f.expiring.within30],
          [t("dashboard.expiring.days", { days: 90 }), f.expiring.within90],
        ],
      };
    case "creditStatus":
      return {
        key,
        title: t("dashboard.creditStatus.title"),
        columns: [t("dashboard.col.status"), count],
        rows: f.creditByStatus.map((r) => [creditStatusLabel(r.key, locale), r.count]),
      };
    case "creditCondition":
      return {
        key,
        title: t("dashboard.creditCondition.title"),
        columns: [t("dashboard.col.condition"), count],
        rows: f.creditByCondition.map((r) => [conditionLabel(r.key, locale), r.count]),
      };
    case "trend":
      return {
        key,
        title: t("dashboard.trend.title"),
        columns: [t("dashboard.col.month"), t("dashboard.col.newlyCertified"), t("dashboard.col.cumulative"), t("dashboard.col.target")],
        rows: f.trend.map((m) => [`${f.filters.year}-${String(m.month).padStart(2, "0")}`, m.count, m.cumulative, f.target]),
      };
    case "districts":
      return {
        key,
        title: t("dashboard.districts.title"),
        columns: [
          t("dashboard.col.district"),
          t("dashboard.col.enterprises"),
          t("dashboard.col.certified"),
          t("dashboard.col.newlyCertified"),
          t("dashboard.col.firstTime"),
          t("dashboard.col.renewals"),
          t("dashboard.col.target"),
        ],
        rows: f.byDistrict.map((r) => [r.name, r.enterprises, r.certified, r.newlyCertified, r.firstTime, r.renewals, r.target ?? ""]),
      };
    case "industries":
      return {
        key,
        title: t("dashboard.industries.title"),
        columns: [t("dashboard.col.industry"), t("dashboard.col.enterprises"), t("dashboard.col.certified"), t("dashboard.col.newlyCertified")],
        rows: f.byIndustry.map((r) => [industryLabel(r.key, locale), r.enterprises, r.certified, r.newlyCertified]),
      };
    case "gaps":
      return {
        key,
        title: t("dashboard.gaps.title"),
        columns: [t("dashboard.col.element"), t("dashboard.col.gap"), t("dashboard.col.applications")],
        rows: f.gaps.map((g) => [locale === "en" ? g.title.en || g.title.zh : g.title.zh, g.gap, g.applications]),
      };
  }
}
