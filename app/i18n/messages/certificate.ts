const zh = {
  "certificate.number": "证书编号",
  "certificate.level": "等级",
  "certificate.issuer": "发证机关",
  "certificate.issuedAt": "发证日期",
  "certificate.validUntil": "有效期至",
  "certificate.status.active": "有效",
  "certificate.status.suspended": "已暂停",
  "certificate.status.revoked": "已撤销",
  "certificate.status.expired": "已过期",

  "certificate.pdf.fileName": "安全生产标准化证书",
  "certificate.pdf.title": "安全生产标准化证书",
  "certificate.pdf.number": "证书编号",
  "certificate.pdf.statement": "经评审、公示，该企业达到安全生产标准化{level}企业要求，特发此证。",
  "certificate.pdf.date": "{year}年{month}月{day}日",
  "certificate.pdf.verifyHint": "扫描二维码或访问以下地址，核验本证书的真伪和当前状态：",
  "certificate.pdf.stampBanner": "本证书{status}（{date}），不再有效",

  "certificate.list.title": "证书管理",
  "certificate.list.ownTitle": "本企业证书",
  "certificate.list.searchPlaceholder": "企业名称、统一社会信用代码或证书编号",
  "certificate.list.empty": "没有符合条件的证书",
  "certificate.list.back": "返回证书列表",
  "certificate.filter.allLevels": "全部等级",
  "certificate.filter.allStatuses": "全部状态",

  "certificate.registry.link": "公开名录",
  "certificate.registry.title": "安全生产标准化达标企业名录",
  "certificate.registry.intro": "{tenant}发放的安全生产标准化证书。证书状态以核验页面为准。",
  "certificate.registry.searchPlaceholder": "企业名称或统一社会信用代码",
  "certificate.registry.empty": "没有符合条件的企业",
  "certificate.registry.csv": "导出 CSV",
  "certificate.registry.fileName": "达标企业名录",
  "certificate.registry.csvRateLimited": "下载过于频繁，请 {minutes} 分钟后再试。",

  "certificate.detail.title": "证书 {number}",
  "certificate.detail.revokedOn": "本证书已于 {date} 撤销。查明的事实：",
  "certificate.detail.suspendedOn": "本证书已于 {date} 暂停。理由：",
  "certificate.detail.blockedUntil": "该企业可于 {date} 起重新申请定级。",
  "certificate.detail.downloadPdf": "下载证书 PDF",
  "certificate.detail.verifyLink": "打开公开核验页",
  "certificate.detail.verifyUrl": "核验地址（证书二维码）：",

  "certificate.renewal.title": "证书到期换证",
  "certificate.renewal.hint":
    "将以本证书对应的自评为基础创建新一轮定级申请，上期答案和证明材料会带入并标记为待确认。",
  "certificate.renewal.start": "开始换证申请",
  "certificate.renewal.open": "查看换证申请",
  "certificate.renewal.opensOn": "可于 {date} 起开始换证申请。",

  "certificate.actions.title": "证书状态管理",
  "certificate.actions.suspend": "暂停证书",
  "certificate.actions.suspendHint":
    "暂停期间公开核验显示“已暂停”，可恢复。理由将在公开核验页面显示。",
  "certificate.actions.reinstate": "恢复证书",
  "certificate.actions.reinstateHint": "恢复后证书重新有效。理由记入证书历史。",
  "certificate.actions.revoke": "撤销证书",
  "certificate.actions.revokeHint":
    "撤销不可撤回；公开核验显示“已撤销”及撤销情形、日期，企业在规定期限内不能再次申请定级。",
  "certificate.actions.reasonFor": "{action}的理由",

  "certificate.history.title": "证书历史",
  "certificate.history.action": "操作",
  "certificate.history.actor": "操作人",
  "certificate.history.system": "系统",
  "certificate.history.daysBefore": "到期前 {days} 天",
  "certificate.history.issued": "发证",
  "certificate.history.suspended": "暂停",
  "certificate.history.reinstated": "恢复",
  "certificate.history.revoked": "撤销",
  "certificate.history.expired": "到期失效",
  "certificate.history.reminder": "到期提醒",
  "certificate.history.renewalStarted": "开始换证申请",

  "certificate.notice.suspended": "证书已暂停，已通知企业。",
  "certificate.notice.reinstated": "证书已恢复，已通知企业。",
  "certificate.notice.revoked": "证书已撤销，已通知企业。",
  "certificate.errors.invalidState": "证书当前状态不允许此操作，请刷新页面查看最新状态",
  "certificate.errors.conflict": "证书刚被其他人修改过，请刷新页面后重试",
  "certificate.errors.renewRevoked": "证书已被撤销，不能换证",
  "certificate.errors.renewTooEarly": "还未到换证时间",
  "certificate.errors.renewBlocked": "证书撤销后的限制期内不能申请定级",
  "certificate.errors.blockedFromApplying":
    "本企业的证书（{number}）已被撤销，限制期内不能申请定级；可于 {date} 起重新申请",

  "verify.title": "证书核验",
  "verify.state.VALID": "证书有效",
  "verify.state.EXPIRED": "证书已过期",
  "verify.state.SUSPENDED": "证书已暂停",
  "verify.state.REVOKED": "证书已撤销",
  "verify.explain.VALID": "这是发证机关签发的真实证书，当前有效，有效期至 {date}。",
  "verify.explain.EXPIRED": "这是发证机关签发的真实证书，但已于 {date} 到期，不再有效。",
  "verify.explain.SUSPENDED":
    "这是发证机关签发的真实证书，但已于 {date} 被暂停，暂停期间不具效力。",
  "verify.explain.REVOKED": "这是发证机关签发的证书，但已于 {date} 被撤销，不再有效。",
  "verify.reason": "理由：",
  "verify.downloadPdf": "下载证书 PDF",
  "verify.disclaimer": "本页面仅显示核验所需的公开信息。证书状态以本页面实时显示为准。",
  "verify.another": "核验其他证书",
  "verify.notFound.title": "没有这张证书",
  "verify.notFound.body":
    "找不到与该核验码对应的证书。请核对证书上的二维码或核验码，注意区分大小写。",
  "verify.rateLimitedTitle": "查询过于频繁",
  "verify.rateLimited": "核验请求过于频繁，请 {minutes} 分钟后再试。",
  "verify.form.title": "证书核验",
  "verify.form.intro": "输入证书上的核验码（或扫描二维码得到的网址），查看证书是否真实有效。",
  "verify.form.label": "核验码",
  "verify.form.hint": "22 位字母、数字、“-”或“_”，区分大小写；也可以粘贴完整的核验网址。",
  "verify.form.submit": "核验",
  "verify.form.required": "请输入核验码",
  "verify.form.invalid": "核验码格式不正确，请核对后重新输入",
} as const;

