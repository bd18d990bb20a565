/**
 * Reads an import upload (multipart form with `file` and `validOnly`) into spreadsheet rows, or a
 * translated file-level error with its HTTP status. Shared by the enterprise and expert imports.
 */
import { IMPORT_MAX_BYTES, readImportFile } from "~/data/enterprise-directory.server";
import { readForm } from "~/lib/http/read-form.server";
import { msg } from "~/lib/validation";

export type ImportUpload =
  | { ok: true; rows: string[][]; validOnly: boolean }
  | { ok: false; fileError: string; status: 400 | 413 };

export async function readImportUpload(request: Request, maxRows: number): Promise<ImportUpload> {
  let form: FormData;
  try {
    form = await readForm(request, { maxBytes: IMPORT_MAX_BYTES + 64 * 1024 });
  } catch (refused) {
    if (refused instanceof Response && refused.status === 413)
      return { ok: false, fileError: msg("dashboard.import.error.tooLarge", { max: maxRows }), status: 413 };
    throw refused;
  }
  const file = form.get("file");
  if (!file || typeof file === "string" || file.size === 0)
    return { ok: false, fileError: msg("dashboard.import.error.noFile"), status: 400 };
  const rows = await readImportFile({ name: file.name, bytes: Buffer.from(await file.arrayBuffer()) });
  if (!Array.isArray(rows)) return { ok: false, fileError: rows.fileError, status: 400 };
  return { ok: true, rows, validOnly: form.get("validOnly") === "1" };
}
