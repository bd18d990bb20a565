/**
 * The printable monthly report of the dashboard (pdfkit, Noto Sans SC): key figures of the month's
 * year up to that month, the target trend and bar charts drawn as vector graphics, and the main
 * tables. Figures that describe the present (certificate status, overdue, expiring) are as of the
 * snapshot time printed in the header.
 */
import PDFDocument from "pdfkit";
import type { DashboardFigures } from "~/data/dashboard.server";
import { translate, type Locale, type MessageKey, type MessageParams } from "~/i18n";
import { dashboardTable, type DashboardTableKey } from "~/lib/dashboard-tables";
import { formatDateTime } from "~/lib/datetime";
import type { CjkFonts } from "./fonts.server";

const FONT = { regular: "cjk", bold: "cjk-bold" } as const;
const COLORS = { text: "#0f172a", muted: "#475569", bar: "#1d4ed8", column: "#0891b2", target: "#dc2626", grid: "#cbd5e1" };
type Doc = InstanceType<typeof PDFDocument>;

export type MonthlyReportInput = {
  figures: DashboardFigures;
  month: number;
  tenantName: string;
  locale: Locale;
  generatedAt: Date;
};

function ensureSpace(doc: Doc, height: number) {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function heading(doc: Doc, text: string) {
  ensureSpace(doc, 40);
  doc.moveDown(0.6).font(FONT.bold).fontSize(13).fillColor(COLORS.text).text(text);
  doc.moveDown(0.3).font(FONT.regular).fontSize(10);
}

function bars(doc: Doc, title: string, rows: Array<{ label: string; value: number }>) {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const labelW = 150;
  const valueW = 50;
  const rowH = 16;
  const max = Math.max(1, ...rows.map((r) => r.value));
  // Title and bars together (a heading never ends a page alone).
  ensureSpace(doc, rows.length * rowH + 50);
  heading(doc, title);
  if (rows.length === 0) {
    doc.font(FONT.regular).fontSize(9).fillColor(COLORS.muted).text("—");
    return;
  }
  let y = doc.y;
  for (const r of rows) {
    doc.font(FONT.regular).fontSize(9).fillColor(COLORS.text);
    doc.text(r.label, left, y + 3, { width: labelW - 6, height: rowH, ellipsis: true, lineBreak: false });
    const w = ((width - labelW - valueW) * r.value) / max;
    doc.rect(left + labelW, y + 2, Math.max(w, r.value > 0 ? 1 : 0), rowH - 5).fill(COLORS.bar);
    doc.fillColor(COLORS.text).text(String(r.value), left + width - valueW + 4, y + 3, { width: valueW, lineBreak: false });
    y += rowH;
  }
  doc.x = left;
  doc.y = y + 6;
}

/** Monthly columns scaled to the busiest month; the yearly target as a line of text above them (a target of 1,000 must not flatten the columns). */
function trendChart(doc: Doc, f: DashboardFigures, upToMonth: number, t: (k: MessageKey, p?: MessageParams) => string) {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const height = 150;
  ensureSpace(doc, height + 46);
  const months = f.trend.filter((m) => m.month <= upToMonth);
  const total = months.reduce((n, m) => Math.max(n, m.cumulative), 0);
  const percent = f.target > 0 ? Math.round((total / f.target) * 1000) / 10 : 0;
  const progress = f.target > 0 ? t("dashboard.trend.progress", { total, target: f.target, percent }) : t("dashboard.trend.noTarget", { total });
  doc.font(FONT.regular).fontSize(9).fillColor(COLORS.target).text(progress, left, doc.y + 6, { width, lineBreak: false });
  const top = doc.y + 16;
  const max = Math.max(1, ...months.map((m) => m.count));
  const colW = width / 12;
  const y = (v: number) => top + height - (v / max) * (height - 12);
  doc.moveTo(left, top + height).lineTo(left + width, top + height).lineWidth(0.5).strokeColor(COLORS.grid).stroke();
  for (const m of f.trend) {
    const x = left + (m.month - 1) * colW + 4;
    if (m.month <= upToMonth && m.count > 0) {
      const h = Math.max(2, top + height - y(m.count));
      doc.rect(x, top + height - h, colW - 8, h).fill(COLORS.column);
      doc.font(FONT.regular).fontSize(7).fillColor(COLORS.text).text(`+${m.count}`, x, y(m.count) - 10, { width: colW - 8, align: "center", lineBreak: false });
    }
    doc.font(FONT.regular).fontSize(8).fillColor(COLORS.muted).text(String(m.month), x, top + height + 4, { width: colW - 8, align: "center", lineBreak: false });
  }
  doc.x = left;
  doc.y = top + height + 20;
}

function table(doc: Doc, f: DashboardFigures, key: DashboardTableKey, locale: Locale) {
  const tbl = dashboardTable(f, key, locale);
  ensureSpace(doc, 40 + 14 * Math.min(4, tbl.rows.length + 1));
  heading(doc, tbl.title);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const first = width * 0.5;
  const other = tbl.columns.length > 1 ? (width - first) / (tbl.columns.length - 1) : width - first;
  const row = (cells: Array<string | number>, bold: boolean) => {
    ensureSpace(doc, 16);
    const y = doc.y;
    doc.font(bold ? FONT.bold : FONT.regular).fontSize(9).fillColor(COLORS.text);
    cells.forEach((c, i) => {
      const x = i === 0 ? left : left + first + (i - 1) * other;
      doc.text(String(c), x, y, { width: (i === 0 ? first : other) - 4, height: 14, ellipsis: true, lineBreak: false });
    });
    doc.x = left;
    doc.y = y + 14;
  };
  row(tbl.columns, true);
  if (tbl.rows.length === 0) row(["—"], false);
  for (const r of tbl.rows.slice(0, 40)) row(r, false);
}

/** Renders the report; the returned document is a Readable stream of the PDF bytes. */
export function renderMonthlyReport(input: MonthlyReportInput, fonts: CjkFonts): Doc {
  const { figures: f, month, locale } = input;
  const t = (key: MessageKey, params?: MessageParams) => translate(locale, key, params);
  const period = `${f.filters.year}-${String(month).padStart(2, "0")}`;
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    lang: locale,
    displayTitle: true,
    info: {
      Title: t("dashboard.report.heading", { tenant: input.tenantName }),
      Creator: "SafeGrade",
      Producer: "SafeGrade (pdfkit)",
      CreationDate: input.generatedAt,
    },
  });
  doc.registerFont(FONT.regular, fonts.regular);
  doc.registerFont(FONT.bold, fonts.bold);
  doc.font(FONT.bold).fontSize(16).fillColor(COLORS.text).text(t("dashboard.report.heading", { tenant: input.tenantName }));
  doc.moveDown(0.3).font(FONT.regular).fontSize(10).fillColor(COLORS.muted);
  doc.text(t("dashboard.report.period", { month: period }));
  doc.text(`${t("dashboard.report.generated", { time: formatDateTime(input.generatedAt, locale) })} · ${t("dashboard.asOf", { time: formatDateTime(f.computedAt, locale) })}`);

  const upTo = f.trend.find((m) => m.month === month);
  heading(doc, t("dashboard.report.keyFigures"));
  const kv: Array<[string, string | number]> = [
    [t("dashboard.kpi.enterprises"), f.enterprisesTotal],
    [t("dashboard.report.monthCertified"), upTo?.count ?? 0],
    [t("dashboard.kpi.certifiedThisYear", { year: f.filters.year }), upTo?.cumulative ?? 0],
    [t("dashboard.col.target"), f.target],
    [t("dashboard.kpi.applications", { year: f.filters.year }), f.applicationsTotal],
    [t("dashboard.kpi.overdue"), t("dashboard.kpi.overdueDetail", f.overdueCounts)],
    [t("dashboard.kpi.expiring"), `${t("dashboard.expiring.days", { days: 30 })} ${f.expiring.within30} · ${t("dashboard.expiring.days", { days: 90 })} ${f.expiring.within90}`],
    [t("dashboard.kpi.credit", { year: f.filters.year }), f.creditTotal],
  ];
  for (const [k, v] of kv) {
    const y = doc.y;
    doc.font(FONT.regular).fontSize(10).fillColor(COLORS.muted).text(k, 50, y, { width: 250, lineBreak: false });
    doc.font(FONT.bold).fillColor(COLORS.text).text(String(v), 300, y, { width: 245, lineBreak: false });
    doc.x = 50;
    doc.y = y + 16;
  }

  heading(doc, t("dashboard.trend.title"));
  trendChart(doc, f, month, t);
  const states = dashboardTable(f, "states", locale);
  bars(doc, states.title, states.rows.map((r) => ({ label: String(r[0]), value: Number(r[1]) })));
  const districts = dashboardTable(f, "districts", locale);
  bars(doc, districts.title, districts.rows.map((r) => ({ label: String(r[0]), value: Number(r[1]) })));
  for (const key of ["levels", "creditStatus", "industries", "gaps"] as const) table(doc, f, key, locale);
  doc.end();
  return doc;
}

export async function renderMonthlyReportBuffer(input: MonthlyReportInput, fonts: CjkFonts): Promise<Buffer> {
  const doc = renderMonthlyReport(input, fonts);
  const chunks: Buffer[] = [];
  for await (const chunk of doc as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
