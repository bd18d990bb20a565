/** Refusals of the request guard and the form reader (app/lib/http, scripts/lib/request-guard.ts). */
const zh = {
  "security.refused.title": "请求被拒绝",
  "security.crossOrigin": "该请求并非来自本系统页面，已拒绝。请回到本系统页面后重新提交。",
  "security.unsupportedMediaType": "请求格式不受支持，请通过页面表单提交。",
  "security.malformedBody": "提交的内容不完整或格式有误，未作任何更改，请重新提交。",
  "security.bodyTooLarge": "提交的内容过大（上限 {max}），未作任何更改，请精简后重新提交。",
  "security.back": "返回首页",
} as const;

const en: Record<keyof typeof zh, string> = {
  "security.refused.title": "Request refused",
  "security.crossOrigin": "This request did not come from a SafeGrade page and was refused. Please go back to the page and submit again.",
  "security.unsupportedMediaType": "Unsupported request format. Please submit through the form on the page.",
  "security.malformedBody": "The submission was incomplete or malformed; nothing was changed. Please submit again.",
  "security.bodyTooLarge": "The submission is too large (limit {max}); nothing was changed. Please shorten it and submit again.",
  "security.back": "Back to the home page",
};

export const security = { "zh-CN": zh, en };
