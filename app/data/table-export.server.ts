/**
 * Tables to CSV (UTF-8 with BOM, CRLF, RFC 4180 quoting, formula-injection guard) and XLSX
 * (exceljs), and back (for imports). Used by the dashboard, enterprise list and import.
 */
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import type { Cell, PlainTable } from "~/lib/dashboard-tables";
import { contentDisposition } from "./evidence.server";

/** A text cell that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers. */
export function csvValue(value: Cell | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: string[], rows: Cell[][]): string {
  const lines = [columns.map(csvValue).join(",")];
  for (const r of rows) lines.push(r.map(csvValue).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export async function toXlsx(tables: PlainTable[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "SafeGrade";
  const used = new Set<string>();
  for (const table of tables) {
    // Sheet names: ≤ 31 characters, no []:*?/\ and unique.
    let name = table.title.replace(/[[\]:*?/\\]/g, " ").slice(0, 28) || table.key;
    while (used.has(name)) name = `${name.slice(0, 26)}_${used.size}`;
    used.add(name);
    const sheet = wb.addWorksheet(name);
    sheet.addRow(table.columns);
    sheet.getRow(1).font = { bold: true };
    for (const r of table.rows) sheet.addRow(r);
    table.columns.forEach((c, i) => {
      const col = sheet.getColumn(i + 1);
      const longest = Math.max(c.length, ...table.rows.map((r) => String(r[i] ?? "").length));
      col.width = Math.min(60, Math.max(10, longest * 2));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function csvResponse(csv: string, filename: string): Response {
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(filename, "attachment"),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export function xlsxResponse(body: Buffer, filename: string): Response {
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": contentDisposition(filename, "attachment"),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** RFC 4180 CSV to rows of strings (a leading BOM is dropped; quoted fields may hold commas and newlines). */
export function parseCsv(input: string, limits?: TableLimits): string[][] {
  const text = input.replace(/^\uFEFF/, "");
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let kept = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"') {
        if (text.charAt(i + 1) === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && text.charAt(i + 1) === "\n") i++;
      row.push(field);
      if (limits && row.some((c) => c.trim() !== "")) {
        if (row.some((c) => c.length > limits.maxCellChars)) throw new TableLimitError("cell");
        kept++;
        if (kept > limits.maxRows) throw new TableLimitError("rows");
      }
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    if (limits && row.some((c) => c.length > limits.maxCellChars)) throw new TableLimitError("cell");
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => r.some((c) => c.trim() !== ""));
  if (limits && nonEmpty.length > limits.maxRows) throw new TableLimitError("rows");
  return nonEmpty;
}

/** Limits for reading an uploaded table: rows past `maxRows` (non-empty, header included) or a cell longer than `maxCellChars` stop the read. */
export type TableLimits = { maxRows: number; maxCellChars: number };

/** Thrown when an uploaded table passes its row or cell limit; nothing past the limit was kept. */
export class TableLimitError extends Error {
  constructor(readonly limit: "rows" | "cell") {
    super(`table ${limit} limit exceeded`);
  }
}

/**
 * The first sheet of an XLSX file as rows of strings, read with exceljs's streaming reader so a
 * file of many rows is refused at the row limit instead of being held whole in memory.
 * Throws TableLimitError past a limit, any other error on a file that is not XLSX.
 */
export async function parseXlsxLimited(data: Buffer, limits: TableLimits): Promise<string[][]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([data]), {
    sharedStrings: "cache",
    worksheets: "emit",
    hyperlinks: "ignore",
    styles: "ignore",
    entries: "ignore",
  });
  const rows: string[][] = [];
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const cells: string[] = [];
      for (let c = 1; c <= row.cellCount; c++) {
        const v = row.getCell(c).text;
        const text = typeof v === "string" ? v : "";
        if (text.length > limits.maxCellChars) throw new TableLimitError("cell");
        cells.push(text);
      }
      if (!cells.some((c) => c.trim() !== "")) continue;
      rows.push(cells);
      if (rows.length > limits.maxRows) throw new TableLimitError("rows");
    }
    break; // the first sheet only
  }
  return rows;
}
