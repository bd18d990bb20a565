/** Tenant admin: one email with every delivery attempt; retry (failed) and cancel (pending/retry). */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { redactEmailData, redactSecrets, secretValues } from "../../emails/redact";
import { clientIp } from "~/auth.server";
import { EmailAdminTabs, OutboxStatusBadge } from "~/components/email-admin";
import { emailTemplateLabel } from "~/lib/labels";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import { capturePageAvailable } from "~/data/mail-transport.server";
import { changeOutboxMessage, getOutboxMessage } from "~/data/outbox.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "read:outbox:any");
  const m = await getOutboxMessage({ tenantId: tenant._id, id: params.id ?? "" });
  if (!m) throw notFound();
  const locale = await getLocale(request);
  // Links with tokens belong to the recipient's mailbox only (decision 016).
  const secrets = secretValues(m.template, m.data);
  return {
    title: translate(locale, "email.outbox.detailTitle"),
    slug: tenant.slug,
    capture: capturePageAvailable(),
    message: {
      id: String(m._id),
      messageId: `<${String(m._id)}@safegrade>`,
      template: m.template,
      to: m.to,
      locale: m.locale,
      status: m.status,
      createdAt: m.createdAt.toISOString(),
      nextAttemptAt: m.nextAttemptAt.toISOString(),
      sentAt: m.sentAt ? m.sentAt.toISOString() : null,
      lastError: redactSecrets(m.lastError, secrets),
      data: JSON.stringify(redactEmailData(m.template, m.data), null, 2),
      attempts: m.attempts.map((a) => ({
        at: a.at.toISOString(),
        outcome: a.outcome,
        response: redactSecrets(a.response, secrets),
        worker: a.worker,
      })),
    },
  };
}

const actionSchema = z.object({ intent: z.enum(["retry", "cancel"]) });

type ActionResult = { notice?: MessageKey; errors?: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:outbox:any");
  const parsed = actionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data<ActionResult>({ errors: { _form: msg("errors.invalidChoice") } }, { status: 400 });
  const result = await changeOutboxMessage({
    tenantId: tenant._id,
    id: params.id ?? "",
    change: parsed.data.intent,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  if (!result.ok) {
    if (result.error === "notFound") throw notFound();
    const status = result.error === "conflict" ? 409 : 400;
    return data<ActionResult>({ errors: { _form: msg(`email.errors.${result.error}`) } }, { status });
  }
  return data<ActionResult>({ notice: parsed.data.intent === "retry" ? "email.outbox.retried" : "email.outbox.cancelled" });
}

export default function OutboxMessagePage() {
  const { slug, capture, message: m } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const busy = useNavigation().state !== "idle";
  const facts: Array<[MessageKey, string]> = [
    ["email.outbox.template", emailTemplateLabel(t, m.template)],
    ["email.outbox.to", m.to],
    ["email.outbox.locale", m.locale],
    ["email.outbox.messageId", m.messageId],
    ["email.outbox.createdAt", formatDateTime(m.createdAt, locale)],
    ["email.outbox.nextAttemptAt", formatDateTime(m.nextAttemptAt, locale)],
    ["email.outbox.sentAt", m.sentAt ? formatDateTime(m.sentAt, locale) : "—"],
    ["email.outbox.lastError", m.lastError || "—"],
  ];
  return (
    <div className="space-y-4">
      <h1 className="page-title">{t("email.outbox.detailTitle")}</h1>
      <EmailAdminTabs slug={slug} capture={capture} />
      <Link to={`/t/${slug}/admin/outbox`} className="text-sm text-brand-700 hover:underline">
        ← {t("email.outbox.back")}
      </Link>
      {actionData?.notice ? (
        <p className="rounded bg-green-50 p-3 text-sm text-green-800" role="status" data-testid="outbox-notice">
          {t(actionData.notice)}
        </p>
      ) : null}
      <FormError error={actionData?.errors?._form} />
      <section className="card space-y-3" data-testid="outbox-message">
        <div className="flex flex-wrap items-center gap-3">
          <OutboxStatusBadge status={m.status} />
          {m.status === "failed" ? (
            <Form method="post">
              <button type="submit" name="intent" value="retry" className="btn-primary" disabled={busy}>
                {t("email.outbox.retry")}
              </button>
            </Form>
          ) : null}
          {m.status === "pending" || m.status === "retry" ? (
            <Form method="post">
              <button type="submit" name="intent" value="cancel" className="btn-secondary" disabled={busy}>
                {t("email.outbox.cancel")}
              </button>
            </Form>
          ) : null}
        </div>
        <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
          {facts.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-500">{t(label)}</dt>
              <dd className="break-all">{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card overflow-x-auto p-0">
        <h2 className="px-5 pt-4 text-lg font-semibold">{t("email.outbox.attemptsTitle")}</h2>
        {m.attempts.length === 0 ? (
          <p className="p-5 text-sm text-slate-500">{t("email.outbox.noAttempts")}</p>
        ) : (
          <table className="table" data-testid="outbox-attempts">
            <thead>
              <tr>
                <th scope="col">{t("email.outbox.attempt.at")}</th>
                <th scope="col">{t("email.outbox.attempt.outcome")}</th>
                <th scope="col">{t("email.outbox.attempt.response")}</th>
                <th scope="col">{t("email.outbox.attempt.worker")}</th>
              </tr>
            </thead>
            <tbody>
              {m.attempts.map((a, i) => (
                <tr key={i}>
                  <td className="whitespace-nowrap">{formatDateTime(a.at, locale)}</td>
                  <td>{t(`email.outbox.attempt.${a.outcome}` as MessageKey)}</td>
                  <td className="max-w-md break-all font-mono text-xs">{a.response}</td>
                  <td className="font-mono text-xs">{a.worker}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2 className="mb-2 text-lg font-semibold">{t("email.outbox.data")}</h2>
        <p className="mb-2 text-xs text-slate-500">{t("email.secretsHidden")}</p>
        <pre className="overflow-x-auto whitespace-pre-wrap break-all text-xs">{m.data}</pre>
      </section>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: d?.title ?? "SafeGrade" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
