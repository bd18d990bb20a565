/**
 * Noto Sans SC parsed once per process. pdfkit re-parses font bytes for every document (each
 * `registerFont(name, buffer)` becomes a new fontkit font, whose character map and glyph index of a
 * 30 000-glyph CJK font are read again); handing it the parsed font instead makes a certificate
 * about four times faster. The subset pdfkit embeds depends only on the text of the document,
 * so the output is byte-for-byte the same either way.
 */
import type { Font } from "fontkit";
import { loadCjkFonts } from "./fonts.server";

export type ParsedCjkFonts = { regular: Font | Buffer; bold: Font | Buffer };

let loading: Promise<ParsedCjkFonts> | undefined;

function isFont(value: unknown): value is Font {
  return (
    typeof value === "object" &&
    value !== null &&
    "layout" in value &&
    typeof value.layout === "function"
  );
}

export function loadParsedCjkFonts(): Promise<ParsedCjkFonts> {
  loading ??= (async () => {
    const bytes = await loadCjkFonts();
    try {
      const fontkit = await import("fontkit");
      const regular = fontkit.create(bytes.regular);
      const bold = fontkit.create(bytes.bold);
      if (isFont(regular) && isFont(bold)) return { regular, bold };
    } catch {
      // fontkit comes with pdfkit; should it ever be missing, the bytes still work (slower).
    }
    return bytes;
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
