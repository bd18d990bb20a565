/**
 * Grading workflow emails: the effects of app/workflows/grading.machine.ts (GRADING_EMAIL_TEMPLATES),
 * queued by carryOutEffects in app/data/grading.server.ts, plus the deadline reminders.
 */
import { z } from "zod";
import type { GradingEmailTemplate } from "~/workflows/grading.machine";
import { defineEmail, type AnyEmailTemplate } from "./define";
import { absoluteUrl, formatDate, pick, type EmailContext, type Texts } from "./layout";

const gradingData = z.object({
  applicationId: z.string(),
  enterpriseName: z.string(),
  cycle: z.string().default(""),
  /** App path of the page to open (the application, or the review for reviewers). */
  path: z.string().startsWith("/"),
  reason: z.string().nullable().default(null),
  appliedLevel: z.string().nullable().default(null),
  reportedLevel: z.string().nullable().default(null),
  deadlines: z
    .object({
      acceptBy: z.string().optional(),
      reviewBy: z.string().optional(),
      rectifyBy: z.string().optional(),
      noticeEndsAt: z.string().optional(),
    })
    .default({}),
});
type GradingData = z.output<typeof gradingData>;

const sample: z.input<typeof gradingData> = {
  applicationId: "665f000000000000000000a1",
  enterpriseName: "成都示例化工有限公司",
  cycle: "2026",
  path: "/t/chengdu/applications/665f000000000000000000a1",
  reason: "现场记录缺少 2025 年第四季度隐患排查台账",
  appliedLevel: "level2",
  reportedLevel: "level3",
  deadlines: {
    acceptBy: "2026-06-10T15:59:59.999Z",
    reviewBy: "2026-07-10T15:59:59.999Z",
    rectifyBy: "2026-07-20T15:59:59.999Z",
    noticeEndsAt: "2026-08-05T15:59:59.999Z",
  },
};

type Spec = {
  subject: (d: GradingData) => Texts;
  body: (d: GradingData, ctx: EmailContext) => Texts[];
  action: Texts;
  attachCertificate?: boolean;
};

const L = (locale: EmailContext["locale"]) => ({
  enterprise: pick(locale, { "zh-CN": "企业", en: "Enterprise" }),
  cycle: pick(locale, { "zh-CN": "申请年度", en: "Cycle" }),
  applied: pick(locale, { "zh-CN": "申请等级", en: "Level applied for" }),
  reported: pick(locale, { "zh-CN": "评审等级", en: "Level reported" }),
  reason: pick(locale, { "zh-CN": "原因/说明", en: "Reason" }),
});

const DEADLINE_LABELS: Record<string, Texts> = {
  acceptBy: { "zh-CN": "受理期限", en: "Acceptance due" },
  reviewBy: { "zh-CN": "评审期限", en: "Review due" },
  rectifyBy: { "zh-CN": "整改期限", en: "Rectification due" },
  noticeEndsAt: { "zh-CN": "公示截止", en: "Public notice ends" },
};

function gradingEmail(spec: Spec): AnyEmailTemplate {
  return defineEmail({
    schema: gradingData,
    sample,
    attachCertificate: spec.attachCertificate,
    content: (d, ctx) => {
      const l = L(ctx.locale);
      const facts: Array<[string, string]> = [[l.enterprise, d.enterpriseName]];
      if (d.cycle) facts.push([l.cycle, d.cycle]);
      if (d.appliedLevel) facts.push([l.applied, d.appliedLevel]);
      if (d.reportedLevel) facts.push([l.reported, d.reportedLevel]);
      for (const [key, value] of Object.entries(d.deadlines)) {
        const label = DEADLINE_LABELS[key];
        if (label && value) facts.push([pick(ctx.locale, label), formatDate(value)]);
      }
      if (d.reason) facts.push([l.reason, d.reason]);
      return {
        subject: pick(ctx.locale, spec.subject(d)),
        paragraphs: spec.body(d, ctx).map((t) => pick(ctx.locale, t)),
        facts,
        action: { label: pick(ctx.locale, spec.action), url: absoluteUrl(ctx, d.path) },
      };
    },
  });
}

