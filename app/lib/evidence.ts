/**
 * Evidence file rules shared by the browser (checks before uploading) and the server (the
 * authoritative checks while streaming into GridFS). Pure: works on byte arrays, no I/O.
 *
 * A file is accepted only when its content (magic bytes) and its extension name the same type.
 * docx and xlsx are both ZIP containers, so for those the ZIP central directory is read: a
 * WordprocessingML package has `word/` parts, a SpreadsheetML package has `xl/` parts, and both
 * have `[Content_Types].xml`. Macro containers (vbaProject.bin) are refused.
 */

export const EVIDENCE_KINDS = ["pdf", "jpg", "png", "docx", "xlsx"] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const EVIDENCE_MIME: Record<EvidenceKind, string> = {
  pdf: "application/pdf",
  jpg: "image/jpeg",
  png: "image/png",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

const EXTENSIONS: Record<string, EvidenceKind> = {
  pdf: "pdf",
  jpg: "jpg",
  jpeg: "jpg",
  png: "png",
  docx: "docx",
  xlsx: "xlsx",
};

/** For `<input accept>`: extensions and MIME types, so every browser's picker filters the same way. */
export const EVIDENCE_ACCEPT = [
  ...Object.keys(EXTENSIONS).map((e) => `.${e}`),
  ...Object.values(EVIDENCE_MIME),
].join(",");

export type EvidenceLimits = {
  /** Bytes per file. */
  maxFileBytes: number;
  maxFilesPerItem: number;
  maxFilesPerAssessment: number;
};

/** Used when the tenant has not set `settings.evidence` (DOMAIN.md: limits are configuration). */
export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = {
  maxFileBytes: 20 * 1024 * 1024,
  maxFilesPerItem: 10,
  maxFilesPerAssessment: 300,
};

/** File names: what a browser sends, trimmed; long enough for real Chinese document titles. */
export const MAX_FILENAME_LENGTH = 200;

/** What the client sees of one evidence file (JSON-safe). */
export type EvidenceFileView = {
  fileId: string;
  itemId: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedAt: string;
  uploadedBy: string;
  carriedOver: boolean;
};

export function kindFromFilename(filename: string): EvidenceKind | null {
  const dot = filename.lastIndexOf(".");
  if (dot < 0 || dot === filename.length - 1) return null;
  return EXTENSIONS[filename.slice(dot + 1).toLowerCase()] ?? null;
}

/**
 * Cleans a client-supplied file name: keeps the last path segment, drops control characters and
 * collapses whitespace. Returns null when nothing usable is left or it is too long.
 */
export function cleanFilename(raw: string): string | null {
  const base = raw.split(/[/\\]/).pop() ?? "";
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (cleaned === "" || cleaned === "." || cleaned === "..") return null;
  if ([...cleaned].length > MAX_FILENAME_LENGTH) return null;
  return cleaned;
}

// ---------------------------------------------------------------------------------------------
// Magic bytes

/** How many leading bytes `sniffHead` needs. */
export const HEAD_BYTES = 8;

export type HeadKind = "pdf" | "jpg" | "png" | "zip";

const startsWith = (bytes: Uint8Array, sig: readonly number[]) =>
  bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);

/** Type from the first bytes, or null (unknown / too short). "zip" still needs the central directory. */
export function sniffHead(head: Uint8Array): HeadKind | null {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "pdf"; // %PDF-
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "jpg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return "zip";
  return null;
}

// ---------------------------------------------------------------------------------------------
// ZIP central directory

/** Bytes from the end of a file that always hold the end-of-central-directory records. */
export const ZIP_TAIL_BYTES = 22 + 0xffff + 20 + 56;
/** Larger central directories are not worth reading for an evidence file. */
export const MAX_CENTRAL_DIRECTORY_BYTES = 4 * 1024 * 1024;

const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number) => (u16(b, o) + u16(b, o + 2) * 0x10000) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 0x1_0000_0000;

export type CentralDirectoryLocation = { offset: number; size: number; entries: number };

/**
 * Finds the central directory from the last bytes of a ZIP file (`tail` = the final `tail.length`
 * bytes of a `totalSize`-byte file). Handles an archive comment and ZIP64 records. Returns null
 * when the file is not a well-formed single-disk ZIP.
 */
