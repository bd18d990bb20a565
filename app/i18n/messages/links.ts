/** Links between related records (issue 17): application ↔ certificate ↔ enterprise ↔ credit records. */
const zh = {
  "links.enterprise": "企业信息",
  "links.application": "定级申请",
  "links.certificate": "查看证书 {number}",
  "links.creditRecords": "信用记录",
  "links.related": "相关记录",
} as const;

const en: Record<keyof typeof zh, string> = {
  "links.enterprise": "Enterprise",
  "links.application": "Grading application",
  "links.certificate": "Certificate {number}",
  "links.creditRecords": "Credit records",
  "links.related": "Related records",
};

export const links = { "zh-CN": zh, en } as const;
