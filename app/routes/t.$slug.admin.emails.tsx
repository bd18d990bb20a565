/** Tenant admin: every email template rendered with sample data, in Chinese and English. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { EmailAdminTabs } from "~/components/email-admin";
import { emailTemplateLabel } from "~/lib/labels";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { previewAllTemplates } from "~/data/email-preview.server";
import { capturePageAvailable } from "~/data/mail-transport.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { requireTenantPermission, tenantName } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "read:outbox:any");
  const locale = await getLocale(request);
  return {
    title: `${translate(locale, "email.preview.title")} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    capture: capturePageAvailable(),
    templates: previewAllTemplates(tenant),
  };
}

export default function EmailPreviewPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <div className="space-y-4">
      <h1 className="page-title">{t("email.preview.title")}</h1>
      <EmailAdminTabs slug={d.slug} capture={d.capture} />
      <p className="text-sm text-slate-600">{t("email.preview.intro")}</p>
      <p className="text-xs text-slate-500">{t("email.secretsHidden")}</p>
      <nav className="flex flex-wrap gap-2 text-xs">
        {d.templates.map((tpl) => (
          <a key={tpl.name} href={`#tpl-${tpl.name}`} className="rounded bg-slate-100 px-2 py-1 hover:bg-slate-200">
            {emailTemplateLabel(t, tpl.name)}
          </a>
        ))}
      </nav>
      {d.templates.map((tpl) => (
        <section key={tpl.name} id={`tpl-${tpl.name}`} className="card space-y-3" data-template={tpl.name}>
          <h2 className="text-base font-semibold">
            {emailTemplateLabel(t, tpl.name)}
            {tpl.attachCertificate ? (
              <span className="badge ml-2 bg-blue-100 font-sans text-blue-800">{t("email.preview.attachment")}</span>
            ) : null}
          </h2>
          <div className="grid gap-4 lg:grid-cols-2">
            {tpl.renders.map((r) => (
              <div key={r.locale} className="min-w-0 space-y-2" data-locale={r.locale}>
                <p className="text-sm">
                  <span className="badge mr-2 bg-slate-100 text-slate-700">{r.locale}</span>
                  <span className="text-slate-500">{t("email.preview.subject")}: </span>
                  <span className="font-medium" data-testid="preview-subject">
                    {r.subject}
                  </span>
                </p>
                <iframe
                  title={`${tpl.name} ${r.locale}`}
                  srcDoc={r.html}
                  sandbox=""
                  loading="lazy"
                  className="h-96 w-full rounded border border-slate-200 bg-white"
                />
                <details>
                  <summary className="cursor-pointer text-sm text-slate-600">{t("email.preview.text")}</summary>
                  <pre className="mt-2 overflow-x-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-3 text-xs">{r.text}</pre>
                </details>
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: d?.title ?? "SafeGrade" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
