/** Links between related records (issue 17): application ↔ certificate ↔ enterprise ↔ credit records. */
const zh = {
  "links.enterprise": "企业信息",
  "links.application": "定级申请",
  "links.certificate": "查看证书 {number}",
  "links.creditRecords": "信用记录",
  "links.related": "相关记录",
  "creditPicker.search": "从企业名录选择主体",
  "creditPicker.hint": "输入企业名称或统一社会信用代码；未登记的主体可直接在下方填写。",
  "creditPicker.find": "查找",
  "creditPicker.use": "选用",
  "creditPicker.none": "企业名录中没有匹配的企业，可直接在下方填写。",
  "creditPicker.more": "仅显示前几条，请输入更完整的名称或代码。",
  "creditPicker.picked": "已选用：{name}（名称和代码已填入下方，可修改）。",
} as const;

const en: Record<keyof typeof zh, string> = {
  "links.enterprise": "Enterprise",
  "links.application": "Grading application",
  "links.certificate": "Certificate {number}",
  "links.creditRecords": "Credit records",
  "links.related": "Related records",
  "creditPicker.search": "Pick the subject from the enterprise directory",
  "creditPicker.hint": "Type a name or credit code; a subject that is not registered can be typed in below.",
  "creditPicker.find": "Find",
  "creditPicker.use": "Use",
  "creditPicker.none": "No registered enterprise matches; type the subject below.",
  "creditPicker.more": "Only the first matches are shown: type more of the name or code.",
  "creditPicker.picked": "Picked: {name} (name and code filled in below; you may change them).",
};

export const links = { "zh-CN": zh, en } as const;
