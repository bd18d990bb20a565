/**
 * Bulk import of credit records from CSV (regulators, `manage:credit:any`; Step 6 item 5).
 *
 * - Encoding: UTF-8 with or without BOM; a file that is not valid UTF-8 is read as GB18030 (a
 *   superset of GBK, what Excel on Chinese Windows writes) with the WHATWG TextDecoder.
 * - Header: the template's column names in Chinese or English, or the column keys; order free.
 * - Every row is validated (required fields, credit-code checksum with the failing position,
 *   list type, condition key or label and that it belongs to the list type, subject type, dates,
 *   duplicates within the file and against the tenant's records by credit code + penalty decision
 *   number). A file with any error imports nothing unless `validOnly` is chosen.
 * - Rows become DRAFT records (`state`/`status` "draft", version 0, history `IMPORTED`); the due
 *   process still runs for each. Inserted in batches (insertMany, ordered: false); there are no
 *   transactions on FerretDB, so a failure half-way leaves the rows written so far. A per-row
 *   claim (`claimOnce`) makes two simultaneous uploads of the same file import each row once, and
 *   the duplicate check makes a re-upload import nothing new.
 */
import type { Types } from "mongoose";
import { CreditRecord, type CreditHistoryEntry } from "../../models/credit-record";
import { Enterprise } from "../../models/enterprise";
import { connectDb } from "~/db.server";
import { translate, translateLoose, type Locale, type MessageKey } from "~/i18n";
import { csvCell } from "~/lib/certificate";
import {
  CREDIT_CONDITIONS,
  CREDIT_LIST_TYPES,
  CREDIT_SUBJECT_TYPES,
  creditSearchFields,
  normalizeForSearch,
  type CreditListType,
  type CreditSubjectType,
} from "~/lib/credit";
import { validateCreditCode } from "~/lib/credit-code";
import { creditCodeMessage, msg, parseMsg } from "~/lib/validation";
import { recordAudit } from "./audit.server";
import { claimOnce, releaseClaim } from "./cas.server";

export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 5000;
const BATCH = 500;

// ---------------------------------------------------------------------------------------------
// CSV text

/** Cells past this length stop the read (the longest column allows 5,000; longer ones are row errors). */
export const IMPORT_MAX_CELL_CHARS = 10_000;
/** Lines (blank ones included) past this stop the read: blank lines must not fill memory either. */
export const IMPORT_MAX_LINES = 2 * (IMPORT_MAX_ROWS + 1);

export type CsvLimits = { maxRows: number; maxCellChars: number; maxLines: number };
export type ParsedCsv = {
  /** Every row read, blank ones as the shared empty row (their position is the spreadsheet row). */
  rows: string[][];
  error: { line: number } | null;
  /** Which limit stopped the read; the rows after it were never parsed. */
  limit: "rows" | "cell" | null;
};

const BLANK_ROW: string[] = [];
const isBlank = (row: string[]) => row.every((c) => c.trim() === "");

/**
 * RFC 4180 parser: quoted cells with "" escapes and line breaks; CRLF or LF. With limits it stops
 * as soon as the non-blank rows (header included) pass `maxRows`, the lines pass `maxLines` or a
 * cell passes `maxCellChars`, so a file of many small rows is never held as rows in memory.
 */
export function parseCsv(text: string, limits?: CsvLimits): ParsedCsv {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let quoteLine = 1;
  let filled = 0;
  let i = 0;
  const endRow = (): "rows" | null => {
    row.push(cell);
    const blank = isBlank(row);
    rows.push(blank ? BLANK_ROW : row);
    if (!blank) filled += 1;
    row = [];
    cell = "";
    if (limits && (filled > limits.maxRows || rows.length > limits.maxLines)) return "rows";
    return null;
  };
  while (i < text.length) {
    const ch = text[i];
    if (limits && cell.length > limits.maxCellChars) return { rows, error: null, limit: "cell" };
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      if (ch === "\n") line += 1;
      cell += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && cell === "") {
      quoted = true;
      quoteLine = line;
      i += 1;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
      i += 1;
    } else if (ch === "\r" || ch === "\n") {
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line += 1;
      if (endRow()) return { rows, error: null, limit: "rows" };
    } else {
      cell += ch;
      i += 1;
    }
  }
  if (limits && cell.length > limits.maxCellChars) return { rows, error: null, limit: "cell" };
  if (quoted) return { rows, error: { line: quoteLine }, limit: null };
  if (cell !== "" || row.length > 0) {
    if (endRow()) return { rows, error: null, limit: "rows" };
  }
  return { rows, error: null, limit: null };
}

