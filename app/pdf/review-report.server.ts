/**
 * The review report PDF (评审报告, Step 10): enterprise, panel with roles and expert certificate
 * numbers, dates, the score per element and the total, every deduction, the rectification items
 * and their closure, the recommended level (with the level the score gives and the panel's
 * reason), and signature lines for every member.
 *
 * Same data → same bytes, like the certificate: everything printed comes from the filed report
 * and the sheet, the info dates are the report date, and pdfkit derives the document ID from the
 * info dictionary, which names the application and the report time.
 */
import PDFDocument from "pdfkit";
import { translate, type Locale, type MessageKey, type MessageParams } from "~/i18n";
import { formatDate } from "~/lib/datetime";
import { loadCjkFonts, type CjkFonts } from "./fonts.server";
import { COLORS, FONT, ReportWriter } from "./self-assessment-report.server";

/** One rectification item and its closure (per-item rectification is another step's; see rectificationLines). */
export type RectificationLine = {
  itemId: string;
  requirement: string;
  deadline: Date | null;
  closedAt: Date | null;
  note: string;
};

export type ReviewReportData = {
  locale: Locale;
  applicationId: string;
  authority: string;
  enterprise: { name: string; creditCode: string };
  cycle: string;
  appliedLevel: string | null;
  rubricTitle: string;
  panel: Array<{ name: string; lead: boolean; certificateNo: string | null }>;
  reviewStartedAt: Date | null;
  reportedAt: Date;
  elements: Array<{ id: string; title: string; standard: number; obtained: number }>;
  score: number | null;
  deductions: Array<{ itemId: string; text: string; count: number; points: number; note: string }>;
  rectifications: RectificationLine[];
  recommendedLevel: string | null;
  scoreLevel: string | null;
  reason: string | null;
};

export function reviewReportFilename(data: Pick<ReviewReportData, "enterprise" | "cycle">): string {
  return `${translate("zh-CN", "reviewReport.title")}-${data.enterprise.name}-${data.cycle}.pdf`;
}

type Writer = ReportWriter<ReviewReportData>;
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, ""));

function writeHeader(w: Writer): void {
  const { doc, data, t } = w;
  doc.font(FONT.regular).fontSize(11).fillColor(COLORS.muted).text(data.authority, w.left, doc.y, { width: w.width, align: "center" });
  doc.moveDown(0.3);
  doc.font(FONT.bold).fontSize(20).fillColor(COLORS.text).text(t("reviewReport.title"), w.left, doc.y, { width: w.width, align: "center" });
  doc.moveDown(1);
  const date = (d: Date | null) => (d ? formatDate(d, data.locale) : "—");
  w.fields([
    [t("reviewReport.enterprise"), data.enterprise.name],
    [t("reviewReport.creditCode"), data.enterprise.creditCode],
    [t("reviewReport.cycle"), data.cycle],
    [t("reviewReport.appliedLevel"), data.appliedLevel ?? "—"],
    [t("reviewReport.rubric"), data.rubricTitle],
    [t("reviewReport.reviewStarted"), date(data.reviewStartedAt)],
    [t("reviewReport.reported"), date(data.reportedAt)],
  ]);
}

