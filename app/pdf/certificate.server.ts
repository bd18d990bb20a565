/**
 * The certificate PDF (安全生产标准化证书): A4 landscape, bilingual labels, Noto Sans SC embedded
 * as a subset, optional tenant seal, and a QR code to the public verification page.
 *
 * Same record and status → same bytes: everything printed comes from the certificate's issue-time
 * snapshot (never from the viewer's language), the info dates are the issue date, and pdfkit
 * derives the document ID from the info dictionary, which names the certificate and its status. The
 * QR drawing and the font subset are deterministic too.
 *
 * A certificate that is no longer valid (suspended, revoked, expired) is never rendered clean: the
 * status is stamped diagonally across the page and stated in a banner with its date (issue 16).
 */
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { CertificateRecord } from "~/data/certificates.server";
import { translate, type Locale, type MessageKey, type MessageParams } from "~/i18n";
import { effectiveStatus, shanghaiDay, type CertificateStatus } from "~/lib/certificate";
import type { IndustryKey } from "~/lib/domain";
import { loadParsedCjkFonts, type ParsedCjkFonts } from "./parsed-fonts.server";

export type CertificatePdfData = {
  id: string;
  number: string;
  verifyUrl: string;
  levelName: { zh: string; en: string };
  enterprise: { name: string; creditCode: string; industry: IndustryKey };
  issuer: { zh: string; en: string };
  tenantName: { zh: string; en: string };
  issuedAt: Date;
  validUntil: Date;
  seal: Buffer | null;
  /** The status now; anything but "active" is stamped across the page. */
  status: CertificateStatus;
  /** When it stopped being valid (suspension, revocation or end of validity). */
  statusSince: Date | null;
};

function statusSince(cert: CertificateRecord, status: CertificateStatus): Date | null {
  if (status === "revoked") return cert.revokedAt;
  if (status === "suspended") return cert.suspendedAt;
  if (status === "expired") return cert.expiredAt ?? cert.validUntil;
  return null;
}

export function certificatePdfData(
  cert: CertificateRecord,
  options: { verifyUrl: string; seal: Buffer | null; now?: Date },
): CertificatePdfData {
  const status = effectiveStatus(cert, options.now ?? new Date());
  return {
    status,
    statusSince: statusSince(cert, status),
    id: String(cert._id),
    number: cert.number,
    verifyUrl: options.verifyUrl,
    levelName: cert.levelName,
    enterprise: {
      name: cert.enterprise.name,
      creditCode: cert.enterprise.creditCode,
      industry: cert.enterprise.industry,
    },
    issuer: cert.issuer,
    tenantName: cert.tenantName,
    issuedAt: cert.issuedAt,
    validUntil: cert.validUntil,
    seal: options.seal,
  };
}

export function certificateFilename(data: Pick<CertificatePdfData, "number">): string {
  return `${translate("zh-CN", "certificate.pdf.fileName")}-${data.number}.pdf`;
}

const COLORS = { frame: "#9f1239", gold: "#b45309", text: "#111827", muted: "#4b5563" } as const;
const FONT = { regular: "sc", bold: "sc-bold" } as const;
const QR_SIZE = 104;

type Doc = InstanceType<typeof PDFDocument>;

/**
 * The QR code as vector squares (one rectangle per run of dark modules in a row): sharper than an
 * image at any zoom, smaller, and no PNG to encode and decode. Same URL → same drawing.
 */
function drawQr(doc: Doc, url: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: "M" });
  const quiet = 2;
  const cell = size / (modules.size + 2 * quiet);
  doc.save();
  doc.rect(x, y, size, size).fill("#ffffff");
  for (let row = 0; row < modules.size; row++) {
    let col = 0;
    while (col < modules.size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < modules.size && modules.get(row, col)) col++;
      doc.rect(x + (quiet + start) * cell, y + (quiet + row) * cell, (col - start) * cell, cell);
    }
  }
  doc.fill("#000000");
  doc.restore();
}

function dateText(locale: Locale, at: Date): string {
  const d = shanghaiDay(at);
  return translate(locale, "certificate.pdf.date", {
    year: d.year,
    month: locale === "en" ? String(d.month).padStart(2, "0") : d.month,
    day: locale === "en" ? String(d.day).padStart(2, "0") : d.day,
  });
}

