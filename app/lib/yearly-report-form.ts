/**
 * The yearly report's structured part as posted by a plain form: accident rows named
 * `accidents.<n>.<field>` (a row without a date is an unused blank row), hazard counts, and one
 * checkbox + detail per change. The result goes through `reportPartSchema`, whose issue paths
 * (`accidents.0.deaths`) are the field names, so errors land next to their inputs.
 */
import { reportPartSchema } from "./yearly-report";

const MAX_ROWS = 50;
const CHANGE_KEYS = ["name", "address", "scope", "principal"] as const;

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

export function reportPartInput(form: FormData): Record<string, unknown> {
  const accidents: Array<Record<string, unknown>> = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const prefix = `accidents.${i}.`;
    const occurredOn = text(form, `${prefix}occurredOn`).trim();
    if (!occurredOn) continue;
    accidents.push({
      occurredOn,
      accidentClass: text(form, `${prefix}accidentClass`),
      deaths: text(form, `${prefix}deaths`) || "0",
      seriousInjuries: text(form, `${prefix}seriousInjuries`) || "0",
      directLoss: text(form, `${prefix}directLoss`) || "0",
      summary: text(form, `${prefix}summary`),
    });
  }
  return {
    accidents,
    hazards: {
      found: text(form, "hazards.found") || "0",
      fixed: text(form, "hazards.fixed") || "0",
      overdue: text(form, "hazards.overdue") || "0",
    },
    changes: Object.fromEntries(
      CHANGE_KEYS.map((k) => [k, { changed: text(form, `changes.${k}.changed`) === "on", detail: text(form, `changes.${k}.detail`) }]),
    ),
    note: text(form, "note"),
  };
}

/**
 * Parsed part, or field errors keyed by input name. Accident rows are renumbered by the parser
 * (blank rows dropped), so a row's errors are reported under its position among filled rows; the
 * page renders the filled rows first, in order, so the names match.
 */
export function parseReportPart(form: FormData) {
  const parsed = reportPartSchema.safeParse(reportPartInput(form));
  if (parsed.success) return { ok: true as const, part: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[issue.path.map(String).join(".") || "_form"] ??= issue.message;
  return { ok: false as const, errors };
}

export { CHANGE_KEYS };
