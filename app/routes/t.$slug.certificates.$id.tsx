/**
 * GET/POST /t/<slug>/certificates/<id> — one certificate: what it says, its status and history,
 * the PDF, and (regulator) suspend / reinstate / revoke with a mandatory reason; (enterprise admin)
 * start the renewal application once the renewal window is open.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSubmit,
} from "@remix-run/react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { clientIp, forbidden } from "~/auth.server";
import { CertificateStatusBadge } from "~/components/certificate-status";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextAreaField } from "~/components/form";
import {
  allowedChanges,
  certificateDetail,
  certificateSettings,
  changeCertificateStatus,
  findVisibleCertificate,
  getCertificate,
  renewalOpensAt,
  startRenewal,
  type RenewalError,
  type StatusChange,
  type StatusChangeError,
} from "~/data/certificates.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { STATUS_STYLE, addMonths, startOfShanghaiDay } from "~/lib/certificate";
import { revokeFormInput, revokeFormSchema } from "~/lib/revocation-form";
import { normalizeGrounds } from "~/lib/revocation-grounds";
import { RevocationGroundsList, RevokeCertificateForm } from "~/components/revoke-certificate";
import { formatDate, formatDateTime } from "~/lib/datetime";
import { can } from "~/lib/permissions";
import { fieldErrors, msg, reasonSchema } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "read:certificate:own",
    "read:certificate:any",
  );
  const cert = await findVisibleCertificate({
    tenantId: tenant._id,
    id: params.id ?? "",
    viewer: member,
  });
  if (!cert) throw notFound();
  const now = new Date();
  const detail = await certificateDetail(cert, now);
  const ownEnterprise =
    member.enterpriseId !== null && member.enterpriseId.equals(cert.enterpriseId);
  const settings = certificateSettings(tenant.settings);
  const opensAt = renewalOpensAt(cert, settings.renewalMonths);
  const changes = can(member.permissions, "revoke:certificate:any") ? allowedChanges(cert, now) : [];
  // Renewal links (复评/延期): the certificate this one renewed, and the one that renewed it.
  const [renewalOf, renewedBy] = await Promise.all(
    [cert.renewalOfCertificateId, cert.renewedByCertificateId].map(async (id) => {
      const other = id ? await getCertificate({ tenantId: tenant._id, id }) : null;
      return other ? { id: String(other._id), number: other.number } : null;
    }),
  );
  return {
    renewalLinks: { renewalOf: renewalOf ?? null, renewedBy: renewedBy ?? null },
    slug: tenant.slug,
    locale: await getLocale(request),
    certificate: detail,
    changes,
    // What the confirmation states: the bar a revocation now would set (status.server.ts).
    revocation: changes.includes("revoke")
      ? {
          months: settings.revocationBlockMonths,
          // From a flagged yearly report: the grounds it shows, pre-ticked (the regulator still decides).
          preselected: normalizeGrounds(
            (new URL(request.url).searchParams.get("grounds") ?? "").split(",").slice(0, 20),
          ),
          reapplyFrom:
            settings.revocationBlockMonths > 0
              ? startOfShanghaiDay(addMonths(now, settings.revocationBlockMonths)).toISOString()
              : null,
        }
      : null,
    related: {
      application: `/t/${tenant.slug}/applications/${String(cert.applicationId)}`,
      enterprise:
        can(member.permissions, "read:enterprise:any") || ownEnterprise ? `/t/${tenant.slug}/enterprises/${String(cert.enterpriseId)}` : null,
      creditRecords: can(member.permissions, "read:credit:any") || ownEnterprise,
    },
    renewal:
      ownEnterprise &&
      can(member.permissions, "submit:assessment:own") &&
      detail.status !== "revoked"
        ? {
            opensAt: opensAt.toISOString(),
            open: now >= opensAt,
            months: settings.renewalMonths,
            applicationId: detail.renewalApplicationId,
          }
        : null,
  };
}

const reasonFormSchema = z.object({ reason: reasonSchema });
const changeSchema = z.object({
  intent: z.enum(["suspend", "reinstate"]),
  reason: reasonSchema,
  version: z.coerce.number().int().min(0),
});

const CHANGE_ERRORS: Record<Exclude<StatusChangeError, "notFound">, MessageKey> = {
  reasonRequired: "errors.reasonRequired",
  groundsRequired: "revocation.errors.groundsRequired",
  invalidState: "certificate.errors.invalidState",
  conflict: "certificate.errors.conflict",
};
const RENEWAL_ERRORS: Partial<Record<RenewalError, MessageKey>> = {
  revoked: "certificate.errors.renewRevoked",
  tooEarly: "certificate.errors.renewTooEarly",
  blocked: "certificate.errors.renewBlocked",
  noApplicableRubric: "assessment.errors.noApplicableRubric",
};
const NOTICES: Record<StatusChange, MessageKey> = {
  suspend: "certificate.notice.suspended",
  reinstate: "certificate.notice.reinstated",
  revoke: "certificate.notice.revoked",
};

type ActionResult = {
  ok: boolean;
  intent: string;
  notice: MessageKey | null;
  errors: Record<string, string>;
};
const reply = (body: ActionResult, status = 200) => data(body, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "read:certificate:own",
    "read:certificate:any",
  );
  const formData = await readForm(request);
  const form = Object.fromEntries(formData);
  const intent = typeof form.intent === "string" ? form.intent : "";
  const cert = await findVisibleCertificate({
    tenantId: tenant._id,
    id: params.id ?? "",
    viewer: member,
  });
  if (!cert) throw notFound();
  const actor = { id: member.user._id, email: member.user.email };
  const ip = clientIp(request);

  if (intent === "renew") {
    if (
      !can(member.permissions, "submit:assessment:own") ||
      !member.enterpriseId?.equals(cert.enterpriseId)
    )
      throw forbidden();
    const result = await startRenewal({
      tenantId: tenant._id,
      certificateId: String(cert._id),
      enterpriseId: member.enterpriseId,
      actor: { ...actor, role: member.roles[0] ?? "" },
      ip,
    });
    if (!result.ok) {
      if (result.error === "notFound") throw notFound();
      return reply(
        {
          ok: false,
          intent,
          notice: null,
          errors: {
            _form:
              result.error === "creditListed"
                ? msg("credit.errors.listedCannotStart", { name: result.listing?.name ?? "" })
                : msg(RENEWAL_ERRORS[result.error] ?? "errors.generic"),
          },
        },
        409,
      );
    }
    return redirect(`/t/${tenant.slug}/assessments/${result.applicationId}`);
  }

  if (!can(member.permissions, "revoke:certificate:any")) throw forbidden();
  if (intent === "revoke") return revoke(formData, cert, tenant._id, actor, ip);
  const parsed = changeSchema.safeParse(form);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    return reply(
      {
        ok: false,
        intent,
        notice: null,
        errors: errors.reason ? { reason: errors.reason } : { _form: msg("errors.generic") },
      },
      400,
    );
  }
  const result = await changeCertificateStatus({
    tenantId: tenant._id,
    id: cert._id,
    change: parsed.data.intent,
    reason: parsed.data.reason,
    expectedVersion: parsed.data.version,
    actor,
    ip,
  });
  if (!result.ok) {
    if (result.error === "notFound") throw notFound();
    const status = result.error === "reasonRequired" ? 400 : 409;
    const errors: Record<string, string> =
      result.error === "reasonRequired"
        ? { reason: msg("errors.reasonRequired") }
        : { _form: msg(CHANGE_ERRORS[result.error]) };
    return reply({ ok: false, intent, notice: null, errors }, status);
  }
  return reply({ ok: true, intent, notice: NOTICES[parsed.data.intent], errors: {} });
}

const versionSchema = z.coerce.number().int().min(0);

type ChangeInput = Parameters<typeof changeCertificateStatus>[0];

async function revoke(
  formData: FormData,
  cert: { _id: ChangeInput["tenantId"] },
  tenantId: ChangeInput["tenantId"],
  actor: ChangeInput["actor"],
  ip: string,
) {
  const intent = "revoke";
  const parsed = revokeFormSchema.safeParse(revokeFormInput(formData));
  const version = versionSchema.safeParse(formData.get("version"));
  if (!parsed.success || !version.success) {
    const errors = parsed.success ? { _form: msg("errors.generic") } : fieldErrors(parsed.error);
    return reply({ ok: false, intent, notice: null, errors }, 400);
  }
  const result = await changeCertificateStatus({
    tenantId,
    id: cert._id,
    change: "revoke",
    reason: parsed.data.reason,
    grounds: parsed.data.grounds,
    expectedVersion: version.data,
    actor,
    ip,
  });
  if (!result.ok) {
    if (result.error === "notFound") throw notFound();
    const errors: Record<string, string> =
      result.error === "reasonRequired"
        ? { reason: msg("errors.reasonRequired") }
        : result.error === "groundsRequired"
          ? { grounds: msg("revocation.errors.groundsRequired") }
          : { _form: msg(CHANGE_ERRORS[result.error]) };
    const status = result.error === "reasonRequired" || result.error === "groundsRequired" ? 400 : 409;
    return reply({ ok: false, intent, notice: null, errors }, status);
  }
  return reply({ ok: true, intent, notice: NOTICES.revoke, errors: {} });
}

export default function CertificateDetailPage() {
  const { slug, certificate: c, changes, renewal, revocation, related, renewalLinks } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const text = (v: { zh: string; en: string }) => (locale === "en" && v.en ? v.en : v.zh);
  const pdfHref = `/t/${slug}/certificates/${c.id}.pdf`;
  const facts: Array<[string, string]> = [
    [t("enterprise.name"), c.enterpriseName],
    [t("enterprise.creditCode"), c.creditCode],
    [t("certificate.level"), text(c.levelName)],
    [t("enterprise.industry"), t(`industry.${c.industry}`)],
    [t("enterprise.district"), c.districtName || "—"],
    [t("certificate.issuer"), text(c.issuer)],
    [t("certificate.issuedAt"), formatDate(c.issuedAt, locale)],
    [t("certificate.validUntil"), formatDate(c.validUntil, locale)],
  ];
  return (
    <section className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <Link to={`/t/${slug}/certificates`} className="text-sm text-brand-700 hover:underline">
          ← {t("certificate.list.back")}
        </Link>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="page-title mb-0" data-testid="certificate-number">
          {t("certificate.detail.title", { number: c.number })}
        </h1>
        <CertificateStatusBadge status={c.status} />
      </div>
      <nav aria-label={t("links.related")} className="flex flex-wrap gap-4 text-sm" data-testid="certificate-related">
        <Link to={related.application} className="text-brand-700 hover:underline" data-testid="link-application">
          {t("links.application")}
        </Link>
        {related.enterprise ? (
          <Link to={related.enterprise} className="text-brand-700 hover:underline" data-testid="link-enterprise">
            {t("links.enterprise")}
          </Link>
        ) : null}
        {related.creditRecords ? (
          <Link to={`/t/${slug}/credit?q=${encodeURIComponent(c.creditCode)}`} className="text-brand-700 hover:underline" data-testid="link-credit">
            {t("links.creditRecords")}
          </Link>
        ) : null}
      </nav>
      {renewalLinks.renewalOf || renewalLinks.renewedBy ? (
        <p className="text-sm text-slate-700" data-testid="renewal-links">
          {renewalLinks.renewalOf ? (
            <Link to={`/t/${slug}/certificates/${renewalLinks.renewalOf.id}`} className="mr-4 text-brand-700 hover:underline">
              {t("certificate.renewal.renewalOf", { number: renewalLinks.renewalOf.number })}
            </Link>
          ) : null}
          {renewalLinks.renewedBy ? (
            <Link to={`/t/${slug}/certificates/${renewalLinks.renewedBy.id}`} className="text-brand-700 hover:underline">
              {t("certificate.renewal.renewedBy", { number: renewalLinks.renewedBy.number })}
            </Link>
          ) : null}
        </p>
      ) : null}
      {actionData?.notice ? <Notice>{t(actionData.notice)}</Notice> : null}

      {c.status === "revoked" || c.status === "suspended" ? (
        <div
          className={`rounded-lg border p-4 text-sm ${STATUS_STYLE[c.status].panel}`}
          data-testid="status-reason"
        >
          <p className="font-medium">
            {c.status === "revoked"
              ? t("certificate.detail.revokedOn", {
                  date: formatDate(c.revokedAt ?? c.validUntil, locale),
                })
              : t("certificate.detail.suspendedOn", {
                  date: formatDate(c.suspendedAt ?? c.validUntil, locale),
                })}
          </p>
          {c.status === "revoked" && c.revokedGrounds.length > 0 ? (
            <RevocationGroundsList grounds={c.revokedGrounds} />
          ) : null}
          <p className="mt-1 whitespace-pre-wrap break-words">
            {c.status === "revoked" ? c.revokedReason : c.suspendedReason}
          </p>
          {c.status === "revoked" && c.blockedUntil ? (
            <p className="mt-1">
              {t("certificate.detail.blockedUntil", { date: formatDate(c.blockedUntil, locale) })}
            </p>
          ) : null}
        </div>
      ) : null}

      <div className="card">
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2">
          {facts.map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="text-sm">{value}</dd>
            </div>
          ))}
        </dl>
        <div className="mt-4 flex flex-wrap gap-3 border-t border-slate-100 pt-4">
          <a href={pdfHref} className="btn-primary" data-testid="certificate-pdf">
            {t("certificate.detail.downloadPdf")}
          </a>
          <a href={c.verifyPath} className="btn-secondary" data-testid="certificate-verify-link">
            {t("certificate.detail.verifyLink")}
          </a>
        </div>
        {c.status !== "active" ? (
          <p className="mt-3 text-sm text-slate-700" data-testid="certificate-pdf-status-note">
            {t("revocation.ownPdfNote", { status: t(`certificate.status.${c.status}`) })}
          </p>
        ) : null}
        <p className="mt-3 break-all text-xs text-slate-500">
          {t("certificate.detail.verifyUrl")} <span className="font-mono">{c.verifyUrl}</span>
        </p>
      </div>

      {renewal ? (
        <div className="card space-y-2" data-testid="renewal">
          <h2 className="text-lg font-medium">{t("certificate.renewal.title")}</h2>
          <p className="text-sm text-slate-600" data-testid="renewal-fast-track">
            {t("certificate.renewal.fastTrack", { months: renewal.months })}
          </p>
          {renewal.applicationId ? (
            <Link
              to={`/t/${slug}/assessments/${renewal.applicationId}`}
              className="text-brand-700 hover:underline"
            >
              {t("certificate.renewal.open")}
            </Link>
          ) : renewal.open ? (
            <Form method="post">
              <input type="hidden" name="intent" value="renew" />
              <p className="mb-2 text-sm text-slate-600">{t("certificate.renewal.hint")}</p>
              <FormError
                error={actionData?.intent === "renew" ? actionData.errors._form : undefined}
              />
              <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
                {t("certificate.renewal.start")}
              </button>
            </Form>
          ) : (
            <p className="text-sm text-slate-600">
              {t("certificate.renewal.opensOn", { date: formatDate(renewal.opensAt, locale) })}
            </p>
          )}
        </div>
      ) : null}

      {changes.length > 0 ? (
        <div className="card space-y-4" data-testid="status-actions">
          <h2 className="text-lg font-medium">{t("certificate.actions.title")}</h2>
          <FormError
            error={
              actionData && !actionData.ok && actionData.intent !== "renew"
                ? actionData.errors._form
                : undefined
            }
          />
          <div className="grid gap-4 lg:grid-cols-2">
            {changes.map((change) =>
              change === "revoke" ? (
                <RevokeCertificateForm
                  key={change}
                  version={c.version}
                  months={revocation?.months ?? 0}
                  reapplyFrom={revocation?.reapplyFrom ?? null}
                  preselected={revocation?.preselected ?? []}
                  serverErrors={actionData?.intent === "revoke" ? actionData.errors : undefined}
                />
              ) : (
                <StatusChangeForm
                  key={change}
                  change={change}
                  version={c.version}
                  serverError={actionData?.intent === change ? actionData.errors.reason : undefined}
                />
              ),
            )}
          </div>
        </div>
      ) : null}

      <div>
        <h2 className="mb-3 text-lg font-medium">{t("certificate.history.title")}</h2>
        <div className="card overflow-x-auto p-0">
          <table className="table" data-testid="certificate-history">
            <thead>
              <tr>
                <th scope="col">{t("common.time")}</th>
                <th scope="col">{t("certificate.history.action")}</th>
                <th scope="col">{t("certificate.history.actor")}</th>
                <th scope="col">{t("common.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {c.history.map((h, i) => (
                <tr key={`${h.at}-${i}`} data-action={h.action}>
                  <td className="whitespace-nowrap">{formatDateTime(h.at, locale)}</td>
                  <td>
                    {t(`certificate.history.${h.action}`)}
                    {h.action === "reminder" && typeof h.details.daysBefore === "number"
                      ? ` (${t("certificate.history.daysBefore", { days: h.details.daysBefore })})`
                      : ""}
                  </td>
                  <td>{h.actorId ? h.actorName || "—" : t("certificate.history.system")}</td>
                  <td className="max-w-md whitespace-pre-wrap break-words">{h.reason || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

const CHANGE_UI: Record<
  Exclude<StatusChange, "revoke">,
  { label: MessageKey; hint: MessageKey; button: string }
> = {
  suspend: {
    label: "certificate.actions.suspend",
    hint: "certificate.actions.suspendHint",
    button: "btn-secondary",
  },
  reinstate: {
    label: "certificate.actions.reinstate",
    hint: "certificate.actions.reinstateHint",
    button: "btn-primary",
  },
};

function StatusChangeForm({
  change,
  version,
  serverError,
}: {
  change: Exclude<StatusChange, "revoke">;
  version: number;
  serverError?: string;
}) {
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(reasonFormSchema), defaultValues: { reason: "" } });
  const ui = CHANGE_UI[change];
  return (
    <Form
      method="post"
      noValidate
      className="flex flex-col gap-2 rounded-md border border-slate-200 p-4"
      data-change={change}
      onSubmit={(event) => {
        const target = event.currentTarget;
        void handleSubmit(() => submit(target))(event);
      }}
    >
      <input type="hidden" name="intent" value={change} />
      <input type="hidden" name="version" value={version} />
      <TextAreaField
        label={t("certificate.actions.reasonFor", { action: t(ui.label) })}
        rows={3}
        hint={t(ui.hint)}
        error={errors.reason?.message ?? serverError}
        {...register("reason")}
      />
      <div>
        <button type="submit" className={ui.button} disabled={navigation.state !== "idle"}>
          {t(ui.label)}
        </button>
      </div>
    </Form>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  {
    title: d
      ? translate(d.locale, "certificate.detail.title", { number: d.certificate.number })
      : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