function writeCertificate(doc: Doc, data: CertificatePdfData): void {
  const zh = (key: MessageKey, params?: MessageParams) => translate("zh-CN", key, params);
  const en = (key: MessageKey, params?: MessageParams) => translate("en", key, params);
  const W = doc.page.width;
  const H = doc.page.height;
  const inner = { left: 70, right: W - 70, width: W - 140 };

  // Frame: a strong outer line and a fine inner one.
  doc
    .lineWidth(4)
    .strokeColor(COLORS.frame)
    .rect(22, 22, W - 44, H - 44)
    .stroke();
  doc
    .lineWidth(1)
    .strokeColor(COLORS.gold)
    .rect(32, 32, W - 64, H - 64)
    .stroke();

  const centered = (
    text: string,
    y: number,
    font: string,
    size: number,
    color: string = COLORS.text,
  ) => {
    doc
      .font(font)
      .fontSize(size)
      .fillColor(color)
      .text(text, inner.left, y, { width: inner.width, align: "center", lineBreak: true });
  };

  // Number, top right.
  doc
    .font(FONT.regular)
    .fontSize(10)
    .fillColor(COLORS.muted)
    .text(`${zh("certificate.pdf.number")} ${en("certificate.pdf.number")}`, inner.left, 50, {
      width: inner.width,
      align: "right",
    });
  doc
    .font(FONT.bold)
    .fontSize(12)
    .fillColor(COLORS.text)
    .text(data.number, inner.left, 64, { width: inner.width, align: "right" });

  centered(data.tenantName.zh, 58, FONT.regular, 13, COLORS.muted);
  centered(zh("certificate.pdf.title"), 92, FONT.bold, 34, COLORS.frame);
  centered(en("certificate.pdf.title"), 138, FONT.regular, 12, COLORS.muted);

  centered(data.enterprise.name, 182, FONT.bold, 22);
  centered(`${zh("enterprise.creditCode")}：${data.enterprise.creditCode}`, 216, FONT.regular, 12);

  centered(zh("certificate.pdf.statement", { level: data.levelName.zh }), 250, FONT.regular, 14);
  centered(
    en("certificate.pdf.statement", { level: data.levelName.en || data.levelName.zh }),
    274,
    FONT.regular,
    10,
    COLORS.muted,
  );

  centered(data.levelName.zh, 300, FONT.bold, 40, COLORS.frame);

  // Three facts in a row: industry, issue date, valid until.
  const facts: Array<[string, string, string]> = [
    [
      zh("enterprise.industry"),
      en("enterprise.industry"),
      translate("zh-CN", `industry.${data.enterprise.industry}`),
    ],
    [zh("certificate.issuedAt"), en("certificate.issuedAt"), dateText("zh-CN", data.issuedAt)],
    [
      zh("certificate.validUntil"),
      en("certificate.validUntil"),
      dateText("zh-CN", data.validUntil),
    ],
  ];
  const colWidth = inner.width / facts.length;
  facts.forEach(([labelZh, labelEn, value], i) => {
    const x = inner.left + i * colWidth;
    doc
      .font(FONT.regular)
      .fontSize(10)
      .fillColor(COLORS.muted)
      .text(`${labelZh} ${labelEn}`, x, 366, { width: colWidth, align: "center" });
    doc
      .font(FONT.bold)
      .fontSize(14)
      .fillColor(COLORS.text)
      .text(value, x, 382, { width: colWidth, align: "center" });
  });

  // QR code and how to verify, bottom left.
  const qrTop = H - 60 - QR_SIZE - 20;
  drawQr(doc, data.verifyUrl, inner.left, qrTop, QR_SIZE);
  const noteX = inner.left + QR_SIZE + 12;
  const noteWidth = 300;
  doc
    .font(FONT.regular)
    .fontSize(9)
    .fillColor(COLORS.muted)
    .text(zh("certificate.pdf.verifyHint"), noteX, qrTop + 24, { width: noteWidth });
  doc.fontSize(8).text(en("certificate.pdf.verifyHint"), noteX, doc.y + 2, { width: noteWidth });
  doc
    .fontSize(8)
    .fillColor(COLORS.text)
    .text(data.verifyUrl, noteX, doc.y + 4, { width: noteWidth });

  // Issuer and date, bottom right, under the seal.
  const sealSize = 118;
  const issuerWidth = 260;
  const issuerX = inner.right - issuerWidth;
  const issuerY = H - 60 - 70;
  doc
    .font(FONT.bold)
    .fontSize(15)
    .fillColor(COLORS.text)
    .text(data.issuer.zh, issuerX, issuerY, { width: issuerWidth, align: "center" });
  doc
    .font(FONT.regular)
    .fontSize(9)
    .fillColor(COLORS.muted)
    .text(data.issuer.en, issuerX, doc.y + 2, { width: issuerWidth, align: "center" });
  doc
    .font(FONT.regular)
    .fontSize(12)
    .fillColor(COLORS.text)
    .text(dateText("zh-CN", data.issuedAt), issuerX, doc.y + 6, {
      width: issuerWidth,
      align: "center",
    });
  if (data.seal) {
    doc.image(data.seal, issuerX + issuerWidth / 2 - sealSize / 2, issuerY - sealSize / 2 + 10, {
      width: sealSize,
      height: sealSize,
    });
  }
}

