/**
 * The printable self-assessment report (自评报告): the document an enterprise attaches to its
 * grading application. Same content as the summary page: score, level, vetoes, per-element
 * breakdown, the 扣分点及原因说明 table, what is missing, and what it takes to reach the next level.
 *
 * Output is a pure function of the data: the info dates come from the assessment's last change and
 * pdfkit derives the document ID from the info dictionary, so the same data gives the same bytes
 * (the font subset tag is derived from the font, not random). Chinese text uses Noto Sans SC,
 * subset-embedded by pdfkit.
 */
import PDFDocument from "pdfkit";
import type { TenantView } from "~/data/tenants.server";
import { findVisibleAssessment, type AssessmentActor } from "~/data/assessment-access.server";
import { getEnterprise } from "~/data/enterprises.server";
import { missingRequiredEvidence } from "~/data/evidence.server";
import { getRubricVersion, getWeightProfile } from "~/data/rubrics.server";
import { translate, type Locale, type MessageKey, type MessageParams } from "~/i18n";
import { scoreSelfAssessment, toScoringAnswers } from "~/lib/assessment/answers";
import { formatDate } from "~/lib/datetime";
import type { LocalizedText, Rubric } from "~/lib/rubric/schema";
import type { ScoreBreakdown } from "~/lib/scoring/engine";
import { loadCjkFonts, type CjkFonts } from "./fonts.server";

export type SelfAssessmentReportData = {
  locale: Locale;
  assessmentId: string;
  /** Assessment `version`: printed, and part of the document ID. */
  version: number;
  state: string;
  cycle: string;
  /** The assessment's last change: the report date and the PDF's creation/modification date. */
  asOf: Date;
  authority: string;
  enterprise: { name: string; creditCode: string };
  rubric: Rubric;
  breakdown: ScoreBreakdown;
  weighted: boolean;
  missingEvidence: string[];
};

// ---------------------------------------------------------------------------------------------
// Data

/** Everything the report shows, for a member allowed to see the assessment; null → 404. */
export async function loadSelfAssessmentReport({
  tenant,
  assessmentId,
  actor,
  locale,
}: {
  tenant: Pick<TenantView, "_id" | "authority">;
  assessmentId: string;
  actor: AssessmentActor;
  locale: Locale;
}): Promise<SelfAssessmentReportData | null> {
  const doc = await findVisibleAssessment({ tenantId: tenant._id, id: assessmentId, actor });
  if (!doc) return null;
  const [pinned, enterprise, weights] = await Promise.all([
    getRubricVersion({ tenantId: tenant._id, id: doc.rubricVersionId }),
    getEnterprise({ tenantId: tenant._id, id: doc.enterpriseId }),
    doc.weightProfileKey ? getWeightProfile({ key: doc.weightProfileKey }) : Promise.resolve(null),
  ]);
  if (!pinned || !enterprise) return null;
  const breakdown = scoreSelfAssessment({
    rubric: pinned.rubric,
    answers: toScoringAnswers(doc.answers, doc.performance),
    weights,
    maxCandidates: 10,
  });
  return {
    locale,
    assessmentId: String(doc._id),
    version: doc.version,
    state: doc.state,
    cycle: doc.cycle,
    asOf: doc.updatedAt,
    authority: locale === "en" ? tenant.authority.en : tenant.authority.zh,
    enterprise: { name: enterprise.name, creditCode: enterprise.creditCode },
    rubric: pinned.rubric,
    breakdown,
    weighted: weights !== null,
    missingEvidence: missingRequiredEvidence(pinned.rubric, doc),
  };
}

export function reportFilename(
  data: Pick<SelfAssessmentReportData, "locale" | "enterprise" | "cycle">,
): string {
  return `${translate(data.locale, "selfReport.fileName")}-${data.enterprise.name}-${data.cycle}.pdf`;
}

// ---------------------------------------------------------------------------------------------
// Layout

const PAGE = { size: "A4", margin: 50 } as const;
export const COLORS = {
  text: "#111827",
  muted: "#4b5563",
  rule: "#9ca3af",
  head: "#e5e7eb",
  accent: "#1d4ed8",
} as const;
export const FONT = { regular: "sc", bold: "sc-bold" } as const;

type Doc = InstanceType<typeof PDFDocument>;
export type Column = { key: MessageKey; width: number; align?: "left" | "right" | "center" };

/** Headings, label/value fields and page-breaking tables for A4 reports (also the review report's). */
export class ReportWriter<D extends { locale: Locale } = SelfAssessmentReportData> {
  readonly t: (key: MessageKey, params?: MessageParams) => string;
  constructor(
    readonly doc: Doc,
    readonly data: D,
  ) {
    this.t = (key, params) => translate(data.locale, key, params);
  }

