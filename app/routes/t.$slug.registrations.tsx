import { zodResolver } from "@hookform/resolvers/zod";
import {
  data,
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
import { clientIp } from "~/auth.server";
import { ConfirmSubmit } from "~/components/confirm-dialog";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextAreaField } from "~/components/form";
import {
  approveRegistration,
  getRegistration,
  listRegistrations,
  refuseRegistration,
  type DecisionError,
  type RegistrationView,
} from "~/data/registrations.server";
import { districtName, type TenantView } from "~/data/tenants.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import { getLocale } from "~/locale.server";
import { msg, reasonSchema } from "~/lib/validation";
import { notFound, requireTenantPermission } from "~/tenant.server";
import { creditCodeRegionMismatch } from "~/lib/enterprise-master-data";
import { readForm } from "~/lib/http/read-form.server";

function toRow(tenant: TenantView, r: RegistrationView) {
  return {
    id: String(r._id),
    status: r.status,
    name: r.enterprise.name,
    creditCode: r.enterprise.creditCode,
    industry: r.enterprise.industry,
    sizeClass: r.enterprise.sizeClass,
    district: districtName(tenant, r.enterprise.districtCode),
    regionMismatch: creditCodeRegionMismatch(r.enterprise.creditCode, r.enterprise.districtCode),
    address: r.enterprise.address,
    contactName: r.enterprise.contactName,
    contactPhone: r.enterprise.contactPhone,
    adminName: r.admin.name,
    adminEmail: r.admin.email,
    submittedAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
    reason: r.reason,
    enterpriseId: r.enterpriseId ? String(r.enterpriseId) : null,
  };
}
type Row = ReturnType<typeof toRow>;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "approve:registration:any");
  const { open, recent } = await listRegistrations({ tenantId: tenant._id, scope: member });
  return {
    slug: tenant.slug,
    locale: await getLocale(request),
    open: open.map((r) => toRow(tenant, r)),
    recent: recent.map((r) => toRow(tenant, r)),
  };
}

const refuseFormSchema = z.object({ reason: reasonSchema });

const decisionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("approve"), id: z.string().max(64) }),
  z.object({ intent: z.literal("refuse"), id: z.string().max(64), reason: reasonSchema }),
]);

const DECISION_ERRORS: Record<Exclude<DecisionError, "notFound">, MessageKey> = {
  notPending: "errors.registration.notPending",
  conflict: "errors.conflict",
  creditCodeTaken: "errors.creditCode.taken",
  emailTaken: "errors.emailTaken",
};

type ActionResult = {
  ok: boolean;
  id: string;
  notice: MessageKey | null;
  errors: Record<string, string>;
};
const reply = (body: ActionResult, status = 200) => data(body, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "approve:registration:any",
  );
  const form = Object.fromEntries(await readForm(request));
  const id = typeof form.id === "string" ? form.id : "";
  const parsed = decisionSchema.safeParse(form);
  if (!parsed.success) {
    const reasonIssue = parsed.error.issues.find((i) => i.path[0] === "reason");
    const errors: Record<string, string> = reasonIssue
      ? { reason: reasonIssue.message }
      : { _form: msg("errors.generic") };
    return reply({ ok: false, id, notice: null, errors }, 400);
  }
  // Another district's registration does not exist for a district-limited regulator.
  if (!(await getRegistration({ tenantId: tenant._id, id: parsed.data.id, scope: member }))) throw notFound();
  const actor = { id: member.user._id, email: member.user.email };
  const ip = clientIp(request);
  const result =
    parsed.data.intent === "approve"
      ? await approveRegistration({ tenantId: tenant._id, id: parsed.data.id, actor, ip })
      : await refuseRegistration({
          tenantId: tenant._id,
          id: parsed.data.id,
          reason: parsed.data.reason,
          actor,
          ip,
        });
  if (!result.ok) {
    // Another tenant's id looks exactly like an id that does not exist.
    if (result.error === "notFound") throw notFound();
    return reply(
      { ok: false, id, notice: null, errors: { _form: msg(DECISION_ERRORS[result.error]) } },
      409,
    );
  }
  const notice: MessageKey =
    parsed.data.intent === "approve" ? "registration.approved" : "registration.refused";
  return reply({ ok: true, id, notice, errors: {} });
}

