/**
 * CSV/XLSX import of a review body's experts, with the enterprise import's file limits
 * (readImportFile: byte cap, streaming XLSX row cap, cell cap). Every row is checked first; a
 * file with errors imports nothing unless the user chose "valid rows only".
 */
import type { Types } from "mongoose";
import { Expert } from "../../../models/expert";
import { translate, translateLoose, type Locale, type MessageKey } from "~/i18n";
import { toCsv } from "../table-export.server";
import { expertSchema, type ExpertInput } from "~/lib/review-bodies";
import { msg, parseMsg } from "~/lib/validation";
import type { ImportRowError } from "../enterprise-directory.server";
import type { Actor } from "./bodies.server";
import { registerExpert } from "./experts.server";

/** Each new expert may need an account (a password hash): far fewer rows than the directory's cap. */
export const EXPERT_IMPORT_MAX_ROWS = 500;

export const EXPERT_IMPORT_FIELDS = ["name", "certificateNo", "email", "phone", "employer", "specialties"] as const;
export type ExpertImportField = (typeof EXPERT_IMPORT_FIELDS)[number];
const REQUIRED: readonly ExpertImportField[] = ["name", "certificateNo", "email", "specialties"];
export const EXPERT_FIELD_LABEL: Record<ExpertImportField, MessageKey> = {
  name: "panel.expert.name",
  certificateNo: "panel.expert.certificateNo",
  email: "panel.expert.email",
  phone: "panel.expert.phone",
  employer: "panel.expert.employer",
  specialties: "panel.expert.specialties",
};

const normalize = (text: string) => text.replace(/\s|\*|（.*?）|\(.*?\)/g, "").toLowerCase();

function headerIndex(header: string[]): Map<ExpertImportField, number> {
  const names = new Map<string, ExpertImportField>();
  for (const f of EXPERT_IMPORT_FIELDS) {
    names.set(normalize(f), f);
    names.set(normalize(translate("zh-CN", EXPERT_FIELD_LABEL[f])), f);
    names.set(normalize(translate("en", EXPERT_FIELD_LABEL[f])), f);
  }
  const out = new Map<ExpertImportField, number>();
  header.forEach((h, i) => {
    const f = names.get(normalize(h));
    if (f && !out.has(f)) out.set(f, i);
  });
  return out;
}

export type ExpertImportCheck =
  | { ok: false; fileError: string }
  | { ok: true; total: number; valid: Array<{ row: number; input: ExpertInput }>; errors: ImportRowError[] };

function isField(value: string): value is ExpertImportField {
  return EXPERT_IMPORT_FIELDS.some((f) => f === value);
}