  get left(): number {
    return this.doc.page.margins.left;
  }
  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  text(value: LocalizedText): string {
    return this.data.locale === "en" && value.en ? value.en : value.zh;
  }

  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  heading(key: MessageKey): void {
    this.ensureSpace(60);
    this.doc.moveDown(0.8);
    this.doc
      .font(FONT.bold)
      .fontSize(13)
      .fillColor(COLORS.accent)
      .text(this.t(key), this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
    this.doc.font(FONT.regular).fontSize(10).fillColor(COLORS.text);
  }

  paragraph(value: string, options: { color?: string; size?: number; bold?: boolean } = {}): void {
    this.doc
      .font(options.bold ? FONT.bold : FONT.regular)
      .fontSize(options.size ?? 10)
      .fillColor(options.color ?? COLORS.text)
      .text(value, this.left, this.doc.y, { width: this.width });
    this.doc.fillColor(COLORS.text);
  }

  /** Label/value rows without borders (the report header). */
  fields(rows: Array<[string, string]>): void {
    const labelWidth = 120;
    for (const [label, value] of rows) {
      this.doc.font(FONT.regular).fontSize(10);
      const h = Math.max(
        this.doc.heightOfString(label, { width: labelWidth }),
        this.doc.heightOfString(value, { width: this.width - labelWidth }),
      );
      this.ensureSpace(h + 4);
      const top = this.doc.y;
      this.doc.fillColor(COLORS.muted).text(label, this.left, top, { width: labelWidth });
      this.doc
        .fillColor(COLORS.text)
        .text(value, this.left + labelWidth, top, { width: this.width - labelWidth });
      this.doc.y = top + h + 4;
    }
  }

  /**
   * A bordered table that breaks across pages and repeats its header. Widths are fractions of the
   * text width. A cell taller than a page is cut with an ellipsis rather than breaking the layout.
   */
  table(columns: Column[], rows: string[][], options: { boldLastRow?: boolean } = {}): void {
    const pad = 4;
    const size = 9;
    const widths = columns.map((c) => c.width * this.width);
    const maxRow = this.bottom - this.doc.page.margins.top - 40;
    const measure = (cells: string[], font: string) => {
      this.doc.font(font).fontSize(size);
      let h = 0;
      cells.forEach((cell, i) => {
        h = Math.max(
          h,
          this.doc.heightOfString(cell || " ", { width: (widths[i] ?? 0) - 2 * pad }),
        );
      });
      return Math.min(h + 2 * pad, maxRow);
    };
    const drawRow = (cells: string[], font: string, fill: string | null, height: number) => {
      const top = this.doc.y;
      let x = this.left;
      cells.forEach((cell, i) => {
        const w = widths[i] ?? 0;
        if (fill) this.doc.rect(x, top, w, height).fill(fill);
        this.doc.lineWidth(0.5).strokeColor(COLORS.rule).rect(x, top, w, height).stroke();
        this.doc
          .font(font)
          .fontSize(size)
          .fillColor(COLORS.text)
          .text(cell, x + pad, top + pad, {
            width: w - 2 * pad,
            height: height - 2 * pad,
            ellipsis: true,
            align: columns[i]?.align ?? "left",
          });
        x += w;
      });
      this.doc.x = this.left;
      this.doc.y = top + height;
    };
    const header = columns.map((c) => this.t(c.key));
    const headerHeight = measure(header, FONT.bold);
    const drawHeader = () => drawRow(header, FONT.bold, COLORS.head, headerHeight);

    const firstHeight = rows[0] ? measure(rows[0], FONT.regular) : 0;
    this.ensureSpace(headerHeight + firstHeight);
    drawHeader();
    rows.forEach((row, index) => {
      const font = options.boldLastRow && index === rows.length - 1 ? FONT.bold : FONT.regular;
      const h = measure(row, font);
      if (this.doc.y + h > this.bottom) {
        this.doc.addPage();
        drawHeader();
      }
      drawRow(row, font, null, h);
    });
    this.doc.moveDown(0.5);
  }
}

const points = (n: number) => String(n);
const percent = (n: number | null) => (n === null ? "—" : `${n.toFixed(1)}%`);

function writeReport(w: ReportWriter): void {
  const { doc, data, t } = w;
  const b = data.breakdown;
  const rubric = data.rubric;
  const itemText = new Map<string, LocalizedText>();
  for (const el of rubric.elements)
    for (const sub of el.subElements)
      for (const item of sub.items) itemText.set(item.id, item.text);
  const levelName = (key: string | null) => {
    const level = rubric.levels.find((l) => l.key === key);
    return level ? w.text(level.name) : t("selfReport.noLevel");
  };
  const itemLabel = (id: string) => {
    const text = itemText.get(id);
    return text ? `${id} ${w.text(text)}` : id;
  };

  doc
    .font(FONT.bold)
    .fontSize(18)
    .fillColor(COLORS.text)
    .text(t("selfReport.title"), w.left, doc.y, { width: w.width, align: "center" });
  doc.moveDown(1);
  w.fields([
    [t("selfReport.enterprise"), data.enterprise.name],
    [t("selfReport.creditCode"), data.enterprise.creditCode],
    [t("selfReport.authority"), data.authority],
    [
      t("selfReport.rubric"),
      t("selfReport.rubricVersion", {
        title: w.text(rubric.title),
        key: rubric.key,
        version: rubric.version,
      }),
    ],
    [t("selfReport.cycle"), data.cycle],
    [t("selfReport.date"), formatDate(data.asOf, data.locale)],
    [
      t("selfReport.state"),
      data.state === "draft"
        ? t("selfReport.state.draft")
        : t("selfReport.state.other", { state: data.state }),
    ],
  ]);

  w.heading("selfReport.summary");
  const scoreLine =
    b.scoreText === null
      ? t("selfReport.noScore")
      : data.weighted && b.unweightedScoreText !== null && b.unweightedScoreText !== b.scoreText
        ? `${t("selfReport.scoreValue", { score: b.scoreText })}（${t("selfReport.weightedNote", { score: b.unweightedScoreText })}）`
        : t("selfReport.scoreValue", { score: b.scoreText });
  w.fields([
    [t("selfReport.score"), scoreLine],
    [t("selfReport.scoreLevel"), levelName(b.scoreLevel)],
    [t("selfReport.level"), levelName(b.level)],
  ]);
  w.paragraph(
    t("selfReport.counts", {
      items: b.counts.items,
      answered: b.counts.answered,
      na: b.counts.na,
      unanswered: b.counts.unanswered,
    }),
    { color: COLORS.muted },
  );
  doc.moveDown(0.4);
  w.paragraph(t("selfReport.vetoes"), { bold: true });
  if (b.vetoes.length === 0) w.paragraph(t("selfReport.noVetoes"), { color: COLORS.muted });
  for (const v of b.vetoes) w.paragraph(`• ${v.itemId} ${w.text(v.text)}`);
  const failedConditions = rubric.performanceConditions.filter((c) =>
    b.reasons.some(
      (r) =>
        r.code === "performance" &&
        Array.isArray(r.params.conditionIds) &&
        r.params.conditionIds.includes(c.id),
    ),
  );
  if (failedConditions.length > 0) {
    doc.moveDown(0.4);
    w.paragraph(t("selfReport.performance"), { bold: true });
    for (const c of failedConditions) w.paragraph(`• ${w.text(c.text)}`);
  }

  w.heading("selfReport.breakdown");
  const totals = b.elements.reduce(
    (acc, el) => ({
      standard: acc.standard + el.standard * 100,
      applicable: acc.applicable + el.applicable * 100,
      obtained: acc.obtained + el.obtained * 100,
    }),
    { standard: 0, applicable: 0, obtained: 0 },
  );
  w.table(
    [
      { key: "selfReport.col.element", width: 0.44 },
      { key: "selfReport.col.standard", width: 0.14, align: "right" },
      { key: "selfReport.col.applicable", width: 0.14, align: "right" },
      { key: "selfReport.col.obtained", width: 0.14, align: "right" },
      { key: "selfReport.col.percentage", width: 0.14, align: "right" },
    ],
    [
      ...b.elements.map((el) => [
        `${el.id} ${w.text(el.title)}`,
        points(el.standard),
        points(el.applicable),
        points(el.obtained),
        percent(el.percentage),
      ]),
      [
        t("selfReport.total"),
        points(Math.round(totals.standard) / 100),
        points(Math.round(totals.applicable) / 100),
        points(Math.round(totals.obtained) / 100),
        percent(b.unweightedScore),
      ],
    ],
    { boldLastRow: true },
  );

  w.heading("selfReport.deductions");
  if (b.deductions.length === 0) w.paragraph(t("selfReport.noDeductions"), { color: COLORS.muted });
  else
    w.table(
      [
        { key: "selfReport.col.item", width: 0.3 },
        { key: "selfReport.col.rule", width: 0.28 },
        { key: "selfReport.col.count", width: 0.08, align: "right" },
        { key: "selfReport.col.points", width: 0.09, align: "right" },
        { key: "selfReport.col.note", width: 0.25 },
      ],
      b.deductions.map((d) => [
        itemLabel(d.itemId),
        d.kind === "none" ? t("selfReport.ruleNone") : w.text(d.text),
        String(d.count),
        points(d.points),
        d.note ?? "",
      ]),
    );

  w.heading("selfReport.missing");
  if (b.unanswered.length === 0 && data.missingEvidence.length === 0) {
    w.paragraph(t("selfReport.nothingMissing"), { color: COLORS.muted });
  }
  if (b.unanswered.length > 0) {
    w.paragraph(t("selfReport.missingAnswers", { count: b.unanswered.length }), { bold: true });
    for (const id of b.unanswered) w.paragraph(`• ${itemLabel(id)}`);
    doc.moveDown(0.4);
  }
  if (data.missingEvidence.length > 0) {
    w.paragraph(t("selfReport.missingEvidence", { count: data.missingEvidence.length }), {
      bold: true,
    });
    for (const id of data.missingEvidence) w.paragraph(`• ${itemLabel(id)}`);
  }

  w.heading("selfReport.nextLevel");
  const next = b.toNextLevel;
  if (!next) w.paragraph(t("selfReport.noNextLevel"), { color: COLORS.muted });
  else {
    const target = rubric.levels.find((l) => l.key === next.targetLevel);
    w.paragraph(
      t("selfReport.nextLevelTarget", {
        level: levelName(next.targetLevel),
        minScore: target?.minScore ?? "",
        points: next.pointsNeeded.toFixed(1),
      }),
    );
    doc.moveDown(0.3);
    if (next.candidates.length > 0)
      w.table(
        [
          { key: "selfReport.col.item", width: 0.64 },
          { key: "selfReport.col.current", width: 0.18, align: "right" },
          { key: "selfReport.col.gain", width: 0.18, align: "right" },
        ],
        next.candidates.map((c) => [
          itemLabel(c.itemId),
          `${points(c.currentObtained)} / ${points(c.points)}`,
          `+${c.gain}`,
        ]),
      );
  }
  doc.moveDown(1);
  w.paragraph(t("selfReport.declaration"), { color: COLORS.muted, size: 9 });
}

function writePageFooters(w: ReportWriter): void {
  const { doc, data, t } = w;
  const range = doc.bufferedPageRange();
  const footer = t("selfReport.footer", {
    enterprise: data.enterprise.name,
    cycle: data.cycle,
    version: data.version,
  });
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin must not start a new page.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - bottomMargin + 18;
    doc.font(FONT.regular).fontSize(8).fillColor(COLORS.muted);
    doc.text(footer, w.left, y, {
      width: w.width * 0.7,
      lineBreak: false,
      ellipsis: true,
      height: 12,
    });
    doc.text(
      t("selfReport.page", { page: i - range.start + 1, pages: range.count }),
      w.left + w.width * 0.7,
      y,
      {
        width: w.width * 0.3,
        align: "right",
        lineBreak: false,
      },
    );
    doc.page.margins.bottom = bottomMargin;
  }
}