function writeBody(w: Writer): void {
  const { data, t } = w;
  w.heading("reviewReport.panel");
  w.table(
    [
      { key: "reviewReport.role", width: 0.2 },
      { key: "reviewReport.name", width: 0.4 },
      { key: "reviewReport.certificateNo", width: 0.4 },
    ],
    data.panel.map((m) => [t(m.lead ? "reviewSheet.lead" : "reviewSheet.member"), m.name, m.certificateNo ?? "—"]),
  );

  w.heading("reviewReport.scores");
  const standard = data.elements.reduce((sum, e) => sum + e.standard, 0);
  const obtained = data.elements.reduce((sum, e) => sum + e.obtained, 0);
  w.table(
    [
      { key: "reviewReport.element", width: 0.6 },
      { key: "reviewReport.standard", width: 0.2, align: "right" },
      { key: "reviewReport.obtained", width: 0.2, align: "right" },
    ],
    [
      ...data.elements.map((e) => [`${e.id} ${e.title}`, fmt(e.standard), fmt(e.obtained)]),
      [`${t("reviewReport.total")} ${data.score === null ? "—" : data.score.toFixed(1)}`, fmt(standard), fmt(obtained)],
    ],
    { boldLastRow: true },
  );

  w.heading("reviewReport.deductions");
  if (data.deductions.length === 0) w.paragraph(t("reviewReport.noDeductions"), { color: COLORS.muted });
  else
    w.table(
      [
        { key: "comparison.item", width: 0.15 },
        { key: "comparison.deductions", width: 0.55 },
        { key: "reviewReport.deducted", width: 0.1, align: "right" },
        { key: "reviewReport.reason", width: 0.2 },
      ],
      data.deductions.map((d) => [d.itemId, d.count > 1 ? `${d.text} ×${d.count}` : d.text, `−${fmt(d.points)}`, d.note]),
    );

  w.heading("reviewReport.rectifications");
  if (data.rectifications.length === 0) w.paragraph(t("reviewReport.noRectifications"), { color: COLORS.muted });
  else
    w.table(
      [
        { key: "comparison.item", width: 0.15 },
        { key: "reviewReport.requirement", width: 0.45 },
        { key: "reviewReport.deadline", width: 0.2 },
        { key: "reviewReport.closedAt", width: 0.2 },
      ],
      data.rectifications.map((r) => [
        r.itemId,
        r.note ? `${r.requirement}\n${r.note}` : r.requirement,
        r.deadline ? formatDate(r.deadline, data.locale) : "—",
        r.closedAt ? formatDate(r.closedAt, data.locale) : "—",
      ]),
    );

  w.heading("reviewReport.recommended");
  w.fields([
    [t("reviewReport.recommended"), data.recommendedLevel ?? t("reviewReport.fail")],
    [t("reviewReport.scoreLevel"), data.scoreLevel ?? t("reviewSheet.noScoreLevel")],
    [t("reviewReport.total"), data.score === null ? "—" : data.score.toFixed(1)],
    ...(data.reason ? ([[t("reviewReport.reason"), data.reason]] as Array<[string, string]>) : []),
  ]);
}

function writeSignatures(w: Writer): void {
  const { doc, data, t } = w;
  w.heading("reviewReport.signatures");
  for (const m of data.panel) {
    w.ensureSpace(36);
    const y = doc.y + 14;
    const role = t(m.lead ? "reviewSheet.lead" : "reviewSheet.member");
    doc.font(FONT.regular).fontSize(10).fillColor(COLORS.text).text(`${role}  ${m.name}`, w.left, y, { width: w.width * 0.3, lineBreak: false });
    doc.lineWidth(0.5).strokeColor(COLORS.rule).moveTo(w.left + w.width * 0.32, y + 12).lineTo(w.left + w.width * 0.68, y + 12).stroke();
    doc.text(t("reviewReport.signDate"), w.left + w.width * 0.72, y, { width: w.width * 0.1, lineBreak: false });
    doc.moveTo(w.left + w.width * 0.82, y + 12).lineTo(w.left + w.width, y + 12).stroke();
    doc.x = w.left;
    doc.y = y + 22;
  }
}

export function renderReviewReport(data: ReviewReportData, fonts: CjkFonts): InstanceType<typeof PDFDocument> {
  const t = (key: MessageKey, params?: MessageParams) => translate(data.locale, key, params);
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    lang: data.locale,
    displayTitle: true,
    info: {
      Title: `${t("reviewReport.title")} — ${data.enterprise.name}`,
      Author: data.authority,
      Subject: `${data.enterprise.name} ${data.cycle}`,
      // Part of the info dictionary, hence of the document ID: one ID per filed report.
      Keywords: `application:${data.applicationId};reported:${data.reportedAt.toISOString()}`,
      Creator: "SafeGrade",
      Producer: "SafeGrade (pdfkit)",
      CreationDate: data.reportedAt,
      ModDate: data.reportedAt,
    },
  });
  doc.registerFont(FONT.regular, fonts.regular);
  doc.registerFont(FONT.bold, fonts.bold);
  const writer = new ReportWriter(doc, data);
  writeHeader(writer);
  writeBody(writer);
  writeSignatures(writer);
  doc.end();
  return doc;
}

export async function renderReviewReportBuffer(data: ReviewReportData): Promise<Buffer> {
  const doc = renderReviewReport(data, await loadCjkFonts());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
}
