/** Renders every email template with its sample data, for the tenant admin's preview page (secrets redacted). */
import { EMAIL_TEMPLATE_NAMES, EMAIL_TEMPLATES, renderSample } from "../../emails/index";
import { redactSecrets, secretValues } from "../../emails/redact";
import { getEnv } from "~/env.server";
import { LOCALES, type Locale } from "~/i18n";

export type TemplatePreview = {
  name: string;
  attachCertificate: boolean;
  renders: Array<{ locale: Locale; subject: string; html: string; text: string }>;
};

export function previewAllTemplates(tenant: { slug: string; name: { zh: string; en: string } }): TemplatePreview[] {
  const appUrl = getEnv().APP_URL.replace(/\/+$/, "");
  return EMAIL_TEMPLATE_NAMES.map((name) => {
    // Sample tokens are fake, but a preview shows links with tokens as every admin page does.
    const secrets = secretValues(name, EMAIL_TEMPLATES[name].sample);
    const renders = LOCALES.map((locale) => {
      const r = renderSample(name, {
        locale,
        tenantName: locale === "en" ? tenant.name.en : tenant.name.zh,
        tenantSlug: tenant.slug,
        appUrl,
      });
      return {
        locale,
        subject: r.subject,
        html: redactSecrets(r.html, secrets),
        text: redactSecrets(r.text, secrets),
        attachCertificate: r.attachCertificate,
      };
    });
    return {
      name,
      attachCertificate: renders.some((r) => r.attachCertificate),
      renders: renders.map(({ locale, subject, html, text }) => ({ locale, subject, html, text })),
    };
  });
}
