/** The rubric publish dialog (what publishing changes), the version's name and description, weight-profile admin words. */
const zh = {
  "rubricPublish.audience":
    "发布后，本辖区目录中适用本版本的 {count} 家企业（行业：{industries}；规模：{sizes}）新开始的自评，将在「开始自评」中使用本版本。",
  "rubricPublish.allIndustries": "全部行业",
  "rubricPublish.replacesSystem":
    "本版本将取代系统评分标准 {label}（{title}）：这些企业的「开始自评」列表中将不再提供 {label}，只提供本版本。",
  "rubricPublish.replacesOwn":
    "本版本将取代本辖区此前发布的 {label}（{title}）：这些企业的「开始自评」列表中将改为提供本版本。",
  "rubricPublish.replacesNothing": "这些企业的「开始自评」列表中目前没有同一标准的其他版本，本版本将作为新增选项提供。",
  "rubricPublish.started": "已开始或已提交的自评和定级申请仍使用其开始时的版本，计分不变。",
  "rubricPublish.final": "发布后本版本不可再修改。",
  "rubricPublish.totalChanged": "总分由原版本的 {from} 分改为 {to} 分。",
  "rubricPublish.confirmTotal": "我确认总分改为 {to} 分",
  "rubricPublish.totalUnconfirmed": "总分已由 {from} 分改为 {to} 分，请在发布对话框中勾选确认后再发布。",
  "rubricPublish.identity": "版本名称与说明",
  "rubricPublish.identityHint": "名称会显示在评分标准列表和企业的「开始自评」中；说明里的总分（如“满分1000分”）保存时按各项分值自动更新。",
  "rubricPublish.titleZh": "名称（中文）",
  "rubricPublish.titleEn": "名称（英文）",
  "rubricPublish.descriptionZh": "说明（中文）",
  "rubricPublish.descriptionEn": "说明（英文）",
} as const;

const en: Record<keyof typeof zh, string> = {
  "rubricPublish.audience":
    "Once published, new self-assessments of the {count} enterprises in your directory this version applies to (industries: {industries}; sizes: {sizes}) will use this version under “Start self-assessment”.",
  "rubricPublish.allIndustries": "all industries",
  "rubricPublish.replacesSystem":
    "This version replaces the system rubric {label} ({title}): those enterprises will no longer be offered {label} under “Start self-assessment”, only this version.",
  "rubricPublish.replacesOwn":
    "This version replaces {label} ({title}), published earlier by your bureau: those enterprises will be offered this version instead.",
  "rubricPublish.replacesNothing": "Those enterprises are offered no other version of this rubric today: this version is added as a new choice.",
  "rubricPublish.started": "Self-assessments and applications already started or submitted keep the version they started with; their scores do not change.",
  "rubricPublish.final": "A published version can no longer be changed.",
  "rubricPublish.totalChanged": "The total changes from {from} points (parent version) to {to} points.",
  "rubricPublish.confirmTotal": "I confirm the new total of {to} points",
  "rubricPublish.totalUnconfirmed": "The total changed from {from} to {to} points: tick the confirmation in the publish dialog, then publish.",
  "rubricPublish.identity": "Name and description of this version",
  "rubricPublish.identityHint": "The name is shown in the rubric list and under “Start self-assessment”; the total stated in the description (e.g. “1000 points”) is updated from the item points when you save.",
  "rubricPublish.titleZh": "Name (Chinese)",
  "rubricPublish.titleEn": "Name (English)",
  "rubricPublish.descriptionZh": "Description (Chinese)",
  "rubricPublish.descriptionEn": "Description (English)",
};

export const rubricPublish = { "zh-CN": zh, en };
