/** Work-safety credit list emails (Step 6 queues them; links go to /t/<slug>/credit/<recordId>). */
import { z } from "zod";
import { isMessageKey, translate } from "~/i18n";
import { defineEmail } from "./define";
import { formatDate, pick, type EmailContext } from "./layout";

function conditionLabel(ctx: EmailContext, key: string): string {
  const messageKey = `credit.condition.${key}`;
  return isMessageKey(messageKey) ? translate(ctx.locale, messageKey) : key;
}

const recordUrl = (ctx: EmailContext, recordId: string) =>
  `${ctx.appUrl}/t/${ctx.tenantSlug}/credit/${encodeURIComponent(recordId)}`;
const openRecord = (ctx: EmailContext) => pick(ctx.locale, { "zh-CN": "查看记录", en: "Open the record" });
const subjectFacts = (ctx: EmailContext, d: { subjectName: string; creditCode?: string }) => {
  const facts: Array<[string, string]> = [[pick(ctx.locale, { "zh-CN": "主体", en: "Entity" }), d.subjectName]];
  if (d.creditCode) facts.push([pick(ctx.locale, { "zh-CN": "统一社会信用代码", en: "Credit code" }), d.creditCode]);
  return facts;
};

const SAMPLE_BASE = { recordId: "665f000000000000000000d1", subjectName: "成都示例化工有限公司", creditCode: "91510100MA6CXXXX0X" };

export const creditNotice = defineEmail({
  schema: z.object({
    recordId: z.string(),
    subjectName: z.string(),
    creditCode: z.string(),
    conditionKey: z.string(),
    defenceDeadline: z.string().nullable(),
  }),
  sample: { ...SAMPLE_BASE, conditionKey: "c2023_concealed_accident", defenceDeadline: "2026-07-15T15:59:59.999Z" },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, {
      "zh-CN": `拟列入安全生产失信名单告知：${d.subjectName}`,
      en: `Notice of intended credit listing: ${d.subjectName}`,
    }),
    paragraphs: [
      pick(ctx.locale, {
        "zh-CN": `${ctx.tenantName} 拟将贵单位列入安全生产严重失信主体名单，事由：${conditionLabel(ctx, d.conditionKey)}。`,
        en: `${ctx.tenantName} intends to put your organisation on the work-safety serious-dishonesty list. Ground: ${conditionLabel(ctx, d.conditionKey)}.`,
      }),
      pick(ctx.locale, {
        "zh-CN": `贵单位有权陈述和申辩，请于 ${formatDate(d.defenceDeadline)} 前在系统中提交。逾期未提交视为放弃。`,
        en: `You have the right to state your case and defend yourself: submit it in the system by ${formatDate(d.defenceDeadline)}. Without a response by then the right is waived.`,
      }),
    ],
    facts: [
      ...subjectFacts(ctx, d),
      [pick(ctx.locale, { "zh-CN": "申辩截止", en: "Defence deadline" }), formatDate(d.defenceDeadline)],
    ],
    action: { label: pick(ctx.locale, { "zh-CN": "陈述申辩", en: "Respond" }), url: recordUrl(ctx, d.recordId) },
  }),
});

export const creditListed = defineEmail({
  schema: z.object({
    recordId: z.string(),
    subjectName: z.string(),
    creditCode: z.string(),
    conditionKey: z.string(),
    listedAt: z.string().nullable(),
    endsAt: z.string().nullable(),
  }),
  sample: { ...SAMPLE_BASE, conditionKey: "c2023_concealed_accident", listedAt: "2026-07-20T02:00:00.000Z", endsAt: "2029-07-20T15:59:59.999Z" },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, {
      "zh-CN": `已列入安全生产失信名单：${d.subjectName}`,
      en: `Put on the work-safety credit list: ${d.subjectName}`,
    }),
    paragraphs: [
      pick(ctx.locale, {
        "zh-CN": `${ctx.tenantName} 决定将贵单位列入安全生产严重失信主体名单，事由：${conditionLabel(ctx, d.conditionKey)}。名单信息将依法公示，并实施联合惩戒。`,
        en: `${ctx.tenantName} put your organisation on the work-safety serious-dishonesty list. Ground: ${conditionLabel(ctx, d.conditionKey)}. The listing is published and joint sanctions apply.`,
      }),
      pick(ctx.locale, {
        "zh-CN": "满足条件后可申请信用修复。",
        en: "Once the conditions are met you may apply for credit repair.",
      }),
    ],
    facts: [
      ...subjectFacts(ctx, d),
      [pick(ctx.locale, { "zh-CN": "列入日期", en: "Listed on" }), formatDate(d.listedAt)],
      [pick(ctx.locale, { "zh-CN": "公示期满", en: "Listing ends" }), formatDate(d.endsAt)],
    ],
    action: { label: openRecord(ctx), url: recordUrl(ctx, d.recordId) },
  }),
});

