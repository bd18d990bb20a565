/** Review bodies and experts (Step 10): an expert is told they were registered. */
import { z } from "zod";
import { defineEmail } from "./define";
import { absoluteUrl, pick } from "./layout";

export const expertRegistered = defineEmail({
  schema: z.object({
    tenantName: z.string(),
    name: z.string(),
    /** expert (评审专家) or bodyAdmin (评审单位管理员). */
    role: z.enum(["expert", "bodyAdmin"]).default("expert"),
    /** A new account: the expert sets a password first ("forgot password"). */
    newAccount: z.boolean(),
    path: z.string().startsWith("/"),
  }),
  sample: { tenantName: "成都市应急管理局", name: "王建国", newAccount: true, path: "/t/chengdu/forgot-password" },
  content: (d, ctx) => ({
    subject:
      d.role === "expert"
        ? pick(ctx.locale, {
            "zh-CN": `您已登记为 ${ctx.tenantName} 的评审专家`,
            en: `You are registered as a review expert with ${ctx.tenantName}`,
          })
        : pick(ctx.locale, {
            "zh-CN": `您已成为 ${ctx.tenantName} 登记的评审单位管理员`,
            en: `You administer a review body registered with ${ctx.tenantName}`,
          }),
    paragraphs: [
      d.role === "expert"
        ? pick(ctx.locale, {
            "zh-CN": `${d.name}，您好：评审单位已将您登记为 ${ctx.tenantName} 安全生产标准化定级的评审专家。被委派评审任务时您会收到邮件。`,
            en: `Dear ${d.name}, a review body registered you as a work-safety standardization review expert with ${ctx.tenantName}. You will get an email when you are assigned a review.`,
          })
        : pick(ctx.locale, {
            "zh-CN": `${d.name}，您好：${ctx.tenantName} 已将您设为评审单位管理员。您可以管理本单位的评审专家，并为委托给本单位的定级申请组建评审组。`,
            en: `Dear ${d.name}, ${ctx.tenantName} made you an administrator of a review body. You manage its experts and form the panels for the applications assigned to it.`,
          }),
      d.newAccount
        ? pick(ctx.locale, {
            "zh-CN": "系统已为您创建账户。首次登录前，请通过下方链接（“忘记密码”）为该邮箱设置密码。",
            en: "An account was created for you. Before signing in for the first time, set a password for this address with the link below (“forgot password”).",
          })
        : pick(ctx.locale, {
            "zh-CN": "您可以使用现有账户登录。",
            en: "You can sign in with your existing account.",
          }),
    ],
    action: {
      label: d.newAccount
        ? pick(ctx.locale, { "zh-CN": "设置密码", en: "Set a password" })
        : pick(ctx.locale, { "zh-CN": "登录", en: "Sign in" }),
      url: absoluteUrl(ctx, d.path),
    },
  }),
});
