/** Revocation (撤销, never 吊销) on stated grounds: the regulator's form, the public notes, the refusals. */
const zh = {
  "revocation.title": "撤销证书",
  "revocation.grounds.legend": "撤销情形（可多选）",
  "revocation.grounds.basis": "依据：{basis}",
  "revocation.facts.label": "查明的事实",
  "revocation.facts.hint":
    "写明具体事实（时间、事故或检查情况、相关文号等），将与撤销情形、撤销日期一并公开并通知企业。",
  "revocation.consequences.title": "撤销后：",
  "revocation.consequences.public":
    "证书立即失效；公开核验页面和达标企业名录显示“已撤销”、撤销情形和撤销日期，不再提供证书文件下载；",
  "revocation.consequences.bar":
    "企业 {months} 个月内不能申请定级，可于 {date} 起重新申请；",
  "revocation.consequences.noBar": "本机关未设置重新申请的限制期；",
  "revocation.consequences.email": "企业管理员将收到撤销通知邮件；",
  "revocation.consequences.final": "撤销不可撤回。",
  "revocation.confirm.label": "我已核实上述撤销情形和事实，确认撤销本证书",
  "revocation.submit": "确认撤销证书",
  "revocation.errors.groundsRequired": "请至少选择一项撤销情形",
  "revocation.errors.confirmRequired": "请勾选确认，表示您已知悉撤销的后果",
  "revocation.public.grounds": "撤销情形",
  "revocation.public.facts": "查明的事实",
  "revocation.public.revokedOn": "撤销日期",
  "revocation.public.noPdf":
    "该证书已不再有效，本页不提供证书文件下载。请以本页显示的状态为准。",
  "revocation.ownPdfNote": "证书已不再有效：下载的证书文件将标注“{status}”字样。",
  "revocation.public.pdfRefused": "该证书{status}，不再有效，不提供证书文件。请以核验页面显示的状态为准。",
  "verify.lookup.title": "按证书编号核验",
  "verify.lookup.intro": "同时输入证书编号和持证企业的统一社会信用代码（两项都需要）。",
  "verify.lookup.submit": "查询",
  "verify.lookup.numberRequired": "请输入证书编号",
  "verify.lookup.numberInvalid": "证书编号不正确，请对照证书重新输入",
  "verify.lookup.notFound":
    "没有与该证书编号和统一社会信用代码同时对应的证书。请核对两项是否与证书一致。",
} as const;

export const revocation = {
  "zh-CN": zh,
  en: {
    "revocation.title": "Revoke the certificate",
    "revocation.grounds.legend": "Grounds (one or more)",
    "revocation.grounds.basis": "Basis: {basis}",
    "revocation.facts.label": "Facts found",
    "revocation.facts.hint":
      "State the facts (dates, the accident or inspection, document numbers). They are published with the grounds and the date, and sent to the enterprise.",
    "revocation.consequences.title": "After revocation:",
    "revocation.consequences.public":
      'the certificate is no longer valid; the public verification page and the registry show "Revoked" with the grounds and the date, and no longer offer the certificate file;',
    "revocation.consequences.bar":
      "the enterprise cannot apply for grading for {months} months; it may apply again from {date};",
    "revocation.consequences.noBar": "this authority sets no waiting period before a new application;",
    "revocation.consequences.email": "the enterprise's administrators are notified by email;",
    "revocation.consequences.final": "revocation cannot be undone.",
    "revocation.confirm.label": "I have checked the grounds and the facts and confirm the revocation",
    "revocation.submit": "Revoke the certificate",
    "revocation.errors.groundsRequired": "Pick at least one ground",
    "revocation.errors.confirmRequired": "Tick the box to confirm you know what revocation does",
    "revocation.public.grounds": "Grounds",
    "revocation.public.facts": "Facts found",
    "revocation.public.revokedOn": "Revoked on",
    "revocation.public.noPdf":
      "This certificate is no longer valid, so its file is not offered here. The status on this page is what counts.",
    "revocation.ownPdfNote":
      'The certificate is no longer valid: a downloaded copy is marked "{status}" across the page.',
    "revocation.public.pdfRefused":
      "This certificate is no longer valid ({status}), so its file is not available. The verification page shows its status.",
    "verify.lookup.title": "Check by certificate number",
    "verify.lookup.intro":
      "Enter the certificate number and the holder's unified social credit code (both are needed).",
    "verify.lookup.submit": "Check",
    "verify.lookup.numberRequired": "Enter the certificate number",
    "verify.lookup.numberInvalid": "This is not a certificate number; copy it from the certificate",
    "verify.lookup.notFound":
      "No certificate has this number together with this credit code. Check both against the certificate.",
  } satisfies Record<keyof typeof zh, string>,
};
