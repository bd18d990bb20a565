/**
 * Email templates: name → module. Each module validates its data (zod), renders subject, HTML and
 * text in the recipient's language (zh-CN / en) and carries sample data for the preview page.
 */
import { invitation, passwordReset } from "./auth";
import { certificateEmails } from "./certificate";
import { creditListed, creditNotice, creditRemoved, creditRepairDecided } from "./credit";
import type { AnyEmailTemplate } from "./define";
import { deadlineReminder, gradingEmails } from "./grading";
import { expertRegistered } from "./panel";
import { renderLayout, type EmailContext, type RenderedEmail } from "./layout";
import { EMAIL_TEMPLATE_NAMES, type EmailTemplateName } from "./names";
import { registrationApproved, registrationEmailExists, registrationRefused } from "./registration";
import { yearlyReportEmails } from "./yearly-report";
import { reviewPartAssigned, reviewSheetComplete } from "./review-sheet";

export { EMAIL_TEMPLATE_NAMES, isEmailTemplateName, type EmailTemplateName } from "./names";
export { escapeHtml, type EmailContext, type RenderedEmail } from "./layout";

/** Complete by type: a name in EMAIL_TEMPLATE_NAMES without a module does not compile. */
export const EMAIL_TEMPLATES: Record<EmailTemplateName, AnyEmailTemplate> = {
  invitation,
  "password-reset": passwordReset,
  "registration-approved": registrationApproved,
  "registration-refused": registrationRefused,
  "registration-email-exists": registrationEmailExists,
  ...gradingEmails,
  "deadline-reminder": deadlineReminder,
  "review-part-assigned": reviewPartAssigned,
  "review-sheet-complete": reviewSheetComplete,
  ...certificateEmails,
  "credit-notice": creditNotice,
  "credit-listed": creditListed,
  "credit-repair-decided": creditRepairDecided,
  "credit-removed": creditRemoved,
  ...yearlyReportEmails,
  "expert-registered": expertRegistered,
};

export class EmailDataError extends Error {
  constructor(template: string, detail: string) {
    super(`email "${template}": ${detail}`);
    this.name = "EmailDataError";
  }
}

export function templateOf(name: string): AnyEmailTemplate | null {
  return (EMAIL_TEMPLATE_NAMES as readonly string[]).includes(name) ? EMAIL_TEMPLATES[name as EmailTemplateName] : null;
}

/** Renders a queued message; unknown template or data that fails its schema → EmailDataError (permanent). */
export function renderEmail(name: string, data: unknown, ctx: EmailContext): RenderedEmail & { attachCertificate: boolean } {
  const template = templateOf(name);
  if (!template) throw new EmailDataError(name, "unknown template");
  const parsed = template.schema.safeParse(data);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "(data)"}: ${i.message}`).join("; ");
    throw new EmailDataError(name, `invalid data: ${detail}`);
  }
  return { ...renderLayout(ctx, template.content(parsed.data, ctx)), attachCertificate: template.attachCertificate === true };
}

export function renderSample(name: EmailTemplateName, ctx: EmailContext) {
  return renderEmail(name, EMAIL_TEMPLATES[name].sample, ctx);
}