const OPEN_APP: Texts = { "zh-CN": "查看申请", en: "Open the application" };
const OPEN_REVIEW: Texts = { "zh-CN": "查看评审任务", en: "Open the review" };

export const gradingEmails: Record<GradingEmailTemplate, AnyEmailTemplate> = {
  "application-submitted": gradingEmail({
    subject: (d) => ({ "zh-CN": `新的定级申请待受理：${d.enterpriseName}`, en: `New grading application to accept: ${d.enterpriseName}` }),
    body: (d, ctx) => [
      {
        "zh-CN": `${d.enterpriseName} 向 ${ctx.tenantName} 提交了安全生产标准化定级申请，请在受理期限前受理或退回。`,
        en: `${d.enterpriseName} submitted a work-safety standardization grading application to ${ctx.tenantName}. Please accept or return it before the acceptance deadline.`,
      },
    ],
    action: OPEN_APP,
  }),
  "application-withdrawn": gradingEmail({
    subject: (d) => ({ "zh-CN": `定级申请已撤回：${d.enterpriseName}`, en: `Grading application withdrawn: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `${d.enterpriseName} 撤回了定级申请，无需继续办理。`, en: `${d.enterpriseName} withdrew its grading application; no further action is needed.` }],
    action: OPEN_APP,
  }),
  "application-accepted": gradingEmail({
    subject: () => ({ "zh-CN": "您的定级申请已受理", en: "Your grading application was accepted" }),
    body: (_d, ctx) => [{ "zh-CN": `${ctx.tenantName} 已受理贵企业的定级申请，接下来将委派评审专家进行现场评审。`, en: `${ctx.tenantName} accepted your grading application and will now assign review experts for the on-site review.` }],
    action: OPEN_APP,
  }),
  "application-returned": gradingEmail({
    subject: () => ({ "zh-CN": "您的定级申请被退回，请修改后重新提交", en: "Your grading application was returned for changes" }),
    body: (d, ctx) => [
      { "zh-CN": `${ctx.tenantName} 退回了贵企业的定级申请，原因如下。请修改后重新提交。`, en: `${ctx.tenantName} returned your grading application for the reason below. Please correct it and submit again.` },
      { "zh-CN": d.reason ?? "（未说明原因）", en: d.reason ?? "(no reason given)" },
    ],
    action: OPEN_APP,
  }),
  "reviewers-assigned": gradingEmail({
    subject: (d) => ({ "zh-CN": `评审任务：${d.enterpriseName}`, en: `Review assignment: ${d.enterpriseName}` }),
    body: (d, ctx) => [{ "zh-CN": `${ctx.tenantName} 委派您参加 ${d.enterpriseName} 的安全生产标准化定级评审，请在评审期限前完成评分。`, en: `${ctx.tenantName} assigned you to review ${d.enterpriseName}'s work-safety standardization grading. Please score it before the review deadline.` }],
    action: OPEN_REVIEW,
  }),
  "review-body-assigned": gradingEmail({
    subject: (d) => ({ "zh-CN": `委托评审：${d.enterpriseName}`, en: `Review commissioned: ${d.enterpriseName}` }),
    body: (d, ctx) => [
      {
        "zh-CN": `${ctx.tenantName} 委托贵单位对 ${d.enterpriseName} 进行安全生产标准化定级评审。请从本单位评审专家中组建评审组（至少两名专家，其中一名为组长）。`,
        en: `${ctx.tenantName} commissioned your review body to review ${d.enterpriseName}'s work-safety standardization grading. Please form a panel from your experts (at least two experts, one of them the lead).`,
      },
    ],
    action: { "zh-CN": "组建评审组", en: "Form the panel" },
  }),
  "panel-member-removed": gradingEmail({
    subject: (d) => ({ "zh-CN": `评审任务已调整：${d.enterpriseName}`, en: `Review assignment withdrawn: ${d.enterpriseName}` }),
    body: (d) => [
      {
        "zh-CN": `您已不再是 ${d.enterpriseName} 定级评审组的成员，无需继续评审该申请。`,
        en: `You are no longer on the panel reviewing ${d.enterpriseName}; no further work on this application is needed.`,
      },
    ],
    action: OPEN_REVIEW,
  }),
  "review-started": gradingEmail({
    subject: () => ({ "zh-CN": "您的定级申请已进入现场评审", en: "The on-site review of your application has started" }),
    body: () => [{ "zh-CN": "评审专家已开始现场评审，请配合提供资料。", en: "The review experts have started the on-site review; please be ready to provide documents." }],
    action: OPEN_APP,
  }),
  "rectification-requested": gradingEmail({
    subject: () => ({ "zh-CN": "评审专家要求整改", en: "Rectification requested by the reviewers" }),
    body: (d) => [
      { "zh-CN": "评审专家在现场评审中发现问题，要求贵企业在整改期限前完成整改并提交整改材料。", en: "The review experts found issues during the on-site review and ask you to rectify them and submit evidence before the rectification deadline." },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
    action: OPEN_APP,
  }),
  "rectification-submitted": gradingEmail({
    subject: (d) => ({ "zh-CN": `企业已提交整改：${d.enterpriseName}`, en: `Rectification submitted: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `${d.enterpriseName} 已提交整改材料，请继续评审。`, en: `${d.enterpriseName} submitted its rectification; please continue the review.` }],
    action: OPEN_REVIEW,
  }),
  "review-reported": gradingEmail({
    subject: (d) => ({ "zh-CN": `评审报告已提交：${d.enterpriseName}`, en: `Review reported: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `评审专家已提交 ${d.enterpriseName} 的评审报告，请审核。`, en: `The review experts reported on ${d.enterpriseName}; please decide on the application.` }],
    action: OPEN_APP,
  }),
  "lower-level-consent-requested": gradingEmail({
    subject: () => ({ "zh-CN": "请确认是否接受较低等级", en: "Please confirm whether you accept a lower level" }),
    body: () => [{ "zh-CN": "评审结论低于贵企业申请的等级。请确认是否同意按评审等级定级；不同意则本次申请不予通过。", en: "The review result is below the level you applied for. Please confirm whether you accept the reported level; if not, the application is refused." }],
    action: OPEN_APP,
  }),
  "lower-level-consented": gradingEmail({
    subject: (d) => ({ "zh-CN": `企业同意按较低等级定级：${d.enterpriseName}`, en: `Enterprise accepts the lower level: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `${d.enterpriseName} 同意按评审等级定级，请继续审核。`, en: `${d.enterpriseName} accepted the reported level; please continue.` }],
    action: OPEN_APP,
  }),
  "lower-level-declined": gradingEmail({
    subject: (d) => ({ "zh-CN": `企业不同意较低等级：${d.enterpriseName}`, en: `Enterprise declines the lower level: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `${d.enterpriseName} 不同意按评审等级定级。`, en: `${d.enterpriseName} declined the reported level.` }],
    action: OPEN_APP,
  }),
  "application-approved": gradingEmail({
    subject: () => ({ "zh-CN": "您的定级申请已审核通过，即将公示", en: "Your grading application was approved and will be published" }),
    body: (_d, ctx) => [{ "zh-CN": `${ctx.tenantName} 已审核通过贵企业的定级申请，将进行公示。`, en: `${ctx.tenantName} approved your grading application; a public notice follows.` }],
    action: OPEN_APP,
  }),
  "application-rejected": gradingEmail({
    subject: () => ({ "zh-CN": "您的定级申请未予通过", en: "Your grading application was rejected" }),
    body: (d, ctx) => [
      { "zh-CN": `${ctx.tenantName} 决定对贵企业的定级申请不予通过。`, en: `${ctx.tenantName} decided not to grant your grading application.` },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
    action: OPEN_APP,
  }),
  "public-notice-started": gradingEmail({
    subject: () => ({ "zh-CN": "定级结果公示已开始", en: "The public notice of your grading has started" }),
    body: (d) => [
      {
        "zh-CN": `贵企业的定级结果已在公示期内，公示截止日期：${formatDate(d.deadlines.noticeEndsAt)}。公示期内任何人可提出异议。`,
        en: `Your grading result is under public notice until ${formatDate(d.deadlines.noticeEndsAt)}; anyone may object during this period.`,
      },
    ],
    action: OPEN_APP,
  }),
  "objection-received": gradingEmail({
    subject: (d) => ({ "zh-CN": `公示期收到异议：${d.enterpriseName}`, en: `Objection received: ${d.enterpriseName}` }),
    body: (d) => [
      { "zh-CN": `${d.enterpriseName} 的定级公示收到异议，公示暂停，待核实处理。`, en: `An objection to ${d.enterpriseName}'s public notice was received; the notice is paused until it is resolved.` },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
    action: OPEN_APP,
  }),
  // Step 10: the authority verifies an objection; the objector's name and contact never appear here.
  "objection-upheld": gradingEmail({
    subject: (d) => ({ "zh-CN": `公示异议经核实成立，重新评审：${d.enterpriseName}`, en: `Objection upheld, back to review: ${d.enterpriseName}` }),
    body: (d) => [
      { "zh-CN": `经核实，${d.enterpriseName} 定级公示期间收到的异议成立，申请退回评审组重新评审。`, en: `After verification, the objection to ${d.enterpriseName}'s public notice was upheld; the application goes back to the review panel.` },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
    action: OPEN_APP,
  }),
  "objection-dismissed": gradingEmail({
    subject: (d) => ({ "zh-CN": `公示异议经核实不成立，公示继续：${d.enterpriseName}`, en: `Objection dismissed, the public notice continues: ${d.enterpriseName}` }),
    body: (d) => [
      { "zh-CN": `经核实，${d.enterpriseName} 定级公示期间收到的异议不成立，公示继续进行。`, en: `After verification, the objection to ${d.enterpriseName}'s public notice was dismissed; the notice continues.` },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
    action: OPEN_APP,
  }),
  // Step 10: the organizing unit checks the review report before the authority's approval.
  "report-checked": gradingEmail({
    subject: (d) => ({ "zh-CN": `评审报告已经组织单位审核，待审核批准：${d.enterpriseName}`, en: `Review report checked by the organizing unit, awaiting approval: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `组织单位已审核 ${d.enterpriseName} 的评审报告，请定级部门审核。`, en: `The organizing unit checked the review report of ${d.enterpriseName}; it now awaits the grading authority's approval.` }],
    action: OPEN_APP,
  }),
  "report-returned": gradingEmail({
    subject: (d) => ({ "zh-CN": `评审报告被组织单位退回：${d.enterpriseName}`, en: `Review report returned by the organizing unit: ${d.enterpriseName}` }),
    body: (d) => [
      { "zh-CN": `组织单位退回了 ${d.enterpriseName} 的评审报告，请评审组修改后重新提交。`, en: `The organizing unit returned the review report of ${d.enterpriseName}; please revise it and report again.` },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
    action: OPEN_REVIEW,
  }),
  "public-notice-ended": gradingEmail({
    subject: (d) => ({ "zh-CN": `公示期满：${d.enterpriseName}`, en: `Public notice ended: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `${d.enterpriseName} 的定级公示已期满，可以公告定级结果。`, en: `The public notice of ${d.enterpriseName} has ended; the grading can now be certified.` }],
    action: OPEN_APP,
  }),
  "application-certified": gradingEmail({
    subject: () => ({ "zh-CN": "恭喜！贵企业已通过安全生产标准化定级", en: "Congratulations: your enterprise is certified" }),
    body: (d, ctx) => [
      {
        "zh-CN": `${ctx.tenantName} 已公告贵企业定级为安全生产标准化${d.reportedLevel ?? ""}企业。证书（PDF）见附件，也可在系统中下载。`,
        en: `${ctx.tenantName} certified your enterprise at work-safety standardization level ${d.reportedLevel ?? ""}. The certificate (PDF) is attached and can also be downloaded in the system.`,
      },
    ],
    action: OPEN_APP,
    attachCertificate: true,
  }),
  // Fast-track renewal (复评/延期, issue 16 item 4).
  "renewal-fast-tracked": gradingEmail({
    subject: () => ({ "zh-CN": "复评申请已确认，直接进入公示", en: "Renewal confirmed: straight to public notice" }),
    body: (d, ctx) => [
      {
        "zh-CN": `${ctx.tenantName} 确认贵企业符合快速复评条件，复评申请直接进入公示，公示截止日期：${formatDate(d.deadlines.noticeEndsAt)}。公示期满无异议的，将公告并换发新证书，有效期自公告之日起计算。`,
        en: `${ctx.tenantName} confirmed that your enterprise is eligible for the fast-track renewal. The application is under public notice until ${formatDate(d.deadlines.noticeEndsAt)}; afterwards a new certificate is issued, valid from its announcement.`,
      },
    ],
    action: OPEN_APP,
  }),
  "renewal-full-path": gradingEmail({
    subject: () => ({ "zh-CN": "复评申请转入完整定级程序", en: "Your renewal goes down the full grading path" }),
    body: (d, ctx) => [
      {
        "zh-CN": `${ctx.tenantName} 经核对，贵企业的复评申请不适用快速复评，已转入完整定级程序（受理、现场评审、审核、公示），原因如下。`,
        en: `${ctx.tenantName} checked your renewal application: it does not qualify for the fast track and goes down the full grading path (acceptance, on-site review, approval, public notice) for the reason below.`,
      },
      { "zh-CN": d.reason ?? "（未说明原因）", en: d.reason ?? "(no reason given)" },
    ],
    action: OPEN_APP,
  }),
  "application-stopped": gradingEmail({
    subject: (d) => ({ "zh-CN": `定级申请已终止：${d.enterpriseName}`, en: `Grading application stopped: ${d.enterpriseName}` }),
    body: (d) => [{ "zh-CN": `${d.enterpriseName} 被列入安全生产失信名单，定级申请依规终止。`, en: `${d.enterpriseName} was put on a work-safety credit list; its grading application is stopped.` }],
    action: OPEN_APP,
  }),
};

export const deadlineReminder = defineEmail({
  schema: z.object({
    applicationId: z.string(),
    enterpriseName: z.string(),
    cycle: z.string().default(""),
    deadline: z.enum(["acceptBy", "reviewBy", "rectifyBy"]),
    dueAt: z.string(),
    workingDaysLeft: z.number(),
    overdue: z.boolean(),
    path: z.string().startsWith("/"),
  }),
  sample: {
    applicationId: "665f000000000000000000a1",
    enterpriseName: "成都示例化工有限公司",
    cycle: "2026",
    deadline: "reviewBy",
    dueAt: "2026-07-10T15:59:59.999Z",
    workingDaysLeft: 2,
    overdue: false,
    path: "/t/chengdu/reviews/665f000000000000000000a1",
  },
  content: (d, ctx) => {
    const what = pick(ctx.locale, DEADLINE_LABELS[d.deadline] ?? { "zh-CN": d.deadline, en: d.deadline });
    const due = formatDate(d.dueAt);
    return {
      subject: d.overdue
        ? pick(ctx.locale, { "zh-CN": `已逾期：${what}（${d.enterpriseName}）`, en: `Overdue: ${what} (${d.enterpriseName})` })
        : pick(ctx.locale, { "zh-CN": `期限提醒：${what} ${due}（${d.enterpriseName}）`, en: `Reminder: ${what} ${due} (${d.enterpriseName})` }),
      paragraphs: [
        d.overdue
          ? pick(ctx.locale, { "zh-CN": `${d.enterpriseName} 的${what}（${due}）已过，请尽快处理。`, en: `The ${what.toLowerCase()} date for ${d.enterpriseName} (${due}) has passed; please act now.` })
          : pick(ctx.locale, {
              "zh-CN": `${d.enterpriseName} 的${what}为 ${due}，还剩 ${d.workingDaysLeft} 个工作日。`,
              en: `${what} for ${d.enterpriseName}: ${due}, ${d.workingDaysLeft} working day(s) left.`,
            }),
      ],
      action: { label: pick(ctx.locale, OPEN_APP), url: absoluteUrl(ctx, d.path) },
    };
  },
});
