/** Certificate lifecycle emails, queued by app/data/certificates.server.ts (notifyEnterprise). */
import { z } from "zod";
import { REVOCATION_GROUND_KEYS, revocationGround } from "~/lib/revocation-grounds";
import { defineEmail, type AnyEmailTemplate } from "./define";
import { absoluteUrl, formatDate, pick, type EmailContext, type Texts } from "./layout";

const certificateData = z.object({
  certificateId: z.string(),
  number: z.string(),
  enterpriseName: z.string(),
  /** The level's name (as the certificate stores it: per language). */
  level: z.union([z.string(), z.object({ zh: z.string(), en: z.string() })]),
  validUntil: z.string(),
  /** App path of the certificate page. */
  path: z.string().startsWith("/"),
  verifyUrl: z.string().optional(),
  reason: z.string().optional(),
  blockedUntil: z.string().nullable().optional(),
  /** Revocation: the stated grounds (app/lib/revocation-grounds.ts). */
  grounds: z.array(z.enum(REVOCATION_GROUND_KEYS)).optional(),
  daysBefore: z.number().optional(),
  renewalPath: z.string().optional(),
});
type CertificateData = z.output<typeof certificateData>;

const sample: z.input<typeof certificateData> = {
  certificateId: "665f000000000000000000c1",
  number: "川成应急标准化〔2026〕0001",
  enterpriseName: "成都示例化工有限公司",
  level: { zh: "二级", en: "Level 2" },
  validUntil: "2029-06-30T15:59:59.999Z",
  path: "/t/chengdu/certificates/665f000000000000000000c1",
  verifyUrl: "http://localhost:3000/verify/ABCD2345",
  reason: "发生较大生产安全事故，依规暂停证书",
  blockedUntil: "2027-06-30T16:00:00.000Z",
  grounds: ["fatalAccident"],
  daysBefore: 30,
};

function certificateEmail(spec: {
  subject: (d: CertificateData) => Texts;
  body: (d: CertificateData, ctx: EmailContext) => Texts[];
}): AnyEmailTemplate {
  return defineEmail({
    schema: certificateData,
    sample,
    content: (d, ctx) => {
      const facts: Array<[string, string]> = [
        [pick(ctx.locale, { "zh-CN": "证书编号", en: "Certificate" }), d.number],
        [pick(ctx.locale, { "zh-CN": "企业", en: "Enterprise" }), d.enterpriseName],
        [
          pick(ctx.locale, { "zh-CN": "等级", en: "Level" }),
          typeof d.level === "string" ? d.level : ctx.locale === "en" ? d.level.en : d.level.zh,
        ],
        [pick(ctx.locale, { "zh-CN": "有效期至", en: "Valid until" }), formatDate(d.validUntil)],
      ];
      if (d.verifyUrl) facts.push([pick(ctx.locale, { "zh-CN": "公开核验", en: "Public verification" }), d.verifyUrl]);
      return {
        subject: pick(ctx.locale, spec.subject(d)),
        paragraphs: spec.body(d, ctx).map((t) => pick(ctx.locale, t)),
        facts,
        action: {
          label: pick(ctx.locale, { "zh-CN": "查看证书", en: "Open the certificate" }),
          url: absoluteUrl(ctx, d.path),
        },
      };
    },
  });
}

export const certificateEmails = {
  "certificate-expiry-reminder": certificateEmail({
    subject: (d) => ({
      "zh-CN": `证书将于 ${d.daysBefore ?? ""} 天内到期：${d.number}`,
      en: `Certificate expires within ${d.daysBefore ?? ""} days: ${d.number}`,
    }),
    body: (d) => [
      {
        "zh-CN": `贵企业的安全生产标准化证书将于 ${formatDate(d.validUntil)} 到期。请及时提出复评（换证）申请，以免证书失效。`,
        en: `Your work-safety standardization certificate expires on ${formatDate(d.validUntil)}. Apply for renewal in time so it does not lapse.`,
      },
    ],
  }),
  "certificate-expired": certificateEmail({
    subject: (d) => ({ "zh-CN": `证书已到期失效：${d.number}`, en: `Certificate expired: ${d.number}` }),
    body: (d) => [
      {
        "zh-CN": `贵企业的安全生产标准化证书已于 ${formatDate(d.validUntil)} 到期失效。如需继续保持等级，请重新申请定级。`,
        en: `Your work-safety standardization certificate expired on ${formatDate(d.validUntil)}. Apply for grading again to keep a level.`,
      },
    ],
  }),
  "certificate-suspended": certificateEmail({
    subject: (d) => ({ "zh-CN": `证书已暂停：${d.number}`, en: `Certificate suspended: ${d.number}` }),
    body: (d, ctx) => [
      { "zh-CN": `${ctx.tenantName} 暂停了贵企业的安全生产标准化证书，原因如下：`, en: `${ctx.tenantName} suspended your work-safety standardization certificate for this reason:` },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
  }),
  "certificate-reinstated": certificateEmail({
    subject: (d) => ({ "zh-CN": `证书已恢复：${d.number}`, en: `Certificate reinstated: ${d.number}` }),
    body: (d, ctx) => [
      { "zh-CN": `${ctx.tenantName} 恢复了贵企业的安全生产标准化证书。`, en: `${ctx.tenantName} reinstated your work-safety standardization certificate.` },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
    ],
  }),
  "certificate-revoked": certificateEmail({
    subject: (d) => ({ "zh-CN": `证书已撤销：${d.number}`, en: `Certificate revoked: ${d.number}` }),
    body: (d, ctx) => [
      (d.grounds ?? []).length > 0
        ? { "zh-CN": `${ctx.tenantName} 依下列情形撤销了贵企业的安全生产标准化证书：`, en: `${ctx.tenantName} revoked your work-safety standardization certificate on these grounds:` }
        : { "zh-CN": `${ctx.tenantName} 撤销了贵企业的安全生产标准化证书，原因如下：`, en: `${ctx.tenantName} revoked your work-safety standardization certificate for this reason:` },
      ...(d.grounds ?? []).map((key) => {
        const g = revocationGround(key);
        return { "zh-CN": `· ${g.text.zh}（依据：${g.basis.zh}）`, en: `· ${g.text.en} (basis: ${g.basis.en})` };
      }),
      (d.grounds ?? []).length > 0 ? { "zh-CN": "查明的事实：", en: "Facts found:" } : { "zh-CN": "", en: "" },
      { "zh-CN": d.reason ?? "", en: d.reason ?? "" },
      d.blockedUntil
        ? {
            "zh-CN": `贵企业在此期间不能申请定级，可于 ${formatDate(d.blockedUntil)} 起重新申请。`,
            en: `Your enterprise may not apply for grading until then; it may apply again from ${formatDate(d.blockedUntil)}.`,
          }
        : { "zh-CN": "", en: "" },
    ],
  }),
} satisfies Record<string, AnyEmailTemplate>;
