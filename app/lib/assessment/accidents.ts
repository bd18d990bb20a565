/**
 * The accident record of the safety-performance declaration (DOMAIN.md §4): either "no production
 * safety accident in the period" or one entry per accident (date, class per 国务院令第493号, deaths,
 * serious injuries, direct loss, reported on time). Shared by the wizard and the save action.
 *
 * The record does not score by itself: the rubric's performance conditions do, as declared. The
 * record backs the declaration, goes into the report, and `declarationHints` points out where the
 * two disagree (advisory; only for the condition ids of the shipped rubrics, whose meaning is known).
 */
import { msg } from "~/lib/validation";

export const ACCIDENT_CLASSES = ["general", "larger", "major", "especially-major"] as const;
export type AccidentClass = (typeof ACCIDENT_CLASSES)[number];
export const MAX_ACCIDENTS = 50;
/** Direct loss is entered in 万元 (10,000 CNY), as in accident reports. */
export const MAX_LOSS_WAN = 10_000_000;
const MAX_PEOPLE = 100_000;
const MAX_DESCRIPTION = 500;

export type AccidentEntry = {
  occurredOn: string;
  accidentClass: AccidentClass;
  deaths: number;
  seriousInjuries: number;
  directLossWan: number;
  reportedOnTime: boolean;
  description?: string;
};

export type AccidentRecord = { none: boolean; accidents: AccidentEntry[] };

/** As stored and sent to the browser: the record plus who wrote it at which document version. */
export type AccidentRecordView = AccidentRecord & { rev: number; updatedBy: string | null; updatedAt: string | null };

export type AccidentRowForm = {
  occurredOn: string;
  accidentClass: "" | AccidentClass;
  deaths: string;
  seriousInjuries: string;
  directLossWan: string;
  reportedOnTime: "" | "yes" | "no";
  description: string;
};

export type AccidentFormValue = { status: "" | "none" | "some"; accidents: AccidentRowForm[] };

export function emptyAccidentRow(): AccidentRowForm {
  return { occurredOn: "", accidentClass: "", deaths: "0", seriousInjuries: "0", directLossWan: "0", reportedOnTime: "", description: "" };
}

export function accidentFormValue(record: AccidentRecord | null | undefined): AccidentFormValue {
  if (!record) return { status: "", accidents: [] };
  if (record.none) return { status: "none", accidents: [] };
  return {
    status: "some",
    accidents: record.accidents.map((a) => ({
      occurredOn: a.occurredOn,
      accidentClass: a.accidentClass,
      deaths: String(a.deaths),
      seriousInjuries: String(a.seriousInjuries),
      directLossWan: String(a.directLossWan),
      reportedOnTime: a.reportedOnTime ? "yes" : "no",
      description: a.description ?? "",
    })),
  };
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** A non-negative decimal with at most 2 places, typed as text (a comma or full-width digits are not numbers). */
function parseWan(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  const n = Number(t);
  return n <= MAX_LOSS_WAN ? n : null;
}

function parseCount(value: unknown): number | null {
  const n = typeof value === "string" && /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : value;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_PEOPLE ? n : null;
}

/**
 * Validates a record from the browser form or from a request (numbers as numbers or digit strings).
 * `today` (YYYY-MM-DD, China time) bounds the dates. Field keys: `status`, `accidents.<i>.<field>`.
 */
export function checkAccidentRecord(
  raw: unknown,
  today: string,
): { ok: true; record: AccidentRecord } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (typeof raw !== "object" || raw === null) return { ok: false, errors: { status: msg("assessment.accidents.errors.status") } };
  const { none, accidents } = raw as { none?: unknown; accidents?: unknown };
  if (typeof none !== "boolean" || !Array.isArray(accidents)) return { ok: false, errors: { status: msg("assessment.accidents.errors.status") } };
  if (none) {
    return accidents.length === 0 ? { ok: true, record: { none: true, accidents: [] } } : { ok: false, errors: { status: msg("assessment.accidents.errors.status") } };
  }
  if (accidents.length === 0) return { ok: false, errors: { status: msg("assessment.accidents.errors.atLeastOne") } };
  if (accidents.length > MAX_ACCIDENTS) return { ok: false, errors: { status: msg("assessment.accidents.errors.tooMany", { max: MAX_ACCIDENTS }) } };
  const out: AccidentEntry[] = [];
  accidents.forEach((entry: unknown, i) => {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const key = (field: string) => `accidents.${i}.${field}`;
    const occurredOn = typeof e.occurredOn === "string" ? e.occurredOn.trim() : "";
    if (!isIsoDate(occurredOn)) errors[key("occurredOn")] = msg("assessment.accidents.errors.date");
    else if (occurredOn > today) errors[key("occurredOn")] = msg("assessment.accidents.errors.future");
    const accidentClass = ACCIDENT_CLASSES.find((c) => c === e.accidentClass);
    if (!accidentClass) errors[key("accidentClass")] = msg("errors.invalidChoice");
    const deaths = parseCount(e.deaths);
    if (deaths === null) errors[key("deaths")] = msg("assessment.errors.count");
    const seriousInjuries = parseCount(e.seriousInjuries);
    if (seriousInjuries === null) errors[key("seriousInjuries")] = msg("assessment.errors.count");
    const directLossWan = typeof e.directLossWan === "number" ? parseWan(String(e.directLossWan)) : typeof e.directLossWan === "string" ? parseWan(e.directLossWan) : null;
    if (directLossWan === null) errors[key("directLossWan")] = msg("assessment.accidents.errors.loss");
    const reported = e.reportedOnTime === "yes" ? true : e.reportedOnTime === "no" ? false : e.reportedOnTime;
    if (typeof reported !== "boolean") errors[key("reportedOnTime")] = msg("assessment.accidents.errors.reported");
    const description = typeof e.description === "string" ? e.description.trim() : "";
    if (description.length > MAX_DESCRIPTION) errors[key("description")] = msg("errors.tooLong", { max: MAX_DESCRIPTION });
    if (accidentClass && deaths !== null && seriousInjuries !== null && directLossWan !== null && typeof reported === "boolean" && isIsoDate(occurredOn)) {
      const a: AccidentEntry = { occurredOn, accidentClass, deaths, seriousInjuries, directLossWan, reportedOnTime: reported };
      if (description) a.description = description;
      out.push(a);
    }
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  out.sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0));
  return { ok: true, record: { none: false, accidents: out } };
}

