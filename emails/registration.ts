/** Self-registration decisions, to the enterprise's administrator. */
import { z } from "zod";
import { defineEmail } from "./define";
import { pick, type EmailContext } from "./layout";

/** The enterprise and its code as facts, and a sign-in button (mails that send the admin to log in). */
function enterpriseFactsAndSignIn(d: { enterpriseName: string; creditCode: string }, ctx: EmailContext) {
  return {
    facts: [
      [pick(ctx.locale, { "zh-CN": "企业", en: "Enterprise" }), d.enterpriseName],
      [pick(ctx.locale, { "zh-CN": "统一社会信用代码", en: "Credit code" }), d.creditCode],
    ] as Array<[string, string]>,
    action: {
      label: pick(ctx.locale, { "zh-CN": "登录", en: "Sign in" }),
      url: `${ctx.appUrl}/t/${ctx.tenantSlug}/login`,
    },
  };
}

export const registrationApproved = defineEmail({
  schema: z.object({
    registrationId: z.string(),
    enterpriseName: z.string(),
    creditCode: z.string(),
    adminName: z.string(),
    email: z.string().optional(),
  }),
  sample: {
    registrationId: "665f00000000000000000001",
    enterpriseName: "成都示例化工有限公司",
    creditCode: "91510100MA6CXXXX0X",
    adminName: "张三",
    email: "zhangsan@example.com",
  },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, {
      "zh-CN": `企业注册已通过：${d.enterpriseName}`,
      en: `Registration approved: ${d.enterpriseName}`,
    }),
    paragraphs: [
      pick(ctx.locale, { "zh-CN": `${d.adminName}，您好：`, en: `Hello ${d.adminName},` }),
      pick(ctx.locale, {
        "zh-CN": `${ctx.tenantName} 已审核通过贵企业的注册申请。您现在可以使用注册时的邮箱和密码登录，开始自评。`,
        en: `${ctx.tenantName} approved your enterprise's registration. Sign in with the email and password you registered with to start the self-assessment.`,
      }),
    ],
    ...enterpriseFactsAndSignIn(d, ctx),
  }),
});

export const registrationRefused = defineEmail({
  schema: z.object({
    registrationId: z.string(),
    enterpriseName: z.string(),
    creditCode: z.string(),
    adminName: z.string(),
    reason: z.string(),
  }),
  sample: {
    registrationId: "665f00000000000000000002",
    enterpriseName: "成都示例化工有限公司",
    creditCode: "91510100MA6CXXXX0X",
    adminName: "张三",
    reason: "营业执照信息与统一社会信用代码不一致",
  },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, {
      "zh-CN": `企业注册未通过：${d.enterpriseName}`,
      en: `Registration refused: ${d.enterpriseName}`,
    }),
    paragraphs: [
      pick(ctx.locale, { "zh-CN": `${d.adminName}，您好：`, en: `Hello ${d.adminName},` }),
      pick(ctx.locale, {
        "zh-CN": `${ctx.tenantName} 未通过贵企业的注册申请，原因如下。您可以更正后重新注册。`,
        en: `${ctx.tenantName} refused your enterprise's registration for the reason below. You may correct it and register again.`,
      }),
      d.reason,
    ],
    facts: [
      [pick(ctx.locale, { "zh-CN": "企业", en: "Enterprise" }), d.enterpriseName],
      [pick(ctx.locale, { "zh-CN": "统一社会信用代码", en: "Credit code" }), d.creditCode],
    ],
    action: {
      label: pick(ctx.locale, { "zh-CN": "重新注册", en: "Register again" }),
      url: `${ctx.appUrl}/t/${ctx.tenantSlug}/register`,
    },
  }),
});

/** Someone registered with an email that already has an account (or a pending registration): the
 * page answers as for any registration, and the mailbox's owner is told instead (decision 016). */
export const registrationEmailExists = defineEmail({
  schema: z.object({ enterpriseName: z.string(), creditCode: z.string() }),
  sample: { enterpriseName: "成都示例化工有限公司", creditCode: "91510100MA6CXXXX0X" },
  content: (d, ctx) => ({
    subject: pick(ctx.locale, {
      "zh-CN": `有人使用您的邮箱在 ${ctx.tenantName} 申请企业注册`,
      en: `Someone used your email to register an enterprise at ${ctx.tenantName}`,
    }),
    paragraphs: [
      pick(ctx.locale, {
        "zh-CN": `有人使用您的邮箱提交了企业注册申请。该邮箱已有 SafeGrade 账户或正在审核的注册申请，因此本次申请未被受理。`,
        en: "Someone submitted an enterprise registration with your email. The email already has a SafeGrade account or a registration under review, so this one was not accepted.",
      }),
      pick(ctx.locale, {
        "zh-CN": "如果是您本人，请直接登录；忘记密码可在登录页找回。如果不是您本人，请忽略此邮件，您的账户不受影响。",
        en: "If this was you, sign in instead; a forgotten password can be reset from the sign-in page. If it was not you, ignore this email: your account is unaffected.",
      }),
    ],
    ...enterpriseFactsAndSignIn(d, ctx),
  }),
});
