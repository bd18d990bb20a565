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
  schema: z.object({
    link: z.url(),
    tenantName: z.string().optional(),
    role: z.string(),
    /** The company the invitee joins (enterprise roles); absent for the authority's own staff. */
    enterpriseName: z.string().nullable().optional(),
    inviterName: z.string().optional(),
  }),
  sample: { link: "http://localhost:3000/t/chengdu/invite/SAMPLE-TOKEN", role: "enterprise_member", enterpriseName: "成都示例机械制造有限公司", inviterName: "安全经理 王建国" },
  secrets: ["link"],
  content: (d, ctx) => {
    const role = ROLE_LABELS[d.role]?.[ctx.locale] ?? d.role;
    const place = d.enterpriseName ?? ctx.tenantName;
    const inviter = d.inviterName ? `${d.inviterName}（${ctx.tenantName}）` : ctx.tenantName;
    const inviterEn = d.inviterName ? `${d.inviterName} (${ctx.tenantName})` : ctx.tenantName;
    return {
      subject: pick(ctx.locale, {
        "zh-CN": `${d.inviterName ?? ctx.tenantName} 邀请您加入 ${place}`,
        en: `${d.inviterName ?? ctx.tenantName} invites you to ${place}`,
      }),
      paragraphs: [
        pick(ctx.locale, {
          "zh-CN": `${inviter} 邀请您以“${role}”身份加入 ${place}，使用安全生产标准化定级系统。`,
          en: `${inviterEn} invites you to join ${place} as ${role} in the work-safety standardization grading system.`,
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
