/** Districts, yearly targets and enterprise master data (Step 12, items 7–8). */
const zh = {
  "dashboard.kpi.targetFirstTime": "年度目标 {target} 家（首次定级），已完成 {first} 家，{percent}%；复评/延期 {renewals} 家另计",
  "dashboard.col.firstTime": "首次定级",
  "dashboard.col.renewals": "复评/延期",
  "district.scope.label": "负责区县",
  "district.scope.all": "全市",
  "district.scope.hint": "限定后，该监管人员只能看到所选区县的企业、申请、证书和统计；不选则为全市。",
  "district.scope.saved": "负责区县已更新。",
  "district.scope.save": "保存负责区县",
} as const;

const en: Record<keyof typeof zh, string> = {
  "dashboard.kpi.targetFirstTime": "Yearly target {target} (first-time certifications): {first} reached, {percent}%; {renewals} renewals counted apart",
  "dashboard.col.firstTime": "First-time",
  "dashboard.col.renewals": "Renewals",
  "district.scope.label": "Districts in charge",
  "district.scope.all": "Whole city",
  "district.scope.hint": "When limited, this regulator sees only the enterprises, applications, certificates and figures of the chosen districts; none chosen = the whole city.",
  "district.scope.saved": "Districts in charge updated.",
  "district.scope.save": "Save districts",
};

export const districts = { "zh-CN": zh, en };