export default function Registrations() {
  const { slug, open, recent } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  return (
    <section className="space-y-8">
      <h1 className="page-title">{t("registration.list.title")}</h1>
      {/* The decided registration moves to the table below, so the confirmation lives up here. */}
      {actionData?.notice ? <Notice>{t(actionData.notice)}</Notice> : null}

      <div>
        <h2 className="mb-3 text-lg font-medium">{t("registration.list.open")}</h2>
        {open.length === 0 ? (
          <p className="card text-sm text-slate-500">{t("registration.list.empty")}</p>
        ) : (
          <ul className="space-y-4" data-testid="open-registrations">
            {open.map((r) => (
              <OpenRegistration
                key={r.id}
                row={r}
                errors={actionData?.id === r.id ? actionData.errors : {}}
              />
            ))}
          </ul>
        )}
      </div>

      <div>
        <h2 className="mb-3 text-lg font-medium">{t("registration.list.recent")}</h2>
        {recent.length === 0 ? (
          <p className="card text-sm text-slate-500">{t("registration.list.recentEmpty")}</p>
        ) : (
          <div className="card overflow-x-auto p-0">
            <table className="table" data-testid="recent-registrations">
              <thead>
                <tr>
                  <th scope="col">{t("enterprise.name")}</th>
                  <th scope="col">{t("enterprise.creditCode")}</th>
                  <th scope="col">{t("registration.applicant")}</th>
                  <th scope="col">{t("common.status")}</th>
                  <th scope="col">{t("registration.decidedAt")}</th>
                  <th scope="col">{t("common.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {recent.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.enterpriseId ? (
                        <Link
                          to={`/t/${slug}/enterprises/${r.enterpriseId}`}
                          className="text-brand-700 hover:underline"
                        >
                          {r.name}
                        </Link>
                      ) : (
                        r.name
                      )}
                    </td>
                    <td className="font-mono text-xs">
                      {r.creditCode}
                      {r.regionMismatch ? (
                        <span className="ml-1 block font-sans text-amber-700" data-region-mismatch>
                          {t("enterprise.region.flag")}
                        </span>
                      ) : null}
                    </td>
                    <td>
                      {r.adminName}
                      <div className="text-xs text-slate-500">{r.adminEmail}</div>
                    </td>
                    <td>{t(`registration.status.${r.status}`)}</td>
                    <td>{r.decidedAt ? formatDateTime(r.decidedAt, locale) : "—"}</td>
                    <td className="max-w-xs whitespace-pre-wrap break-words">{r.reason || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}

function OpenRegistration({
  row,
  errors: serverErrors,
}: {
  row: Row;
  errors: Record<string, string>;
}) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(refuseFormSchema), defaultValues: { reason: "" } });
  const busy = navigation.state !== "idle";
  const details: Array<[string, string]> = [
    [t("enterprise.creditCode"), row.creditCode],
    [t("enterprise.district"), row.district],
    [t("enterprise.industry"), t(`industry.${row.industry}`)],
    [t("enterprise.sizeClass"), t(`enterprise.size.${row.sizeClass}`)],
    [t("enterprise.address"), row.address],
    [t("enterprise.contactName"), [row.contactName, row.contactPhone].filter(Boolean).join(" · ")],
    [t("registration.applicant"), `${row.adminName} <${row.adminEmail}>`],
    [t("registration.submittedAt"), formatDateTime(row.submittedAt, locale)],
  ];
  return (
    <li className="card space-y-4" data-registration={row.id}>
      <div className="flex flex-wrap items-center gap-3">
        <h3 className="text-base font-semibold">{row.name}</h3>
        <span className="badge bg-amber-50 text-amber-800">
          {t(`registration.status.${row.status}`)}
        </span>
      </div>
      {row.status === "approving" ? (
        <p className="text-sm text-amber-700">{t("registration.approvingHint")}</p>
      ) : null}
      <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
        {details.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="text-sm">{value || "—"}</dd>
          </div>
        ))}
      </dl>
      <FormError error={serverErrors._form} />
      <div className="flex flex-wrap items-start gap-4 border-t border-slate-100 pt-4">
        <Form method="post">
          <input type="hidden" name="intent" value="approve" />
          <input type="hidden" name="id" value={row.id} />
          <ConfirmSubmit
            label={t("common.approve")}
            title={t("confirm.approve.title")}
            consequences={[
              t("confirm.approve.enterprise", { name: row.name, code: row.creditCode }),
              t("confirm.approve.account", { email: row.adminEmail }),
            ]}
            confirmLabel={t("confirm.approve.confirm")}
            disabled={busy}
            testId="approve"
          />
        </Form>
        {row.status === "pending" ? (
          <Form
            method="post"
            noValidate
            className="flex min-w-[16rem] flex-1 flex-col gap-2"
            onSubmit={(event) => {
              const target = event.currentTarget;
              void handleSubmit(() => submit(target))(event);
            }}
          >
            <input type="hidden" name="intent" value="refuse" />
            <input type="hidden" name="id" value={row.id} />
            <TextAreaField
              label={t("registration.refuseReason")}
              rows={2}
              hint={t("registration.refuseHint")}
              error={errors.reason?.message ?? serverErrors.reason}
              {...register("reason")}
            />
            <div>
              <button type="submit" className="btn-danger" disabled={busy}>
                {t("common.refuse")}
              </button>
            </div>
          </Form>
        ) : null}
      </div>
    </li>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "registration.list.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
