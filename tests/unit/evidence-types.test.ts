import { describe, expect, it } from "vitest";
import {
  checkBlobType,
  classifyCentralDirectory,
  cleanFilename,
  decideType,
  formatBytes,
  kindFromFilename,
  locateCentralDirectory,
  sniffHead,
} from "~/lib/evidence";
import { SAMPLES, storedZip } from "../evidence-samples";

const blobOf = (bytes: Uint8Array) => new Blob([new Uint8Array(bytes)]);

describe("evidence type detection", () => {
  it("sniffs the four signatures from the first bytes", () => {
    expect(sniffHead(SAMPLES.pdf)).toBe("pdf");
    expect(sniffHead(SAMPLES.png)).toBe("png");
    expect(sniffHead(SAMPLES.jpg)).toBe("jpg");
    expect(sniffHead(SAMPLES.docx)).toBe("zip");
    expect(sniffHead(SAMPLES.exe)).toBeNull();
    expect(sniffHead(new Uint8Array([0x25, 0x50]))).toBeNull();
  });

  it("accepts each sample with its own extension, whatever the case", async () => {
    for (const [ext, bytes] of [
      ["pdf", SAMPLES.pdf],
      ["PNG", SAMPLES.png],
      ["jpeg", SAMPLES.jpg],
      ["Docx", SAMPLES.docx],
      ["xlsx", SAMPLES.xlsx],
    ] as const) {
      const result = await checkBlobType(blobOf(bytes), `证明材料.${ext}`);
      expect(result.ok, ext).toBe(true);
    }
  });

  it("refuses content that contradicts the extension, and content of no allowed type", async () => {
    expect(await checkBlobType(blobOf(SAMPLES.png), "scan.pdf")).toEqual({
      ok: false,
      error: "mismatch",
    });
    expect(await checkBlobType(blobOf(SAMPLES.docx), "table.xlsx")).toEqual({
      ok: false,
      error: "mismatch",
    });
    expect(await checkBlobType(blobOf(SAMPLES.plainZip), "report.docx")).toEqual({
      ok: false,
      error: "type",
    });
    expect(await checkBlobType(blobOf(SAMPLES.exe), "setup.pdf")).toEqual({
      ok: false,
      error: "type",
    });
  });

  it("finds the central directory behind an archive comment", () => {
    const zip = storedZip(
      [
        ["[Content_Types].xml", "x"],
        ["word/document.xml", "y"],
      ],
      "注释 comment PK\x05\x06 inside",
    );
    const cd = locateCentralDirectory(zip, zip.length);
    expect(cd?.entries).toBe(2);
    if (!cd) throw new Error("no central directory");
    expect(
      classifyCentralDirectory(zip.subarray(cd.offset, cd.offset + cd.size), cd.entries),
    ).toEqual({ docx: true, xlsx: false });
  });

  it("refuses macro packages and truncated archives", () => {
    const macro = storedZip([
      ["[Content_Types].xml", "x"],
      ["word/document.xml", "y"],
      ["word/vbaProject.bin", "z"],
    ]);
    const cd = locateCentralDirectory(macro, macro.length);
    if (!cd) throw new Error("no central directory");
    expect(
      classifyCentralDirectory(macro.subarray(cd.offset, cd.offset + cd.size), cd.entries),
    ).toBeNull();
    const cut = SAMPLES.docx.subarray(0, SAMPLES.docx.length - 5);
    expect(locateCentralDirectory(cut, cut.length)).toBeNull();
    expect(decideType("a.docx", SAMPLES.docx.subarray(0, 8), null)).toEqual({
      ok: false,
      error: "type",
    });
  });

  it("cleans file names and maps extensions", () => {
    expect(cleanFilename("C:\\fakepath\\整改 报告.pdf")).toBe("整改 报告.pdf");
    expect(cleanFilename("a\u0000b.pdf")).toBe("ab.pdf");
    expect(cleanFilename("   ")).toBeNull();
    expect(cleanFilename(`${"长".repeat(201)}.pdf`)).toBeNull();
    expect(kindFromFilename("x.JPEG")).toBe("jpg");
    expect(kindFromFilename("x.exe")).toBeNull();
    expect(kindFromFilename("pdf")).toBeNull();
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatBytes(1536)).toBe("1.5 KB");
  });
});
