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
import { clientIp, forbidden, requireMember, requirePermission, type Member } from "~/auth.server";
import { CreditRecordsPanel } from "~/components/credit-panel";
import { EnterpriseFieldset } from "~/components/enterprise-fields";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import {
  districtOptions,
  getEnterprise,
  isTenantDistrict,
  listEnterpriseAccounts,
  updateEnterprise,
  type EnterpriseView,
  type EnterpriseWriteError,
  ALL_DISTRICTS,
} from "~/data/enterprises.server";
import { creditRecordsOfEnterprise } from "~/data/credit-records.server";
import { listEnterpriseApplications } from "~/data/grading-views.server";
import { listCertificates } from "~/data/certificates/queries.server";
import { RelatedRecords } from "~/components/related-records";
import { districtName, type TenantView } from "~/data/tenants.server";
import type { MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { can } from "~/lib/permissions";
import { inDistrictScope, visibleDistricts } from "~/lib/district-scope";
import { industryDivision } from "~/lib/enterprise-master-data";

const industryDivisionLabel = (code: string) => {
  const d = industryDivision(code);
  return d ? `${d.section}${d.code} ${d.zh}` : "";
};
import { enterpriseFieldProblems, enterpriseFieldsSchema, fieldErrors, msg } from "~/lib/validation";
import { notFound, requireTenant } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

/**
 * Who may see this enterprise. Without any enterprise-read permission: 403 (says nothing about the id).
 * With `own` scope only, anything but the member's own enterprise is a 404, so other ids do not leak.
 */
async function requireVisibleEnterprise(
  request: Request,
  params: { slug?: string; id?: string },
): Promise<{ tenant: TenantView; member: Member; enterprise: EnterpriseView; isOwn: boolean }> {
  const tenant = await requireTenant(params);
  const member = await requireMember(request, tenant);
  requirePermission(member, "read:enterprise:any", "read:enterprise:own");
  const isOwn = member.enterpriseId !== null && String(member.enterpriseId) === params.id;
  if (!can(member.permissions, "read:enterprise:any") && !isOwn) throw notFound();
  // A district-limited regulator: another district's enterprise does not exist for them (404).
  const enterprise = await getEnterprise({ tenantId: tenant._id, id: params.id ?? "", scope: isOwn ? ALL_DISTRICTS : member });
  if (!enterprise) throw notFound();
  return { tenant, member, enterprise, isOwn };
}

function editRights(member: Member, isOwn: boolean) {
  const any = can(member.permissions, "update:enterprise:any");
  return {
    canEdit: any || (isOwn && can(member.permissions, "update:enterprise:own")),
    // The credit code identifies the company in certificates and credit lists: only the regulator corrects it.
    canEditCreditCode: any,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member, enterprise, isOwn } = await requireVisibleEnterprise(request, params);
  const accounts = await listEnterpriseAccounts({
    tenantId: tenant._id,
    enterpriseId: enterprise._id,
  });
  const rights = editRights(member, isOwn);
  // Credit-list records (Step 6): regulators see all of them, the enterprise its own from the notice on.
  const seesCredit =
    can(member.permissions, "read:credit:any") || (isOwn && can(member.permissions, "read:credit:own"));
  const creditRecords = seesCredit
    ? (await creditRecordsOfEnterprise({ tenantId: tenant._id, enterpriseId: enterprise._id })).filter(
        (r) => can(member.permissions, "read:credit:any") || r.status !== "draft",
      )
    : null;
  // Links to the enterprise's applications and certificates (issue 17), for those who may open them.
  const seesGrading = can(member.permissions, "read:assessment:any") || (isOwn && can(member.permissions, "read:assessment:own"));
  const seesCertificates = can(member.permissions, "read:certificate:any") || (isOwn && can(member.permissions, "read:certificate:own"));
  const [applications, certificates] = await Promise.all([
    seesGrading ? listEnterpriseApplications({ tenantId: tenant._id, enterpriseId: enterprise._id }) : Promise.resolve(null),
    seesCertificates ? listCertificates({ tenantId: tenant._id, filters: { enterpriseId: enterprise._id }, pageSize: 20 }) : Promise.resolve(null),
  ]);
  return {
    related: {
      applications: applications?.map((a) => ({ id: a.id, cycle: a.cycle, state: a.state })) ?? null,
      certificates: certificates?.items.map((c) => ({ id: c.id, number: c.number, status: c.status })) ?? null,
    },
    creditRecords,
    slug: tenant.slug,
    created: new URL(request.url).searchParams.get("created") === "1",
    enterprise: {
      id: String(enterprise._id),
      name: enterprise.name,
      creditCode: enterprise.creditCode,
      industry: enterprise.industry,
      sizeClass: enterprise.sizeClass,
      districtCode: enterprise.districtCode,
      districtName: districtName(tenant, enterprise.districtCode),
      industryDivision: enterprise.industryDivision ?? "",
      scale: enterprise.scale ?? "",
      address: enterprise.address,
      contactName: enterprise.contactName,
      contactPhone: enterprise.contactPhone,
      status: enterprise.status,
      version: enterprise.version,
      locked: Boolean(enterprise.lockedReason),
    },
    accounts: accounts.map((a) => ({
      id: String(a.membershipId),
      name: a.name,
      email: a.email,
      role: a.role,
      disabled: a.disabled,
    })),
    districts: isOwn ? districtOptions(tenant) : visibleDistricts(member, districtOptions(tenant)),
    canEdit: rights.canEdit && !enterprise.lockedReason,
    canEditCreditCode: rights.canEditCreditCode,
    canList: can(member.permissions, "read:enterprise:any"),
  };
}

const updateFormSchema = z.object({
  intent: z.literal("update"),
  version: z.coerce.number().int().min(0),
});

const WRITE_ERRORS: Record<
  Exclude<EnterpriseWriteError, "notFound">,
  { field: string; key: MessageKey }
> = {
  creditCodeTaken: { field: "creditCode", key: "errors.creditCode.taken" },
  conflict: { field: "_form", key: "errors.conflict" },
  locked: { field: "_form", key: "enterprise.locked" },
};

const fail = (errors: Record<string, string>, status: number) =>
  data({ ok: false as const, errors }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member, enterprise, isOwn } = await requireVisibleEnterprise(request, params);
  const rights = editRights(member, isOwn);
  if (!rights.canEdit) throw forbidden();
  const form = Object.fromEntries(await readForm(request));
  const meta = updateFormSchema.safeParse(form);
  if (!meta.success) return fail({ _form: msg("errors.generic") }, 400);
  const parsed = enterpriseFieldsSchema.safeParse(form);
  if (!parsed.success) return fail(fieldErrors(parsed.error), 400);
  const problems = enterpriseFieldProblems(parsed.data);
  if (Object.keys(problems).length > 0) return fail(problems, 400);
  const fields = rights.canEditCreditCode
    ? parsed.data
    : { ...parsed.data, creditCode: enterprise.creditCode };
  if (!isTenantDistrict(tenant, fields.districtCode) || (!isOwn && !inDistrictScope(member, fields.districtCode)))
    return fail({ districtCode: msg("errors.invalidChoice") }, 400);

  const result = await updateEnterprise({
    tenantId: tenant._id,
    id: enterprise._id,
    expectedVersion: meta.data.version,
    fields,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  if (!result.ok) {
    if (result.error === "notFound") throw notFound();
    const { field, key } = WRITE_ERRORS[result.error];
    return fail({ [field]: msg(key) }, 409);
  }
  return data({ ok: true as const, changed: result.changed, errors: {} });
}

export default function EnterpriseDetail() {
  const { slug, created, enterprise, accounts, canList, creditRecords, related } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const rows: Array<[string, string]> = [
    [t("enterprise.creditCode"), enterprise.creditCode],
    [t("enterprise.district"), enterprise.districtName],
    [t("enterprise.industry"), t(`industry.${enterprise.industry}`)],
    [t("enterprise.sizeClass"), t(`enterprise.size.${enterprise.sizeClass}`)],
    [t("enterprise.industryDivision"), industryDivisionLabel(enterprise.industryDivision)],
    [t("enterprise.scale"), enterprise.scale ? t(`enterprise.scale.${enterprise.scale}`) : ""],
    [t("enterprise.address"), enterprise.address],
    [t("enterprise.contactName"), enterprise.contactName],
    [t("enterprise.contactPhone"), enterprise.contactPhone],
    [t("enterprise.status"), t(`enterprise.status.${enterprise.status}`)],
  ];
  return (
    <section className="space-y-6">
      {canList ? (
        <Link to={`/t/${slug}/enterprises`} className="text-sm text-brand-600 hover:underline">
          ← {t("enterprise.list.title")}
        </Link>
      ) : null}
      <h1 className="page-title" data-testid="enterprise-name">
        {enterprise.name}
      </h1>
      {created && !actionData ? <Notice>{t("enterprise.create.done")}</Notice> : null}
      {actionData?.ok ? (
        <Notice>
          {actionData.changed.length > 0
            ? t("enterprise.edit.saved")
            : t("enterprise.edit.noChanges")}
        </Notice>
      ) : null}
      {enterprise.locked ? (
        <div
          role="status"
          className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800"
        >
          {t("enterprise.locked")}
        </div>
      ) : null}

      <div className="card">
        <h2 className="mb-3 text-lg font-medium">{t("enterprise.detail.title")}</h2>
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="text-sm text-slate-900">{value || "—"}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-3 text-sm">
          <Link to={`/t/${slug}/enterprises/${enterprise.id}/licences`} className="text-brand-600 hover:underline" data-testid="licences-link">
            {t("licence.title")}
          </Link>
        </p>
      </div>

      <div className="card">
        <h2 className="mb-3 text-lg font-medium">{t("enterprise.detail.members")}</h2>
        {accounts.length === 0 ? (
          <p className="text-sm text-slate-500">{t("enterprise.detail.noAccounts")}</p>
        ) : (
          <table className="table" data-testid="enterprise-accounts">
            <thead>
              <tr>
                <th scope="col">{t("common.name")}</th>
                <th scope="col">{t("common.email")}</th>
                <th scope="col">{t("common.role")}</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr key={a.id}>
                  <td>
                    {a.name}
                    {a.disabled ? (
                      <span className="badge ml-2 bg-slate-100 text-slate-600">
                        {t("enterprise.account.disabled")}
                      </span>
                    ) : null}
                  </td>
                  <td>{a.email}</td>
                  <td>{t(`role.${a.role}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <RelatedRecords slug={slug} related={related} />
      {creditRecords ? <CreditRecordsPanel slug={slug} items={creditRecords} /> : null}

      {/* Remounted when the version changes, so the form always starts from what was saved last. */}
      <EditForm key={enterprise.version} />
    </section>
  );
}

function EditForm() {
  const { enterprise, districts, canEdit, canEditCreditCode } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({
    resolver: zodResolver(enterpriseFieldsSchema),
    mode: "onTouched",
    defaultValues: {
      name: enterprise.name,
      creditCode: enterprise.creditCode,
      industry: enterprise.industry,
      sizeClass: enterprise.sizeClass,
      districtCode: enterprise.districtCode,
      industryDivision: enterprise.industryDivision,
      scale: enterprise.scale,
      address: enterprise.address,
      contactName: enterprise.contactName,
      contactPhone: enterprise.contactPhone,
    },
  });
  if (!canEdit) return null;
  const serverErrors: Record<string, string> = actionData?.errors ?? {};
  return (
    <div className="card">
      <h2 className="mb-3 text-lg font-medium">{t("enterprise.edit.title")}</h2>
      <Form
        method="post"
        noValidate
        className="space-y-4"
        data-testid="enterprise-edit"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        <FormError error={serverErrors._form} />
        <input type="hidden" name="intent" value="update" />
        <input type="hidden" name="version" value={enterprise.version} />
        <EnterpriseFieldset
          field={(n) => register(n)}
          error={(n) => errors[n]?.message ?? serverErrors[n]}
          districts={districts}
          creditCodeReadOnly={!canEditCreditCode}
        />
        <div className="flex justify-end">
          <button
            type="submit"
            className="btn-primary"
            disabled={navigation.state === "submitting"}
          >
            {t("common.save")}
          </button>
        </div>
      </Form>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${d.enterprise.name} · SafeGrade` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