const STAMP_COLOR = "#b91c1c";

/**
 * The status across the page: a banner under the frame (status and date, zh and en) and the status
 * in large letters on the diagonal, drawn over the content at partial opacity so both stay legible.
 */
function stampStatus(doc: Doc, data: CertificatePdfData): void {
  if (data.status === "active") return;
  const W = doc.page.width;
  const H = doc.page.height;
  const zhStatus = translate("zh-CN", `certificate.status.${data.status}`);
  const enStatus = translate("en", `certificate.status.${data.status}`).toUpperCase();
  const since = data.statusSince ? shanghaiDay(data.statusSince) : null;
  const sinceText = since
    ? `${since.year}-${String(since.month).padStart(2, "0")}-${String(since.day).padStart(2, "0")}`
    : "";
  doc.save();
  // Along the bottom edge inside the frame: the only strip the certificate leaves free.
  const bannerY = H - 56;
  doc.rect(36, bannerY, W - 72, 18).fill("#fee2e2");
  doc
    .font(FONT.bold)
    .fontSize(10)
    .fillColor(STAMP_COLOR)
    .text(
      translate("zh-CN", "certificate.pdf.stampBanner", { status: zhStatus, date: sinceText }) +
        "  " +
        translate("en", "certificate.pdf.stampBanner", { status: enStatus, date: sinceText }),
      40,
      bannerY + 4,
      { width: W - 80, align: "center", lineBreak: false },
    );
  doc.restore();

  doc.save();
  doc.opacity(0.28);
  doc.rotate(-28, { origin: [W / 2, H / 2] });
  doc
    .font(FONT.bold)
    .fontSize(120)
    .fillColor(STAMP_COLOR)
    .text(zhStatus, 0, H / 2 - 110, { width: W, align: "center", lineBreak: false });
  doc
    .font(FONT.bold)
    .fontSize(56)
    .text(enStatus, 0, H / 2 + 30, { width: W, align: "center", lineBreak: false });
  doc.restore();
}

/** Starts rendering; the returned document is a Readable stream of the PDF bytes. */
export function renderCertificatePdf(data: CertificatePdfData, fonts: ParsedCjkFonts): Doc {
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: 0,
    lang: "zh-CN",
    displayTitle: true,
    info: {
      Title: `${translate("zh-CN", "certificate.pdf.title")} ${data.number}`,
      Author: data.issuer.zh,
      Subject: data.enterprise.name,
      // Part of the info dictionary, hence of the document ID: one ID per certificate.
      Keywords: `certificate:${data.id};number:${data.number};status:${data.status}`,
      Creator: "SafeGrade",
      Producer: "SafeGrade (pdfkit)",
      CreationDate: data.issuedAt,
      ModDate: data.issuedAt,
    },
  });
  doc.registerFont(FONT.regular, fonts.regular);
  doc.registerFont(FONT.bold, fonts.bold);
  writeCertificate(doc, data);
  stampStatus(doc, data);
  doc.end();
  return doc;
}

export async function renderCertificateStream(data: CertificatePdfData): Promise<Doc> {
  return renderCertificatePdf(data, await loadParsedCjkFonts());
}

export async function renderCertificateBuffer(data: CertificatePdfData): Promise<Buffer> {
  const doc = await renderCertificateStream(data);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
}
