/**
 * Tenant admin, development and tests only (capture active, not production): the mails the worker
 * wrote to .data/mail/, newest first; `?file=` shows one with its links-with-tokens redacted — the
 * .eml file on disk is the recipient's mailbox. A mail whose outbox entry is gone shows no body.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmailAdminTabs } from "~/components/email-admin";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { redactSecrets, secretValues } from "../../emails/redact";
import {
  capturePageAvailable,
  listCapturedMail,
  readCapturedMail,
} from "~/data/mail-transport.server";
import { getOutboxMessage } from "~/data/outbox.server";
import { getEnv } from "~/env.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "read:outbox:any");
  if (!capturePageAvailable()) throw notFound();
  const locale = await getLocale(request);
  const tenantId = String(tenant._id);
  const file = new URL(request.url).searchParams.get("file");
  const raw = file ? await readCapturedMail({ tenantId, file }) : null;
  if (file && !raw) throw notFound();
  let selected = raw;
  if (raw) {
    const queued = await getOutboxMessage({ tenantId: tenant._id, id: raw.outboxId });
    const secrets = queued ? secretValues(queued.template, queued.data) : null;
    selected = secrets
      ? { ...raw, html: redactSecrets(raw.html, secrets), text: redactSecrets(raw.text, secrets) }
      : { ...raw, html: "", text: translate(locale, "email.capture.bodyWithheld") };
  }
  const mails = await listCapturedMail({ tenantId });
  return {
    title: `${translate(locale, "email.capture.title")} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    dir: getEnv().MAIL_CAPTURE_DIR,
    mails: mails.map((m) => ({ ...m, at: m.at.toISOString() })),
    selected: selected ? { ...selected, at: selected.at.toISOString() } : null,
  };
}

export default function CapturedMailPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${d.slug}/admin/outbox/captured`;
  return (
    <div className="space-y-4">
      <h1 className="page-title">{t("email.capture.title")}</h1>
      <EmailAdminTabs slug={d.slug} capture />
      <p className="text-sm text-slate-600">{t("email.capture.intro", { dir: d.dir })}</p>
      <p className="text-xs text-slate-500">{t("email.secretsHidden")}</p>
      {d.selected ? (
        <section className="card space-y-3" data-testid="captured-mail">
          <h2 className="text-lg font-semibold">{d.selected.subject}</h2>
          <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[8rem_1fr]">
            <dt className="text-slate-500">{t("email.capture.from")}</dt>
            <dd className="break-all">{d.selected.from}</dd>
            <dt className="text-slate-500">{t("email.outbox.to")}</dt>
            <dd className="break-all">{d.selected.to}</dd>
            <dt className="text-slate-500">{t("email.outbox.messageId")}</dt>
            <dd className="break-all font-mono text-xs">{d.selected.messageId}</dd>
            {d.selected.attachments.length > 0 ? (
              <>
                <dt className="text-slate-500">{t("email.capture.attachments")}</dt>
                <dd>
                  {d.selected.attachments.map((a) => (
                    <span key={a.filename} className="mr-2 text-xs">
                      {a.filename} ({a.contentType}, {Math.ceil(a.size / 1024)} KB)
                    </span>
                  ))}
                </dd>
              </>
            ) : null}
          </dl>
          {d.selected.html ? (
            <iframe
              title={d.selected.subject}
              srcDoc={d.selected.html}
              sandbox=""
              className="h-[28rem] w-full rounded border border-slate-200 bg-white"
            />
          ) : null}
          <details>
            <summary className="cursor-pointer text-sm text-slate-600">
              {t("email.preview.text")}
            </summary>
            <pre className="mt-2 whitespace-pre-wrap break-words rounded bg-slate-50 p-3 text-xs">
              {d.selected.text}
            </pre>
          </details>
        </section>
      ) : null}
      <div className="card overflow-x-auto p-0">
        {d.mails.length === 0 ? (
          <p className="p-5 text-sm text-slate-500">{t("email.capture.empty")}</p>
        ) : (
          <table className="table" data-testid="captured-table">
            <thead>
              <tr>
                <th scope="col">{t("common.time")}</th>
                <th scope="col">{t("email.outbox.to")}</th>
                <th scope="col">{t("email.preview.subject")}</th>
              </tr>
            </thead>
            <tbody>
              {d.mails.map((m) => (
                <tr key={m.file}>
                  <td className="whitespace-nowrap">{formatDateTime(m.at, locale)}</td>
                  <td className="break-all">{m.to}</td>
                  <td>
                    <Link
                      to={`${base}?file=${encodeURIComponent(m.file)}`}
                      className="text-brand-700 hover:underline"
                    >
                      {m.subject}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