export const creditRepairDecided = defineEmail({
  schema: z.object({
    recordId: z.string(),
    subjectName: z.string(),
    granted: z.boolean(),
    reasons: z.union([z.string(), z.array(z.string())]).default(""),
  }),
  sample: { recordId: SAMPLE_BASE.recordId, subjectName: SAMPLE_BASE.subjectName, granted: false, reasons: "整改未完成，未提交信用承诺书" },
  content: (d, ctx) => {
    const reasons = Array.isArray(d.reasons) ? d.reasons.join("；") : d.reasons;
    return {
      subject: d.granted
        ? pick(ctx.locale, { "zh-CN": `信用修复申请已通过：${d.subjectName}`, en: `Credit repair granted: ${d.subjectName}` })
        : pick(ctx.locale, { "zh-CN": `信用修复申请未通过：${d.subjectName}`, en: `Credit repair refused: ${d.subjectName}` }),
      paragraphs: [
        d.granted
          ? pick(ctx.locale, {
              "zh-CN": `${ctx.tenantName} 同意贵单位的信用修复申请，贵单位将移出失信名单。`,
              en: `${ctx.tenantName} granted your credit repair application; your organisation will be removed from the list.`,
            })
          : pick(ctx.locale, {
              "zh-CN": `${ctx.tenantName} 未同意贵单位的信用修复申请。`,
              en: `${ctx.tenantName} refused your credit repair application.`,
            }),
        reasons,
      ],
      facts: subjectFacts(ctx, d),
      action: { label: openRecord(ctx), url: recordUrl(ctx, d.recordId) },
    };
  },
});

export const creditRemoved = defineEmail({
  schema: z.object({ recordId: z.string(), subjectName: z.string(), removalReason: z.string().nullable().default(null) }),
  sample: { recordId: SAMPLE_BASE.recordId, subjectName: SAMPLE_BASE.subjectName, removalReason: "repaired" },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, {
      "zh-CN": `已移出安全生产失信名单：${d.subjectName}`,
      en: `Removed from the work-safety credit list: ${d.subjectName}`,
    }),
    paragraphs: [
      pick(ctx.locale, {
        "zh-CN": `${ctx.tenantName} 已将贵单位移出安全生产严重失信主体名单，相关惩戒措施同步解除。`,
        en: `${ctx.tenantName} removed your organisation from the work-safety serious-dishonesty list; the related sanctions end.`,
      }),
    ],
    facts: [...subjectFacts(ctx, d), [pick(ctx.locale, { "zh-CN": "移出原因", en: "Reason" }), removalLabel(ctx, d.removalReason)]],
    action: { label: openRecord(ctx), url: recordUrl(ctx, d.recordId) },
  }),
});

const REMOVAL_REASONS: Record<string, { "zh-CN": string; en: string }> = {
  expired: { "zh-CN": "公示期满", en: "listing period ended" },
  repaired: { "zh-CN": "信用修复", en: "credit repaired" },
  revoked: { "zh-CN": "决定撤销", en: "decision revoked" },
  error: { "zh-CN": "错误更正", en: "listed in error" },
};
function removalLabel(ctx: EmailContext, reason: string | null): string {
  if (!reason) return "—";
  const known = REMOVAL_REASONS[reason];
  return known ? pick(ctx.locale, known) : reason;
}
