/** Account emails: invitation, password reset. */
import { z } from "zod";
import { defineEmail } from "./define";
import { pick } from "./layout";

const ROLE_LABELS: Record<string, { "zh-CN": string; en: string }> = {
  enterprise_admin: { "zh-CN": "企业管理员", en: "enterprise admin" },
  enterprise_member: { "zh-CN": "企业成员", en: "enterprise member" },
  reviewer: { "zh-CN": "评审专家", en: "review expert" },
  regulator: { "zh-CN": "监管人员", en: "regulator" },
  tenant_admin: { "zh-CN": "辖区管理员", en: "authority administrator" },
};

export const invitation = defineEmail({
  schema: z.object({ link: z.url(), tenantName: z.string().optional(), role: z.string() }),
  sample: { link: "http://localhost:3000/t/chengdu/invite/SAMPLE-TOKEN", role: "reviewer" },
  secrets: ["link"],
  content: (d, ctx) => {
    const role = ROLE_LABELS[d.role]?.[ctx.locale] ?? d.role;
    return {
      subject: pick(ctx.locale, {
        "zh-CN": `${ctx.tenantName} 邀请您加入 SafeGrade`,
        en: `${ctx.tenantName} invites you to SafeGrade`,
      }),
      paragraphs: [
        pick(ctx.locale, {
          "zh-CN": `${ctx.tenantName} 邀请您以“${role}”身份使用安全生产标准化定级系统。`,
          en: `${ctx.tenantName} invites you to the work-safety standardization grading system as ${role}.`,
        }),
        pick(ctx.locale, {
          "zh-CN": "邀请链接 7 天内有效，只能使用一次。如果您不认识发件单位，请忽略此邮件。",
          en: "The link is valid for 7 days and can be used once. If you do not know the sender, ignore this email.",
        }),
      ],
      action: { label: pick(ctx.locale, { "zh-CN": "接受邀请", en: "Accept the invitation" }), url: d.link },
    };
  },
});

export const passwordReset = defineEmail({
  schema: z.object({ link: z.url(), expiresMinutes: z.number().int().positive() }),
  sample: { link: "http://localhost:3000/t/chengdu/reset-password/SAMPLE-TOKEN", expiresMinutes: 60 },
  secrets: ["link"],
  content: (d, ctx) => ({
    subject: pick(ctx.locale, { "zh-CN": "重置您的 SafeGrade 密码", en: "Reset your SafeGrade password" }),
    paragraphs: [
      pick(ctx.locale, {
        "zh-CN": `有人（可能是您本人）请求重置您在 ${ctx.tenantName} 使用的 SafeGrade 账户密码。`,
        en: `Someone (probably you) asked to reset the password of your SafeGrade account at ${ctx.tenantName}.`,
      }),
      pick(ctx.locale, {
        "zh-CN": `链接 ${d.expiresMinutes} 分钟内有效，只能使用一次；重置后所有已登录的会话都会退出。如果不是您本人操作，请忽略此邮件，密码不会改变。`,
        en: `The link is valid for ${d.expiresMinutes} minutes and works once; resetting signs out every session. If this was not you, ignore this email: your password stays as it is.`,
      }),
    ],
    action: { label: pick(ctx.locale, { "zh-CN": "设置新密码", en: "Set a new password" }), url: d.link },
  }),
});