/** The record a form stands for; `null` when nothing is declared yet. */
export function accidentRecordFromForm(
  value: AccidentFormValue,
  today: string,
): { ok: true; record: AccidentRecord | null } | { ok: false; errors: Record<string, string> } {
  if (value.status === "") return { ok: true, record: null };
  if (value.status === "none") return { ok: true, record: { none: true, accidents: [] } };
  return checkAccidentRecord({ none: false, accidents: value.accidents }, today);
}

export function sameAccidentRecord(a: AccidentRecord | null | undefined, b: AccidentRecord | null | undefined): boolean {
  const canon = (r: AccidentRecord | null | undefined) =>
    r ? JSON.stringify([r.none, r.accidents.map((x) => [x.occurredOn, x.accidentClass, x.deaths, x.seriousInjuries, x.directLossWan, x.reportedOnTime, x.description ?? ""])]) : "null";
  return canon(a) === canon(b);
}

export function plainAccidentRecord(view: AccidentRecord): AccidentRecord {
  return { none: view.none, accidents: view.accidents.map((a) => ({ ...a })) };
}

/** Today in China (dates of accidents are local dates). */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

function monthsBefore(today: string, months: number): string {
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1 - months, d));
  return date.toISOString().slice(0, 10);
}

/** The shipped condition ids whose meaning is known, so their answer follows from the record. */
export const DERIVED_CONDITION_IDS = ["no-fatal-12m", "no-major-injury-loss-12m"] as const;
export type DerivedConditionId = (typeof DERIVED_CONDITION_IDS)[number];

/** DOMAIN.md §4/§10: ≥ 3 serious injuries or ≥ 1,000,000 CNY (100 万元) direct loss, in total over 12 months. */
export const INJURY_TOTAL_THRESHOLD = 3;
export const LOSS_TOTAL_THRESHOLD_WAN = 100;

/**
 * What the record says about the shipped conditions (met = true), counting accidents in the 12
 * months before `today` as TOTALS (two accidents with 2 serious injuries each reach the threshold
 * together). `null` when nothing is recorded yet: the conditions stay a declaration.
 */
export function performanceFromAccidents(record: AccidentRecord | null | undefined, today: string): Map<DerivedConditionId, boolean> | null {
  if (!record) return null;
  const since = monthsBefore(today, 12);
  const recent = record.none ? [] : record.accidents.filter((a) => a.occurredOn >= since && a.occurredOn <= today);
  const injuries = recent.reduce((s, a) => s + a.seriousInjuries, 0);
  // Sum in hundredths of 万元 (the entry's precision) so 0.1 + 0.2 style float artefacts cannot matter.
  const lossHundredths = recent.reduce((s, a) => s + Math.round(a.directLossWan * 100), 0);
  return new Map<DerivedConditionId, boolean>([
    ["no-fatal-12m", !recent.some((a) => a.deaths > 0)],
    ["no-major-injury-loss-12m", injuries < INJURY_TOTAL_THRESHOLD && lossHundredths < LOSS_TOTAL_THRESHOLD_WAN * 100],
  ]);
}

export type DeclarationHint = {
  conditionId: string;
  key: "assessment.accidents.hints.fatal" | "assessment.accidents.hints.injuryLoss";
};

/**
 * Where the accident record contradicts a condition declared as met. Only the shipped condition
 * ids are understood (their texts say what they mean); any other condition gets no hint.
 */
export function declarationHints(
  record: AccidentRecord | null,
  declared: ReadonlyMap<string, boolean>,
  today: string,
): DeclarationHint[] {
  const derived = performanceFromAccidents(record, today);
  if (!derived) return [];
  const hints: DeclarationHint[] = [];
  if (declared.get("no-fatal-12m") === true && derived.get("no-fatal-12m") === false) {
    hints.push({ conditionId: "no-fatal-12m", key: "assessment.accidents.hints.fatal" });
  }
  if (declared.get("no-major-injury-loss-12m") === true && derived.get("no-major-injury-loss-12m") === false) {
    hints.push({ conditionId: "no-major-injury-loss-12m", key: "assessment.accidents.hints.injuryLoss" });
  }
  return hints;
}