/** Bytes → text: BOM stripped; UTF-8 when valid, else GB18030 (GBK). */
export function decodeCsv(bytes: Uint8Array): string | null {
  let body = bytes;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    try {
      return new TextDecoder("gb18030", { fatal: true }).decode(body);
    } catch {
      return null;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Columns

export const IMPORT_COLUMNS = [
  { key: "subjectName", label: "creditPublic.field.subjectName", required: true, max: 200 },
  { key: "creditCode", label: "creditPublic.field.creditCode", required: true, max: 40 },
  { key: "subjectType", label: "creditPublic.field.subjectType", required: true, max: 40 },
  { key: "responsiblePersonName", label: "creditPublic.field.responsiblePerson", required: false, max: 50 },
  { key: "responsiblePersonIdNumber", label: "creditPublic.import.field.responsiblePersonIdNumber", required: false, max: 30 },
  { key: "listType", label: "creditPublic.field.listType", required: true, max: 100 },
  { key: "condition", label: "creditPublic.field.condition", required: true, max: 200 },
  { key: "facts", label: "creditPublic.import.field.facts", required: false, max: 5000 },
  { key: "legalBasis", label: "creditPublic.field.legalBasis", required: false, max: 2000 },
  { key: "penaltyDecisionNo", label: "creditPublic.field.penaltyDecisionNo", required: true, max: 100 },
  { key: "penaltyDecisionDate", label: "creditPublic.import.field.penaltyDecisionDate", required: false, max: 10 },
  { key: "authority", label: "creditPublic.field.authority", required: false, max: 200 },
] as const satisfies ReadonlyArray<{ key: string; label: MessageKey; required: boolean; max: number }>;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number]["key"];

function headerAliases(): Map<string, ImportColumn> {
  const map = new Map<string, ImportColumn>();
  for (const c of IMPORT_COLUMNS) {
    map.set(c.key.toLowerCase(), c.key);
    for (const locale of ["zh-CN", "en"] as const) map.set(translate(locale, c.label).toLowerCase(), c.key);
  }
  return map;
}

/** The template: the header row in the user's language (UTF-8 with BOM). */
export function importTemplateCsv(locale: Locale): string {
  const header = IMPORT_COLUMNS.map((c) => csvCell(translate(locale, c.label))).join(",");
  return `\uFEFF${header}\r\n`;
}

/** Value (key, Chinese or English label, case-insensitive) → key, for the choice columns. */
function choiceMap<K extends string>(keys: readonly K[], label: (k: K) => MessageKey): Map<string, K> {
  const map = new Map<string, K>();
  for (const k of keys) {
    map.set(k.toLowerCase(), k);
    for (const locale of ["zh-CN", "en"] as const) map.set(normalizeForSearch(translate(locale, label(k))).toLowerCase(), k);
  }
  return map;
}
const lookup = <K extends string>(map: Map<string, K>, value: string): K | undefined =>
  map.get(value.trim().toLowerCase()) ?? map.get(normalizeForSearch(value).toLowerCase());

// ---------------------------------------------------------------------------------------------
// Validation

export type ImportRowError = { row: number; field: ImportColumn | "file"; message: string; value: string };

export type ImportReport = {
  fileName: string;
  /** Data rows in the file. */
  total: number;
  valid: number;
  errors: ImportRowError[];
  /** Error for the whole file (encoding, header, size); then nothing else was checked. */
  fileError: string | null;
  imported: number;
  /** Valid rows not written because another upload claimed them at the same moment. */
  alreadyImported: number;
  /** Rows that failed to insert (database error); the rows before them stay. */
  failed: number;
  /** Whether anything was written (false when the file had errors and validOnly was off). */
  committed: boolean;
};

type ValidRow = {
  row: number;
  subjectName: string;
  creditCode: string;
  subjectType: CreditSubjectType;
  responsiblePerson: { name: string; idNumber: string };
  listType: CreditListType;
  conditionKey: string;
  facts: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  penaltyDecisionDate: string;
  authority: string;
};

const ID_NUMBER = /^(\d{17}[\dX]|\d{15})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dedupeKey(code: string, decisionNo: string): string {
  return `${code}|${normalizeForSearch(decisionNo)}`;
}

function checkCreditCode(value: string): { ok: true; value: string } | { ok: false; message: string } {
  const r = validateCreditCode(value);
  if (r.ok) return r;
  return { ok: false, message: creditCodeMessage(r.error) };
}

function validateRow(
  cells: Record<ImportColumn, string>,
  row: number,
  now: Date,
  defaults: { authority: string },
): { ok: true; value: ValidRow } | { ok: false; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const fail = (field: ImportColumn, message: string) => errors.push({ row, field, message, value: cells[field] });
  for (const c of IMPORT_COLUMNS) {
    const v = cells[c.key];
    if (c.required && !v) fail(c.key, msg("creditPublic.import.error.required"));
    else if (v.length > c.max) fail(c.key, msg("creditPublic.import.error.tooLong", { max: c.max }));
  }
  let creditCode = "";
  if (cells.creditCode && cells.creditCode.length <= 40) {
    const r = checkCreditCode(cells.creditCode);
    if (r.ok) creditCode = r.value;
    else fail("creditCode", r.message);
  }
  const subjectType = cells.subjectType ? lookup(SUBJECT_TYPES, cells.subjectType) : undefined;
  if (cells.subjectType && !subjectType) fail("subjectType", msg("creditPublic.import.error.unknownSubjectType"));
  const listType = cells.listType ? lookup(LIST_TYPES, cells.listType) : undefined;
  if (cells.listType && !listType) fail("listType", msg("creditPublic.import.error.unknownListType"));
  const conditionKey = cells.condition ? lookup(CONDITIONS, cells.condition) : undefined;
  if (cells.condition && !conditionKey) fail("condition", msg("creditPublic.import.error.unknownCondition"));
  else if (conditionKey && listType && CREDIT_CONDITIONS.find((c) => c.key === conditionKey)?.listType !== listType)
    fail("condition", msg("creditPublic.import.error.conditionListType"));
  const idNumber = cells.responsiblePersonIdNumber.toUpperCase();
  if (idNumber && idNumber.length <= 30 && !ID_NUMBER.test(idNumber))
    fail("responsiblePersonIdNumber", msg("creditPublic.import.error.idNumber"));
  const date = cells.penaltyDecisionDate;
  if (date && date.length <= 10) {
    const m = DATE.exec(date);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    if (!m || !d || d.toISOString().slice(0, 10) !== date) fail("penaltyDecisionDate", msg("creditPublic.import.error.date"));
    else if (d.getTime() > now.getTime()) fail("penaltyDecisionDate", msg("creditPublic.import.error.futureDate"));
  }
  if (errors.length > 0 || !subjectType || !listType || !conditionKey) return { ok: false, errors };
  return {
    ok: true,
    value: {
      row,
      subjectName: cells.subjectName,
      creditCode,
      subjectType,
      responsiblePerson: { name: cells.responsiblePersonName, idNumber },
      listType,
      conditionKey,
      facts: cells.facts,
      legalBasis: cells.legalBasis,
      penaltyDecisionNo: cells.penaltyDecisionNo,
      penaltyDecisionDate: date,
      authority: cells.authority || defaults.authority,
    },
  };
}

const SUBJECT_TYPES = choiceMap(CREDIT_SUBJECT_TYPES, (k) => `credit.subjectType.${k}`);
const LIST_TYPES = choiceMap(CREDIT_LIST_TYPES, (k) => `credit.listType.${k}`);
const CONDITIONS = choiceMap(
  CREDIT_CONDITIONS.map((c) => c.key),
  (k) => `credit.condition.${k}` as MessageKey,
);

// ---------------------------------------------------------------------------------------------
// Import

export async function importCreditCsv({
  tenantId,
  bytes,
  fileName,
  actor,
  validOnly,
  defaultAuthority,
  now = new Date(),
}: {
  tenantId: Types.ObjectId;
  bytes: Uint8Array;
  fileName: string;
  actor: { id: Types.ObjectId; email: string; name: string };
  validOnly: boolean;
  defaultAuthority: string;
  now?: Date;
}): Promise<ImportReport> {
  const report: ImportReport = {
    fileName,
    total: 0,
    valid: 0,
    errors: [],
    fileError: null,
    imported: 0,
    alreadyImported: 0,
    failed: 0,
    committed: false,
  };
  if (bytes.byteLength > IMPORT_MAX_BYTES) {
    report.fileError = msg("creditPublic.import.error.tooLarge", { max: `${IMPORT_MAX_BYTES / 1024 / 1024} MB` });
    return report;
  }
  const text = decodeCsv(bytes);
  if (text === null) {
    report.fileError = msg("creditPublic.import.error.encoding");
    return report;
  }
  const parsed = parseCsv(text, { maxRows: IMPORT_MAX_ROWS + 1, maxCellChars: IMPORT_MAX_CELL_CHARS, maxLines: IMPORT_MAX_LINES });
  if (parsed.limit === "rows") {
    report.fileError = msg("creditPublic.import.error.tooManyRows", { max: IMPORT_MAX_ROWS });
    return report;
  }
  if (parsed.limit === "cell") {
    report.fileError = msg("creditPublic.import.error.cellTooLong", { max: IMPORT_MAX_CELL_CHARS });
    return report;
  }
  if (parsed.error) {
    report.fileError = msg("creditPublic.import.error.malformed", { line: parsed.error.line });
    return report;
  }
  const [header = [], ...rest] = parsed.rows;
  const aliases = headerAliases();
  const index = new Map<ImportColumn, number>();
  header.forEach((h, i) => {
    const key = aliases.get(h.trim().toLowerCase());
    if (key && !index.has(key)) index.set(key, i);
  });
  const missing = IMPORT_COLUMNS.find((c) => c.required && !index.has(c.key));
  if (missing) {
    report.fileError = msg("creditPublic.import.error.missingColumn", { column: translate("zh-CN", missing.label) });
    return report;
  }
  // Spreadsheet row numbers: the header is row 1. Blank lines are skipped but keep their number.
  const dataRows = rest
    .map((cells, i) => ({ cells, row: i + 2 }))
    .filter(({ cells }) => cells.length > 0 && !isBlank(cells));
  report.total = dataRows.length;
  if (dataRows.length === 0) {
    report.fileError = msg("creditPublic.import.error.empty");
    return report;
  }
  if (dataRows.length > IMPORT_MAX_ROWS) {
    report.fileError = msg("creditPublic.import.error.tooManyRows", { max: IMPORT_MAX_ROWS });
    return report;
  }

  const valid: ValidRow[] = [];
  const seen = new Map<string, number>();
  for (const { cells, row } of dataRows) {
    const record = Object.fromEntries(
      IMPORT_COLUMNS.map((c) => {
        const i = index.get(c.key);
        return [c.key, i === undefined ? "" : (cells[i] ?? "").trim()];
      }),
    ) as Record<ImportColumn, string>;
    if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== "")) {
      report.errors.push({
        row,
        field: "file",
        message: msg("creditPublic.import.error.wrongColumns", { actual: cells.length, expected: header.length }),
        value: "",
      });
      continue;
    }
    const result = validateRow(record, row, now, { authority: defaultAuthority });
    if (!result.ok) {
      report.errors.push(...result.errors);
      continue;
    }
    const key = dedupeKey(result.value.creditCode, result.value.penaltyDecisionNo);
    const first = seen.get(key);
    if (first !== undefined) {
      report.errors.push({
        row,
        field: "penaltyDecisionNo",
        message: msg("creditPublic.import.error.duplicateInFile", { row: first }),
        value: record.penaltyDecisionNo,
      });
      continue;
    }
    seen.set(key, row);
    valid.push(result.value);
  }

  await connectDb();
  // Against the tenant's records (any status, including the archive).
  const codes = [...new Set(valid.map((v) => v.creditCode))];
  const existing = new Set<string>();
  for (let i = 0; i < codes.length; i += BATCH) {
    const docs = await CreditRecord.find({ tenantId, "search.code": { $in: codes.slice(i, i + BATCH) } })
      .select({ creditCode: 1, penaltyDecisionNo: 1 })
      .lean<Array<{ creditCode: string; penaltyDecisionNo: string }>>();
    for (const d of docs) existing.add(dedupeKey(d.creditCode, d.penaltyDecisionNo));
  }
  const fresh: ValidRow[] = [];
  for (const v of valid) {
    if (existing.has(dedupeKey(v.creditCode, v.penaltyDecisionNo)))
      report.errors.push({
        row: v.row,
        field: "penaltyDecisionNo",
        message: msg("creditPublic.import.error.duplicateExisting"),
        value: v.penaltyDecisionNo,
      });
    else fresh.push(v);
  }
  report.errors.sort((a, b) => a.row - b.row);
  report.valid = fresh.length;
  if (report.errors.length > 0 && !validOnly) return report;
  report.committed = true;
  if (fresh.length === 0) return report;

  // Registered enterprises with these codes are linked now (the lifecycle links later ones).
  const enterprises = await Enterprise.find({ tenantId, creditCode: { $in: [...new Set(fresh.map((v) => v.creditCode))] } })
    .select({ creditCode: 1 })
    .lean<Array<{ _id: Types.ObjectId; creditCode: string }>>();
  const enterpriseByCode = new Map(enterprises.map((e) => [e.creditCode, e._id]));

  for (let i = 0; i < fresh.length; i += BATCH) {
    const batch = fresh.slice(i, i + BATCH);
    // One upload per row, even when the same file is uploaded twice at the same moment.
    const claimKeys = new Map<ValidRow, string>();
    const claimed: ValidRow[] = [];
    for (const v of batch) {
      const key = `credit-import:${String(tenantId)}:${dedupeKey(v.creditCode, v.penaltyDecisionNo)}`;
      if (await claimOnce(key, now)) {
        claimed.push(v);
        claimKeys.set(v, key);
      } else report.alreadyImported += 1;
    }
    const docs = claimed.map((v) => {
      const history: CreditHistoryEntry = {
        at: now,
        event: "IMPORTED",
        from: "",
        to: "draft",
        actor: { kind: "user", userId: actor.id, name: actor.name },
        note: `${fileName} #${v.row}`,
        details: { fileName, row: v.row, ...(v.penaltyDecisionDate ? { penaltyDecisionDate: v.penaltyDecisionDate } : {}) },
      };
      return {
        tenantId,
        subjectName: v.subjectName,
        creditCode: v.creditCode,
        subjectType: v.subjectType,
        responsiblePerson: v.responsiblePerson,
        listType: v.listType,
        conditionKey: v.conditionKey,
        facts: v.facts,
        legalBasis: v.legalBasis,
        penaltyDecisionNo: v.penaltyDecisionNo,
        authority: v.authority,
        state: "draft",
        status: "draft" as const,
        enterpriseId: enterpriseByCode.get(v.creditCode) ?? null,
        search: creditSearchFields(v.subjectName, v.creditCode),
        listedYear: null,
        history: [history],
        version: 0,
        createdBy: actor.id,
      };
    });
    try {
      await CreditRecord.insertMany(docs, { ordered: false });
      report.imported += docs.length;
    } catch {
      // Some of the batch may be in: count what is there, free the claims of what is not.
      for (const v of claimed) {
        const there = await CreditRecord.exists({
          tenantId,
          "search.code": v.creditCode,
          penaltyDecisionNo: v.penaltyDecisionNo,
        });
        if (there) report.imported += 1;
        else {
          report.failed += 1;
          const key = claimKeys.get(v);
          if (key) await releaseClaim(key);
        }
      }
    }
  }
  await recordAudit({
    tenantId,
    action: "credit.import",
    actor: { id: actor.id, email: actor.email },
    target: { type: "creditImport", id: fileName, label: fileName },
    details: {
      total: report.total,
      imported: report.imported,
      skipped: report.errors.length,
      failed: report.failed,
      validOnly,
    },
    at: now,
  });
  return report;
}

/** The per-row error report as CSV (UTF-8 with BOM), messages in the user's language. */
export function importErrorsCsv(errors: ImportRowError[], locale: Locale): string {
  const t = (key: MessageKey) => translate(locale, key);
  const label = (field: ImportRowError["field"]) => {
    const c = IMPORT_COLUMNS.find((x) => x.key === field);
    return c ? t(c.label) : t("creditPublic.import.field.file");
  };
  const lines = [
    [t("creditPublic.import.col.row"), t("creditPublic.import.col.field"), t("creditPublic.import.col.message"), t("creditPublic.import.col.value")]
      .map(csvCell)
      .join(","),
    ...errors.map((e) => {
      const m = parseMsg(e.message);
      return [e.row, label(e.field), translateLoose(locale, m.key, m.params), e.value].map(csvCell).join(",");
    }),
  ];
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
