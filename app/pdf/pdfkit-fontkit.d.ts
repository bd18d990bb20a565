/** pdfkit accepts a parsed fontkit font wherever it accepts font bytes (its types do not say so). */
import type { Font } from "fontkit";

declare global {
  namespace PDFKit.Mixins {
    interface PDFFont {
      registerFont(name: string, src: Font | Buffer): this;
    }
  }
}

export {};
