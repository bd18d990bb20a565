/** Yearly self-assessment report reminders (30 and 7 days before the due date, and overdue). */
import { z } from "zod";
import { defineEmail, type AnyEmailTemplate } from "./define";
import { absoluteUrl, formatDate, pick, type EmailContext, type Texts } from "./layout";

const reportData = z.object({
  reportId: z.string(),
  enterpriseName: z.string(),
  number: z.string(),
  year: z.number().int().min(1),
  dueAt: z.string(),
  daysBefore: z.number().int().min(0),
  path: z.string().startsWith("/"),
});
type ReportData = z.output<typeof reportData>;

const sample: z.input<typeof reportData> = {
  reportId: "665f000000000000000000d1",
  enterpriseName: "成都示例机械有限公司",
  number: "川AQBJXⅢ202600001",
  year: 1,
  dueAt: "2027-04-01T16:00:00.000Z",
  daysBefore: 30,
  path: "/t/chengdu/yearly-reports/665f000000000000000000d1",
};

function reportEmail(spec: { subject: (d: ReportData) => Texts; body: (d: ReportData, ctx: EmailContext) => Texts[] }): AnyEmailTemplate {
  return defineEmail({
    schema: reportData,
    sample,
    content: (d, ctx) => ({
      subject: pick(ctx.locale, spec.subject(d)),
      paragraphs: spec.body(d, ctx).map((t) => pick(ctx.locale, t)),
      facts: [
        [pick(ctx.locale, { "zh-CN": "企业", en: "Enterprise" }), d.enterpriseName],
        [pick(ctx.locale, { "zh-CN": "证书编号", en: "Certificate" }), d.number],
        [pick(ctx.locale, { "zh-CN": "报告年度", en: "Year of validity" }), String(d.year)],
        [pick(ctx.locale, { "zh-CN": "报送截止", en: "Due by" }), formatDate(d.dueAt)],
      ],
      action: {
        label: pick(ctx.locale, { "zh-CN": "填写年度自评报告", en: "Open the yearly report" }),
        url: absoluteUrl(ctx, d.path),
      },
    }),
  });
}

export const yearlyReportEmails = {
  "yearly-report-reminder": reportEmail({
    subject: (d) => ({
      "zh-CN": `请在 ${formatDate(d.dueAt)} 前报送年度自评报告：${d.number}`,
      en: `Yearly self-assessment report due by ${formatDate(d.dueAt)}: ${d.number}`,
    }),
    body: (d, ctx) => [
      {
        "zh-CN": `贵企业持有的安全生产标准化证书需每年向${ctx.tenantName}报送年度自评报告（含当年事故、重大事故隐患和企业变更情况）。本年度报告将于 ${d.daysBefore} 天后（${formatDate(d.dueAt)}）截止。`,
        en: `Your work-safety standardization certificate requires a yearly self-assessment report to ${ctx.tenantName} (with the year's accidents, major hazards and changes). This year's report is due in ${d.daysBefore} days (${formatDate(d.dueAt)}).`,
      },
    ],
  }),
  "yearly-report-overdue": reportEmail({
    subject: (d) => ({
      "zh-CN": `年度自评报告已逾期：${d.number}`,
      en: `Yearly self-assessment report overdue: ${d.number}`,
    }),
    body: (d, ctx) => [
      {
        "zh-CN": `贵企业本年度的自评报告已于 ${formatDate(d.dueAt)} 截止而未报送。未按规定报送年度自评报告属于安全生产标准化管理体系未有效运行的情形，${ctx.tenantName}可据此撤销证书。请尽快报送。`,
        en: `Your yearly self-assessment report was due on ${formatDate(d.dueAt)} and has not been sent. A missing yearly report means the standardization system is not kept running, a ground on which ${ctx.tenantName} may revoke the certificate. Please send it now.`,
      },
    ],
  }),
} satisfies Record<string, AnyEmailTemplate>;
