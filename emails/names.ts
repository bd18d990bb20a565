/**
 * Every email template the app can queue. `enqueueEmail` only accepts these names and the
 * registry (emails/index.ts) must have a module for each — both checked by the compiler, and
 * tests/integration/email-templates.test.ts checks the lists against each other at run time.
 */
import { CREDIT_EMAIL_TEMPLATES } from "~/workflows/credit.machine";
import { GRADING_EMAIL_TEMPLATES } from "~/workflows/grading.machine";

export const AUTH_EMAIL_TEMPLATES = ["invitation", "password-reset"] as const;
export const REGISTRATION_EMAIL_TEMPLATES = [
  "registration-approved",
  "registration-refused",
  "registration-email-exists",
] as const;
/** Templates the grading data code queues outside the workflow machine's effects. */
export const GRADING_JOB_EMAIL_TEMPLATES = ["deadline-reminder", "review-part-assigned", "review-sheet-complete"] as const;
export const CERTIFICATE_EMAIL_TEMPLATES = [
  "certificate-suspended",
  "certificate-reinstated",
  "certificate-revoked",
  "certificate-expired",
  "certificate-expiry-reminder",
] as const;
/** Yearly self-assessment reports (app/data/certificates/yearly-report-job.server.ts). */
export const YEARLY_REPORT_EMAIL_TEMPLATES = ["yearly-report-reminder", "yearly-report-overdue"] as const;
/** Review bodies and experts (Step 10). */
export const PANEL_EMAIL_TEMPLATES = ["expert-registered"] as const;
/** The credit-list machine's email effects (app/workflows/credit.machine.ts). */
export { CREDIT_EMAIL_TEMPLATES };

export const EMAIL_TEMPLATE_NAMES = [
  ...AUTH_EMAIL_TEMPLATES,
  ...REGISTRATION_EMAIL_TEMPLATES,
  ...GRADING_EMAIL_TEMPLATES,
  ...GRADING_JOB_EMAIL_TEMPLATES,
  ...CERTIFICATE_EMAIL_TEMPLATES,
  ...CREDIT_EMAIL_TEMPLATES,
  ...YEARLY_REPORT_EMAIL_TEMPLATES,
  ...PANEL_EMAIL_TEMPLATES,
] as const;
export type EmailTemplateName = (typeof EMAIL_TEMPLATE_NAMES)[number];

export function isEmailTemplateName(value: unknown): value is EmailTemplateName {
  return typeof value === "string" && (EMAIL_TEMPLATE_NAMES as readonly string[]).includes(value);
}