export const certificate = {
  "zh-CN": zh,
  en: {
    "certificate.number": "Certificate No.",
    "certificate.level": "Level",
    "certificate.issuer": "Issued by",
    "certificate.issuedAt": "Date of issue",
    "certificate.validUntil": "Valid until",
    "certificate.status.active": "Valid",
    "certificate.status.suspended": "Suspended",
    "certificate.status.revoked": "Revoked",
    "certificate.status.expired": "Expired",

    "certificate.pdf.fileName": "certificate",
    "certificate.pdf.title": "Work Safety Standardization Certificate",
    "certificate.pdf.number": "Certificate No.",
    "certificate.pdf.statement":
      "After review and public notice, this enterprise meets the requirements of work safety standardization {level}.",
    "certificate.pdf.date": "{year}-{month}-{day}",
    "certificate.pdf.verifyHint":
      "Scan the QR code or open this address to check that the certificate is genuine and still valid:",
    "certificate.pdf.stampBanner": "This certificate is {status} ({date}) and no longer valid",

    "certificate.list.title": "Certificates",
    "certificate.list.ownTitle": "Our certificates",
    "certificate.list.searchPlaceholder": "Enterprise name, credit code or certificate number",
    "certificate.list.empty": "No certificates match",
    "certificate.list.back": "Back to certificates",
    "certificate.filter.allLevels": "All levels",
    "certificate.filter.allStatuses": "All statuses",

    "certificate.registry.link": "Public registry",
    "certificate.registry.title": "Registry of certified enterprises",
    "certificate.registry.intro":
      "Work safety standardization certificates issued by {tenant}. The verification page shows the authoritative status.",
    "certificate.registry.searchPlaceholder": "Enterprise name or credit code",
    "certificate.registry.empty": "No enterprises match",
    "certificate.registry.csv": "Export CSV",
    "certificate.registry.fileName": "certified-enterprises",
    "certificate.registry.csvRateLimited": "Too many downloads; try again in {minutes} minute(s).",

    "certificate.detail.title": "Certificate {number}",
    "certificate.detail.revokedOn": "This certificate was revoked on {date}. Facts found:",
    "certificate.detail.suspendedOn": "This certificate was suspended on {date}. Reason:",
    "certificate.detail.blockedUntil":
      "The enterprise may apply for grading again from {date}.",
    "certificate.detail.downloadPdf": "Download PDF",
    "certificate.detail.verifyLink": "Open the public verification page",
    "certificate.detail.verifyUrl": "Verification address (the certificate's QR code):",

    "certificate.renewal.title": "Renewal",
    "certificate.renewal.hint":
      "Starts a new grading application from this certificate's self-assessment; last cycle's answers and evidence are carried over and marked for confirmation.",
    "certificate.renewal.start": "Start the renewal application",
    "certificate.renewal.open": "Open the renewal application",
    "certificate.renewal.opensOn": "The renewal application can start from {date}.",

    "certificate.actions.title": "Certificate status",
    "certificate.actions.suspend": "Suspend",
    "certificate.actions.suspendHint":
      'While suspended the public page says "Suspended"; it can be reinstated. The reason is shown publicly.',
    "certificate.actions.reinstate": "Reinstate",
    "certificate.actions.reinstateHint":
      "The certificate becomes valid again. The reason is kept in its history.",
    "certificate.actions.revoke": "Revoke",
    "certificate.actions.revokeHint":
      'Revocation is final: the public page says "Revoked" with the grounds and the date, and the enterprise cannot apply again for the configured period.',
    "certificate.actions.reasonFor": "Reason to {action}",

    "certificate.history.title": "History",
    "certificate.history.action": "Action",
    "certificate.history.actor": "By",
    "certificate.history.system": "System",
    "certificate.history.daysBefore": "{days} days before expiry",
    "certificate.history.issued": "Issued",
    "certificate.history.suspended": "Suspended",
    "certificate.history.reinstated": "Reinstated",
    "certificate.history.revoked": "Revoked",
    "certificate.history.expired": "Expired",
    "certificate.history.reminder": "Expiry reminder",
    "certificate.history.renewalStarted": "Renewal started",

    "certificate.notice.suspended":
      "The certificate is suspended; the enterprise has been notified.",
    "certificate.notice.reinstated":
      "The certificate is reinstated; the enterprise has been notified.",
    "certificate.notice.revoked": "The certificate is revoked; the enterprise has been notified.",
    "certificate.errors.invalidState":
      "The certificate's current status does not allow this; reload the page to see it",
    "certificate.errors.conflict":
      "Someone else changed this certificate just now; reload the page and try again",
    "certificate.errors.renewRevoked": "A revoked certificate cannot be renewed",
    "certificate.errors.renewTooEarly": "It is too early to renew this certificate",
    "certificate.errors.renewBlocked": "The enterprise cannot apply while a revocation blocks it",
    "certificate.errors.blockedFromApplying":
      "This enterprise's certificate {number} was revoked; it may apply for grading again from {date}",

    "verify.title": "Certificate verification",
    "verify.state.VALID": "Valid certificate",
    "verify.state.EXPIRED": "Expired certificate",
    "verify.state.SUSPENDED": "Suspended certificate",
    "verify.state.REVOKED": "Revoked certificate",
    "verify.explain.VALID":
      "This certificate was issued by the authority named below and is valid until {date}.",
    "verify.explain.EXPIRED":
      "This certificate was issued by the authority named below but expired on {date}.",
    "verify.explain.SUSPENDED":
      "This certificate was issued by the authority named below but was suspended on {date}; it has no effect while suspended.",
    "verify.explain.REVOKED":
      "This certificate was issued by the authority named below but was revoked on {date}; it is no longer valid.",
    "verify.reason": "Reason: ",
    "verify.downloadPdf": "Download the certificate PDF",
    "verify.disclaimer":
      "This page shows only the public data needed for verification. The status shown here is current.",
    "verify.another": "Verify another certificate",
    "verify.notFound.title": "No such certificate",
    "verify.notFound.body":
      "No certificate has this verification code. Check the QR code or the code printed on the certificate (it is case-sensitive).",
    "verify.rateLimitedTitle": "Too many requests",
    "verify.rateLimited": "Too many verification requests; please try again in {minutes} minutes.",
    "verify.form.title": "Verify a certificate",
    "verify.form.intro":
      "Enter the verification code printed on the certificate (or the address its QR code opens) to check that it is genuine and valid.",
    "verify.form.label": "Verification code",
    "verify.form.hint":
      '22 letters, digits, "-" or "_", case-sensitive; you can also paste the whole verification address.',
    "verify.form.submit": "Verify",
    "verify.form.required": "Enter the verification code",
    "verify.form.invalid": "This is not a valid verification code; check it and try again",
  } satisfies Record<keyof typeof zh, string>,
};
