/**
 * The little of fontkit (pdfkit's own font engine, installed with pdfkit) that the PDF code uses:
 * parsing a font once per process. pdfkit accepts a parsed font wherever it accepts font bytes.
 */
declare module "fontkit" {
  export interface Font {
    postscriptName: string;
    layout(text: string): unknown;
  }
  /** A Font for TTF/OTF data; a collection object for TTC/DFONT. */
  export function create(buffer: Uint8Array, postscriptName?: string): unknown;
}