/** Validates every row (shape, duplicates in the file, certificate numbers already registered). */
export async function checkExpertRows({
  tenantId,
  rows,
}: {
  tenantId: Types.ObjectId;
  rows: string[][];
}): Promise<ExpertImportCheck> {
  const [header, ...data] = rows;
  if (!header || data.length === 0) return { ok: false, fileError: msg("dashboard.import.error.empty") };
  if (data.length > EXPERT_IMPORT_MAX_ROWS)
    return { ok: false, fileError: msg("dashboard.import.error.tooLarge", { max: EXPERT_IMPORT_MAX_ROWS }) };
  const index = headerIndex(header);
  const missing = REQUIRED.filter((f) => !index.has(f));
  if (missing.length > 0) {
    return {
      ok: false,
      fileError: msg("dashboard.import.error.missingColumns", {
        columns: missing.map((f) => translate("zh-CN", EXPERT_FIELD_LABEL[f])).join("、"),
      }),
    };
  }
  const errors: ImportRowError[] = [];
  const parsed: Array<{ row: number; input: ExpertInput }> = [];
  const seenCert = new Map<string, number>();
  const seenEmail = new Map<string, number>();
  data.forEach((cells, i) => {
    const row = i + 2;
    const raw = Object.fromEntries(EXPERT_IMPORT_FIELDS.map((f) => [f, (cells[index.get(f) ?? -1] ?? "").trim()]));
    const result = expertSchema.safeParse(raw);
    if (!result.success) {
      const fields = new Set<string>();
      for (const issue of result.error.issues) {
        const field = String(issue.path[0] ?? "name");
        if (fields.has(field)) continue;
        fields.add(field);
        errors.push({ row, field, message: issue.message });
      }
      return;
    }
    const input = result.data;
    const dupCert = seenCert.get(input.certificateNo);
    const dupEmail = seenEmail.get(input.email);
    if (dupCert !== undefined) errors.push({ row, field: "certificateNo", message: msg("panel.import.duplicateInFile", { row: dupCert }) });
    if (dupEmail !== undefined) errors.push({ row, field: "email", message: msg("panel.import.duplicateInFile", { row: dupEmail }) });
    if (dupCert !== undefined || dupEmail !== undefined) return;
    seenCert.set(input.certificateNo, row);
    seenEmail.set(input.email, row);
    parsed.push({ row, input });
  });
  const taken = new Set(
    (
      await Expert.find({ tenantId, certificateNo: { $in: parsed.map((p) => p.input.certificateNo) } })
        .select({ certificateNo: 1 })
        .lean<Array<{ certificateNo: string }>>()
    ).map((e) => e.certificateNo),
  );
  const valid = parsed.filter((p) => {
    if (!taken.has(p.input.certificateNo)) return true;
    errors.push({ row: p.row, field: "certificateNo", message: msg("panel.errors.duplicateCertificate") });
    return false;
  });
  errors.sort((a, b) => a.row - b.row);
  return { ok: true, total: data.length, valid, errors };
}

export type ExpertImportResult =
  | { ok: false; fileError: string }
  | { ok: true; imported: number; skipped: number; blocked: boolean; total: number; errors: ImportRowError[] };

export async function importExperts({
  tenant,
  reviewBodyId,
  rows,
  validOnly,
  actor,
}: {
  tenant: { _id: Types.ObjectId; slug: string; name: string };
  reviewBodyId: Types.ObjectId;
  rows: string[][];
  validOnly: boolean;
  actor: Actor;
}): Promise<ExpertImportResult> {
  const check = await checkExpertRows({ tenantId: tenant._id, rows });
  if (!check.ok) return check;
  const badRows = () => new Set(errors.map((e) => e.row)).size;
  const errors = [...check.errors];
  if (errors.length > 0 && !validOnly)
    return { ok: true, imported: 0, skipped: badRows(), blocked: true, total: check.total, errors };
  let imported = 0;
  for (const v of check.valid) {
    const r = await registerExpert({ tenant, reviewBodyId, input: v.input, actor });
    if (r.ok) imported += 1;
    else errors.push({ row: v.row, field: r.error === "duplicateCertificate" ? "certificateNo" : "email", message: msg(`panel.errors.${r.error}`) });
  }
  errors.sort((a, b) => a.row - b.row);
  return { ok: true, imported, skipped: badRows(), blocked: false, total: check.total, errors };
}

export function expertImportErrorCsv(errors: ImportRowError[], locale: Locale): string {
  return toCsv(
    [translate(locale, "dashboard.import.col.row"), translate(locale, "dashboard.import.col.field"), translate(locale, "dashboard.import.col.message")],
    errors.map((e) => {
      const { key, params } = parseMsg(e.message);
      return [e.row, isField(e.field) ? translate(locale, EXPERT_FIELD_LABEL[e.field]) : e.field, translateLoose(locale, key, params)];
    }),
  );
}

/** A template the user can fill in (zh-CN or en headers). */
export function expertTemplateCsv(locale: Locale): string {
  return toCsv(
    EXPERT_IMPORT_FIELDS.map((f) => translate(locale, EXPERT_FIELD_LABEL[f])),
    [["王建国", "SC-PS-2025-0001", "wang@example.com", "13800000000", "四川安泰安全评审咨询有限公司", "machinery;light"]],
  );
}
