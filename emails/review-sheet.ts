/**
 * The review sheet's emails (Step 10), queued by app/data/grading/review-sheet-mail.server.ts:
 * a member's part of the review changed (the lead split the elements), and the sheet is complete
 * and confirmed by every member (the lead may file the report).
 */
import { z } from "zod";
import { defineEmail } from "./define";
import { absoluteUrl, pick, type Texts } from "./layout";

const OPEN_SHEET: Texts = { "zh-CN": "打开评审记录", en: "Open the review sheet" };

export const reviewPartAssigned = defineEmail({
  schema: z.object({
    applicationId: z.string(),
    enterpriseName: z.string(),
    cycle: z.string().default(""),
    /** The elements this member scores now (ids with titles); empty = none any more. */
    elements: z.array(z.string()).max(200),
    path: z.string().startsWith("/"),
  }),
  sample: {
    applicationId: "665f000000000000000000a1",
    enterpriseName: "成都示例化工有限公司",
    cycle: "2026",
    elements: ["E4 现场管理", "E5 安全风险管控及隐患排查治理"],
    path: "/t/chengdu/reviews/665f000000000000000000a1?element=E4",
  },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, { "zh-CN": `评审分工已调整：${d.enterpriseName}`, en: `Your part of the review changed: ${d.enterpriseName}` }),
    paragraphs: [
      d.elements.length > 0
        ? pick(ctx.locale, {
            "zh-CN": `评审组组长调整了 ${d.enterpriseName} 的评审分工，以下要素由您评分，完成后请确认您负责的部分。`,
            en: `The panel lead changed the split of ${d.enterpriseName}'s review. You score the elements below; confirm your part when it is done.`,
          })
        : pick(ctx.locale, {
            "zh-CN": `评审组组长调整了 ${d.enterpriseName} 的评审分工，您不再负责任何要素，请查看后确认。`,
            en: `The panel lead changed the split of ${d.enterpriseName}'s review; no element is yours any more. Please check and confirm.`,
          }),
      ...d.elements,
    ],
    facts: d.cycle ? [[pick(ctx.locale, { "zh-CN": "申请年度", en: "Cycle" }), d.cycle]] : [],
    action: { label: pick(ctx.locale, OPEN_SHEET), url: absoluteUrl(ctx, d.path) },
  }),
});

export const reviewSheetComplete = defineEmail({
  schema: z.object({
    applicationId: z.string(),
    enterpriseName: z.string(),
    cycle: z.string().default(""),
    score: z.number().nullable(),
    path: z.string().startsWith("/"),
  }),
  sample: {
    applicationId: "665f000000000000000000a1",
    enterpriseName: "成都示例化工有限公司",
    cycle: "2026",
    score: 86.4,
    path: "/t/chengdu/reviews/665f000000000000000000a1",
  },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, { "zh-CN": `评审记录已全部确认：${d.enterpriseName}`, en: `Review sheet confirmed by the whole panel: ${d.enterpriseName}` }),
    paragraphs: [
      pick(ctx.locale, {
        "zh-CN": `${d.enterpriseName} 的评审记录已全部评分，评审组成员均已确认，您可以提交评审报告。`,
        en: `Every item of ${d.enterpriseName}'s review sheet is scored and every panel member confirmed; you can file the review report.`,
      }),
    ],
    facts: [
      [pick(ctx.locale, { "zh-CN": "评审得分", en: "Review score" }), d.score === null ? "—" : d.score.toFixed(1)],
      ...(d.cycle ? ([[pick(ctx.locale, { "zh-CN": "申请年度", en: "Cycle" }), d.cycle]] as Array<[string, string]>) : []),
    ],
    action: { label: pick(ctx.locale, OPEN_SHEET), url: absoluteUrl(ctx, d.path) },
  }),
});