/** Starts rendering; the returned document is a Readable stream of the PDF bytes. */
export function renderSelfAssessmentReport(data: SelfAssessmentReportData, fonts: CjkFonts): Doc {
  const t = (key: MessageKey, params?: MessageParams) => translate(data.locale, key, params);
  const doc = new PDFDocument({
    size: PAGE.size,
    margin: PAGE.margin,
    bufferPages: true,
    lang: data.locale,
    displayTitle: true,
    info: {
      Title: `${t("selfReport.title")} — ${data.enterprise.name}`,
      Author: data.enterprise.name,
      Subject: `${data.rubric.key}@${data.rubric.version} ${data.cycle}`,
      // Part of the info dictionary, hence of the document ID: one ID per assessment version.
      Keywords: `assessment:${data.assessmentId};version:${data.version}`,
      Creator: "SafeGrade",
      Producer: "SafeGrade (pdfkit)",
      CreationDate: data.asOf,
      ModDate: data.asOf,
    },
  });
  doc.registerFont(FONT.regular, fonts.regular);
  doc.registerFont(FONT.bold, fonts.bold);
  const writer = new ReportWriter(doc, data);
  writeReport(writer);
  writePageFooters(writer);
  doc.end();
  return doc;
}

export async function renderSelfAssessmentReportBuffer(
  data: SelfAssessmentReportData,
): Promise<Buffer> {
  const doc = renderSelfAssessmentReport(data, await loadCjkFonts());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
}
