/** Issue 13 item 5: the self-assessment wizard shows a large element in parts. */
const zh = {
  "wizardParts.part": "第 {part}/{parts} 部分",
  "wizardParts.partLink": "第 {part} 部分（{range}）",
  "wizardParts.prevPart": "上一部分：{title}",
  "wizardParts.nextPart": "下一部分：{title}",
  "wizardParts.partsOf": "{id} 的各部分",
} as const;

export const wizardParts = {
  "zh-CN": zh,
  en: {
    "wizardParts.part": "part {part} of {parts}",
    "wizardParts.partLink": "Part {part} ({range})",
    "wizardParts.prevPart": "Previous part: {title}",
    "wizardParts.nextPart": "Next part: {title}",
    "wizardParts.partsOf": "Parts of {id}",
  } satisfies Record<keyof typeof zh, string>,
};
