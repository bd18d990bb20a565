/**
 * Noto Sans SC (TrueType, from @expo-google-fonts/noto-sans-sc) for PDFs with Chinese text.
 * Each file is about 10.5 MB; it is read once per process and handed to pdfkit as a Buffer
 * (faster than a path, which pdfkit would read again for every document). pdfkit embeds only
 * the glyphs a document uses, so a report stays small.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const PACKAGE = "@expo-google-fonts/noto-sans-sc";
export const FONT_FILES = {
  regular: "400Regular/NotoSansSC_400Regular.ttf",
  bold: "700Bold/NotoSansSC_700Bold.ttf",
} as const;

export type CjkFonts = { regular: Buffer; bold: Buffer };

let loading: Promise<CjkFonts> | undefined;

export function fontPath(file: string): string {
  // Resolved from this module, which works from app/ (tests, dev) and from build/ (production).
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve(`${PACKAGE}/package.json`)), file);
}

export function loadCjkFonts(): Promise<CjkFonts> {
  loading ??= Promise.all([
    readFile(fontPath(FONT_FILES.regular)),
    readFile(fontPath(FONT_FILES.bold)),
  ])
    .then(([regular, bold]) => ({ regular, bold }))
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}