export function locateCentralDirectory(
  tail: Uint8Array,
  totalSize: number,
): CentralDirectoryLocation | null {
  const tailStart = totalSize - tail.length;
  if (tailStart < 0 || tail.length < 22) return null;
  // Scan backwards for the end record whose comment length reaches exactly the end of the file.
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0 && i >= tail.length - 22 - 0xffff; i--) {
    if (u32(tail, i) === 0x06054b50 && i + 22 + u16(tail, i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  if (u16(tail, eocd + 4) !== 0 || u16(tail, eocd + 6) !== 0) return null; // multi-disk archives
  let entries = u16(tail, eocd + 10);
  let size = u32(tail, eocd + 12);
  let offset = u32(tail, eocd + 16);
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(tail, locator) !== 0x07064b50) return null;
    const recordAt = u64(tail, locator + 8) - tailStart;
    if (recordAt < 0 || recordAt + 56 > tail.length || u32(tail, recordAt) !== 0x06064b50)
      return null;
    entries = u64(tail, recordAt + 32);
    size = u64(tail, recordAt + 40);
    offset = u64(tail, recordAt + 48);
  }
  if (offset + size > totalSize || !Number.isSafeInteger(offset + size)) return null;
  return { offset, size, entries };
}

export type ZipContents = { docx: boolean; xlsx: boolean };

/**
 * Reads the entry names of a central directory. Null when it is malformed, has no
 * `[Content_Types].xml`, or carries macros; otherwise which Office package types it can be.
 */
export function classifyCentralDirectory(
  cd: Uint8Array,
  expectedEntries: number,
): ZipContents | null {
  let pos = 0;
  let count = 0;
  let contentTypes = false;
  let word = false;
  let xl = false;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  while (pos + 46 <= cd.length) {
    if (u32(cd, pos) !== 0x02014b50) return null;
    const nameLength = u16(cd, pos + 28);
    const end = pos + 46 + nameLength + u16(cd, pos + 30) + u16(cd, pos + 32);
    if (end > cd.length) return null;
    const name = decoder.decode(cd.subarray(pos + 46, pos + 46 + nameLength));
    if (name === "[Content_Types].xml") contentTypes = true;
    else if (name.startsWith("word/")) word = true;
    else if (name.startsWith("xl/")) xl = true;
    if (name.toLowerCase().endsWith("vbaproject.bin")) return null;
    pos = end;
    count++;
  }
  if (pos !== cd.length || count !== expectedEntries || !contentTypes) return null;
  return { docx: word, xlsx: xl };
}

export type TypeCheck =
  { ok: true; kind: EvidenceKind; contentType: string } | { ok: false; error: "type" | "mismatch" };

/**
 * The decision for a whole file, given its name, its first bytes and (for ZIPs) the classified
 * central directory. "type": content is none of the allowed types; "mismatch": it is an allowed
 * type but the extension says another one (e.g. PNG bytes named .pdf).
 */
export function decideType(filename: string, head: Uint8Array, zip: ZipContents | null): TypeCheck {
  const byName = kindFromFilename(filename);
  const sniffed = sniffHead(head);
  let byContent: EvidenceKind[] = [];
  if (sniffed === "zip") {
    if (zip?.docx) byContent.push("docx");
    if (zip?.xlsx) byContent.push("xlsx");
  } else if (sniffed !== null) {
    byContent = [sniffed];
  }
  if (byContent.length === 0) return { ok: false, error: "type" };
  if (byName === null || !byContent.includes(byName)) return { ok: false, error: "mismatch" };
  return { ok: true, kind: byName, contentType: EVIDENCE_MIME[byName] };
}

// ---------------------------------------------------------------------------------------------
// Display

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/**
 * The same content check as the server's, on a Blob (browser File or Node Blob): reads only the
 * head, the tail and, when it lies before the tail, the ZIP central directory.
 */
export async function checkBlobType(blob: Blob, filename: string): Promise<TypeCheck> {
  const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  let zip: ZipContents | null = null;
  if (sniffHead(head) === "zip") {
    const tailStart = Math.max(0, blob.size - ZIP_TAIL_BYTES);
    const tail = new Uint8Array(await blob.slice(tailStart).arrayBuffer());
    const cd = locateCentralDirectory(tail, blob.size);
    if (cd && cd.size <= MAX_CENTRAL_DIRECTORY_BYTES) {
      const bytes =
        cd.offset >= tailStart
          ? tail.subarray(cd.offset - tailStart, cd.offset - tailStart + cd.size)
          : new Uint8Array(await blob.slice(cd.offset, cd.offset + cd.size).arrayBuffer());
      zip = classifyCentralDirectory(bytes, cd.entries);
    }
  }
  return decideType(filename, head, zip);
}
