/**
 * The one place email HTML is produced. Templates hand over plain strings (never markup); every
 * one of them is escaped here, so data from users (names, reasons) cannot inject HTML.
 */
import type { Locale } from "~/i18n";

export type EmailContext = {
  locale: Locale;
  /** The tenant (authority) in the recipient's language. */
  tenantName: string;
  tenantSlug: string;
  /** APP_URL without a trailing slash; links in mails are absolute. */
  appUrl: string;
};

export type EmailContent = {
  subject: string;
  /** Paragraphs of plain text. */
  paragraphs: string[];
  /** Label/value pairs shown as a small table. */
  facts?: Array<[string, string]>;
  action?: { label: string; url: string };
};

export type RenderedEmail = { subject: string; html: string; text: string };

export type Texts = { "zh-CN": string; en: string };

export function pick(locale: Locale, texts: Texts): string {
  return texts[locale];
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** An absolute link for an app path ("/t/…"); absolute http(s) URLs pass through. */
export function absoluteUrl(ctx: EmailContext, pathOrUrl: string): string {
  if (/^https?:\/\//i.test(pathOrUrl)) return pathOrUrl;
  return `${ctx.appUrl}${pathOrUrl.startsWith("/") ? "" : "/"}${pathOrUrl}`;
}

const DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** An ISO instant as the Shanghai calendar date (YYYY-MM-DD); other text is shown as it is. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : DATE.format(date);
}

export function renderLayout(ctx: EmailContext, content: EmailContent): RenderedEmail {
  const footer = pick(ctx.locale, {
    "zh-CN": `此邮件由 ${ctx.tenantName} · SafeGrade 安全生产标准化定级系统自动发送，请勿直接回复。`,
    en: `Sent automatically by ${ctx.tenantName} · SafeGrade work-safety standardization grading. Please do not reply.`,
  });
  const subject = content.subject.replace(/[\r\n]+/g, " ");
  const paragraphs = content.paragraphs.filter((p) => p.trim() !== "");
  const htmlParts: string[] = [
    `<!doctype html><html lang="${ctx.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f1f5f9;font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;color:#0f172a">`,
    `<div style="max-width:600px;margin:0 auto;padding:24px 16px">`,
    `<p style="margin:0 0 12px;font-size:13px;color:#475569">${escapeHtml(ctx.tenantName)}</p>`,
    `<div style="background:#ffffff;border-radius:8px;padding:24px">`,
    `<h1 style="margin:0 0 16px;font-size:20px;line-height:1.4">${escapeHtml(subject)}</h1>`,
  ];
  for (const p of paragraphs)
    htmlParts.push(`<p style="margin:0 0 12px;font-size:15px;line-height:1.6">${escapeHtml(p)}</p>`);
  if (content.facts && content.facts.length > 0) {
    htmlParts.push(`<table role="presentation" style="border-collapse:collapse;margin:8px 0 16px;font-size:14px">`);
    for (const [label, value] of content.facts)
      htmlParts.push(
        `<tr><td style="padding:4px 12px 4px 0;color:#64748b;vertical-align:top">${escapeHtml(label)}</td><td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
      );
    htmlParts.push(`</table>`);
  }
  if (content.action) {
    const href = escapeHtml(content.action.url);
    htmlParts.push(
      `<p style="margin:20px 0"><a href="${href}" style="display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:6px;font-size:15px">${escapeHtml(content.action.label)}</a></p>`,
      `<p style="margin:0;font-size:12px;color:#64748b;word-break:break-all">${escapeHtml(content.action.url)}</p>`,
    );
  }
  htmlParts.push(`</div>`, `<p style="margin:16px 0 0;font-size:12px;color:#94a3b8">${escapeHtml(footer)}</p>`, `</div></body></html>`);

  const textParts: string[] = [subject, "", ...paragraphs.flatMap((p) => [p, ""])];
  if (content.facts && content.facts.length > 0) {
    for (const [label, value] of content.facts) textParts.push(`${label}: ${value}`);
    textParts.push("");
  }
  if (content.action) textParts.push(`${content.action.label}: ${content.action.url}`, "");
  textParts.push("--", footer);
  return { subject, html: htmlParts.join("\n"), text: textParts.join("\n") };
}
