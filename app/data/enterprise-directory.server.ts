/**
 * Enterprise directory (Step 8): the filtered list as CSV/XLSX, and bulk import from CSV/XLSX with
 * per-row validation. Rows are checked with the same schema and district rule as the single
 * "new enterprise" form (`enterpriseFieldsSchema`, `isTenantDistrict`) and created through
 * `createEnterprise`, so an imported enterprise is exactly what the form would have made.
 */
import type { Types } from "mongoose";
import { translate, translateLoose, type Locale, type MessageKey } from "~/i18n";
import type { PlainTable } from "~/lib/dashboard-tables";
import { INDUSTRIES, INDUSTRY_KEYS, SIZE_CLASSES, type IndustryKey, type SizeClass } from "~/lib/domain";
import { enterpriseFieldsSchema, fieldErrors, msg, parseMsg, type EnterpriseFields } from "~/lib/validation";
import { createEnterprise, districtOptions, isTenantDistrict, type Actor } from "./enterprises.server";
import type { DistrictScoped } from "~/lib/district-scope";
import { filterEnterpriseRows } from "~/lib/lists/enterprise-rows";
import { enterpriseRows } from "./enterprise-rows.server";
import { parseCsv, parseXlsxLimited, TableLimitError, toCsv, type TableLimits } from "./table-export.server";
import { districtName, type TenantView } from "./tenants.server";

export const EXPORT_MAX_ROWS = 20_000;
export const IMPORT_MAX_ROWS = 5_000;
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
/** The longest cell an import accepts (the longest field, an address, is far shorter). */
export const IMPORT_MAX_CELL_CHARS = 1_000;
/** Header plus IMPORT_MAX_ROWS data rows; the read stops as soon as a file passes it. */
const IMPORT_LIMITS: TableLimits = { maxRows: IMPORT_MAX_ROWS + 1, maxCellChars: IMPORT_MAX_CELL_CHARS };

type DirectoryTenant = Pick<TenantView, "_id" | "districts" | "regionCode" | "name">;

export const IMPORT_FIELDS = [
  "name",
  "creditCode",
  "industry",
  "sizeClass",
  "districtCode",
  "address",
  "contactName",
  "contactPhone",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
const REQUIRED_FIELDS: readonly ImportField[] = ["name", "creditCode", "industry", "sizeClass", "districtCode"];

const FIELD_LABEL: Record<ImportField, MessageKey> = {
  name: "enterprise.name",
  creditCode: "enterprise.creditCode",
  industry: "enterprise.industry",
  sizeClass: "enterprise.sizeClass",
  districtCode: "enterprise.district",
  address: "enterprise.address",
  contactName: "enterprise.contactName",
  contactPhone: "enterprise.contactPhone",
};

// ---------------------------------------------------------------------------------------------
// Export

export type DirectoryFilters = { q?: string; districtCode?: string; industry?: IndustryKey; sizeClass?: SizeClass };

/** The list page's URL filters (`q`, `district`, `industry`, `size`); anything malformed is ignored. */
export function parseDirectoryFilters(search: URLSearchParams): DirectoryFilters {
  const industry = search.get("industry") ?? "";
  const size = search.get("size") ?? "";
  return {
    q: (search.get("q") ?? "").trim().slice(0, 100),
    districtCode: (search.get("district") ?? "").trim().slice(0, 12),
    industry: (INDUSTRY_KEYS as readonly string[]).includes(industry) ? (industry as IndustryKey) : undefined,
    sizeClass: (SIZE_CLASSES as readonly string[]).includes(size) ? (size as SizeClass) : undefined,
  };
}

/** The enterprise list with the page's filters, as a table (same filter rules as `listEnterprises`). */
export async function enterpriseDirectoryTable({
  tenant,
  filters,
  locale,
  scope = { districtCodes: [] },
}: {
  tenant: Pick<TenantView, "_id" | "districts">;
  filters: DirectoryFilters;
  locale: Locale;
  /** The member's district limit (Step 12): an export never holds another district's rows. */
  scope?: DistrictScoped;
}): Promise<PlainTable> {
  // The list page's own rows and filter (decision 031), in list order.
  const docs = filterEnterpriseRows(await enterpriseRows(tenant._id), { ...filters, scope }).slice(0, EXPORT_MAX_ROWS);
  const t = (key: MessageKey) => translate(locale, key);
  return {
    key: "enterprises",
    title: t("enterprise.list.title"),
    columns: [...IMPORT_FIELDS.map((f) => t(FIELD_LABEL[f])), t("enterprise.status")],
    rows: docs.map((e) => [
      e.name,
      e.creditCode,
      translateLoose(locale, `industry.${e.industry}`),
      translateLoose(locale, `enterprise.size.${e.sizeClass}`),
      districtName(tenant, e.districtCode),
      e.address,
      e.contactName,
      e.contactPhone,
      translateLoose(locale, `enterprise.status.${e.status}`),
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// Import

/** The template: the header row in the user's language and one example row. */
export function importTemplateCsv(tenant: DirectoryTenant, locale: Locale): string {
  const district = districtOptions(tenant)[0];
  return toCsv(
    IMPORT_FIELDS.map((f) => translate(locale, FIELD_LABEL[f])),
    [
      [
        locale === "en" ? "Example Machinery Co., Ltd." : "示例机械制造有限公司",
        "91510100MA61XXXXXX",
        translate(locale, "industry.machinery"),
        translate(locale, "enterprise.size.medium"),
        district?.name ?? "",
        "",
        "",
        "",
      ],
    ],
  );
}

export type ImportRowError = { row: number; field: string; message: string };
export type ImportCheck =
  | { ok: false; fileError: string }
  | {
      ok: true;
      total: number;
      valid: Array<{ row: number; fields: EnterpriseFields }>;
      errors: ImportRowError[];
      /** Rows (1-based, as a spreadsheet numbers them, header = row 1) with at least one error. */
      badRows: number[];
    };

function normalizeHeader(text: string): string {
  return text.replace(/\s|\*|（.*?）|\(.*?\)/g, "").toLowerCase();
}

function headerIndex(header: string[]): Map<ImportField, number> {
  const names = new Map<string, ImportField>();
  for (const f of IMPORT_FIELDS) {
    names.set(normalizeHeader(f), f);
    names.set(normalizeHeader(translate("zh-CN", FIELD_LABEL[f])), f);
    names.set(normalizeHeader(translate("en", FIELD_LABEL[f])), f);
  }
  names.set(normalizeHeader("district"), "districtCode");
  const out = new Map<ImportField, number>();
  header.forEach((h, i) => {
    const f = names.get(normalizeHeader(h));
    if (f && !out.has(f)) out.set(f, i);
  });
  return out;
}

function lookup<K extends string>(value: string, options: ReadonlyArray<{ key: K; names: string[] }>): K | null {
  const v = value.trim().toLowerCase();
  if (!v) return null;
  for (const o of options) if (o.key.toLowerCase() === v || o.names.some((n) => n.toLowerCase() === v)) return o.key;
  return null;
}

const INDUSTRY_OPTIONS = INDUSTRY_KEYS.map((key) => ({
  key,
  names: [INDUSTRIES.find((i) => i.key === key)?.zh ?? key, translate("zh-CN", `industry.${key}`), translate("en", `industry.${key}`)],
}));
const SIZE_OPTIONS = SIZE_CLASSES.map((key) => ({
  key,
  names: [translate("zh-CN", `enterprise.size.${key}`), translate("en", `enterprise.size.${key}`)],
}));

/** Reads an uploaded file (CSV in UTF-8, with or without BOM, or XLSX) into rows of text. */
export async function readImportFile(file: { name: string; bytes: Buffer }): Promise<string[][] | { fileError: string }> {
  if (file.bytes.length === 0) return { fileError: msg("dashboard.import.error.noFile") };
  if (file.bytes.length > IMPORT_MAX_BYTES) return { fileError: msg("dashboard.import.error.tooLarge", { max: IMPORT_MAX_ROWS }) };
  const isZip = file.bytes[0] === 0x50 && file.bytes[1] === 0x4b;
  try {
    if (isZip || /\.xlsx$/i.test(file.name)) return await parseXlsxLimited(file.bytes, IMPORT_LIMITS);
    const text = new TextDecoder("utf-8", { fatal: true }).decode(file.bytes);
    return parseCsv(text, IMPORT_LIMITS);
  } catch (error) {
    if (error instanceof TableLimitError && error.limit === "rows")
      return { fileError: msg("dashboard.import.error.tooLarge", { max: IMPORT_MAX_ROWS }) };
    return { fileError: msg("dashboard.import.error.badFile") };
  }
}

/** Validates every row; nothing is written. */
export async function checkImportRows({ tenant, rows }: { tenant: DirectoryTenant; rows: string[][] }): Promise<ImportCheck> {
  const [header, ...data] = rows;
  if (!header || data.length === 0) return { ok: false, fileError: msg("dashboard.import.error.empty") };
  if (data.length > IMPORT_MAX_ROWS) return { ok: false, fileError: msg("dashboard.import.error.tooLarge", { max: IMPORT_MAX_ROWS }) };
  const index = headerIndex(header);
  const missing = REQUIRED_FIELDS.filter((f) => !index.has(f));
  if (missing.length > 0) {
    return {
      ok: false,
      fileError: msg("dashboard.import.error.missingColumns", {
        columns: missing.map((f) => translate("zh-CN", FIELD_LABEL[f])).join("、"),
      }),
    };
  }
  const districts = districtOptions(tenant);
  const errors: ImportRowError[] = [];
  const candidates: Array<{ row: number; fields: EnterpriseFields }> = [];
  const firstRowOfCode = new Map<string, number>();
  data.forEach((cells, i) => {
    const row = i + 2;
    const raw = Object.fromEntries(IMPORT_FIELDS.map((f) => [f, (cells[index.get(f) ?? -1] ?? "").trim()])) as Record<ImportField, string>;
    const rowErrors: ImportRowError[] = [];
    const industry = lookup(raw.industry, INDUSTRY_OPTIONS);
    const size = lookup(raw.sizeClass, SIZE_OPTIONS);
    const district =
      districts.find((d) => d.code === raw.districtCode || d.name === raw.districtCode)?.code ?? null;
    const parsed = enterpriseFieldsSchema.safeParse({
      ...raw,
      industry: industry ?? raw.industry,
      sizeClass: size ?? raw.sizeClass,
      districtCode: district ?? raw.districtCode,
    });
    const fieldMessages = parsed.success ? {} : fieldErrors(parsed.error);
    for (const f of IMPORT_FIELDS) {
      const m = fieldMessages[f];
      if (!m) continue;
      // An unknown choice says what was given instead of "choose from the list".
      if (f === "industry" && raw.industry && !industry) rowErrors.push({ row, field: f, message: msg("dashboard.import.error.unknownIndustry", { value: raw.industry }) });
      else if (f === "sizeClass" && raw.sizeClass && !size) rowErrors.push({ row, field: f, message: msg("dashboard.import.error.unknownSize", { value: raw.sizeClass }) });
      else rowErrors.push({ row, field: f, message: m });
    }
    if (raw.districtCode && !fieldMessages.districtCode && (!district || !isTenantDistrict(tenant, district))) {
      rowErrors.push({ row, field: "districtCode", message: msg("dashboard.import.error.unknownDistrict", { value: raw.districtCode }) });
    }
    if (parsed.success && rowErrors.length === 0) {
      const code = parsed.data.creditCode;
      const first = firstRowOfCode.get(code);
      if (first !== undefined) {
        rowErrors.push({ row, field: "creditCode", message: msg("dashboard.import.error.duplicateInFile", { row: first }) });
      } else {
        firstRowOfCode.set(code, row);
        candidates.push({ row, fields: parsed.data });
      }
    }
    errors.push(...rowErrors);
  });
  // Against the tenant's directory (the unique index still decides a race at insert time).
  const taken = new Set((await enterpriseRows(tenant._id)).map((e) => e.creditCode));
  const valid = candidates.filter((c) => {
    if (!taken.has(c.fields.creditCode)) return true;
    errors.push({ row: c.row, field: "creditCode", message: msg("dashboard.import.error.duplicateInTenant") });
    return false;
  });
  errors.sort((a, b) => a.row - b.row || IMPORT_FIELDS.indexOf(a.field as ImportField) - IMPORT_FIELDS.indexOf(b.field as ImportField));
  const badRows = [...new Set(errors.map((e) => e.row))];
  return { ok: true, total: data.length, valid, errors, badRows };
}

export type ImportResult =
  | { ok: false; fileError: string }
  | { ok: true; imported: number; skipped: number; blocked: boolean; total: number; errors: ImportRowError[] };

/**
 * Checks the rows and, when the file has no errors (or `validOnly`), creates the valid ones.
 * A file with errors imports nothing unless the user chose "import valid rows only".
 */
export async function importEnterprises({
  tenant,
  rows,
  validOnly,
  actor,
  ip,
}: {
  tenant: DirectoryTenant & { _id: Types.ObjectId };
  rows: string[][];
  validOnly: boolean;
  actor: Actor;
  ip: string;
}): Promise<ImportResult> {
  const check = await checkImportRows({ tenant, rows });
  if (!check.ok) return check;
  if (check.errors.length > 0 && !validOnly) {
    return { ok: true, imported: 0, skipped: check.badRows.length, blocked: true, total: check.total, errors: check.errors };
  }
  const errors = [...check.errors];
  let imported = 0;
  for (const v of check.valid) {
    const r = await createEnterprise({ tenantId: tenant._id, fields: v.fields, actor, ip });
    if (r.ok) imported += 1;
    else errors.push({ row: v.row, field: "creditCode", message: msg("dashboard.import.error.duplicateInTenant") });
  }
  const skipped = new Set(errors.map((e) => e.row)).size;
  return { ok: true, imported, skipped, blocked: false, total: check.total, errors };
}

/** The error report as CSV in the user's language. */
export function importErrorCsv(errors: ImportRowError[], locale: Locale): string {
  return toCsv(
    [translate(locale, "dashboard.import.col.row"), translate(locale, "dashboard.import.col.field"), translate(locale, "dashboard.import.col.message")],
    errors.map((e) => {
      const { key, params } = parseMsg(e.message);
      const field = (IMPORT_FIELDS as readonly string[]).includes(e.field) ? translate(locale, FIELD_LABEL[e.field as ImportField]) : e.field;
      return [e.row, field, translateLoose(locale, key, params)];
    }),
  );
}
