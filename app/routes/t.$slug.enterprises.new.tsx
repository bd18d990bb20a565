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
import { clientIp } from "~/auth.server";
import {
  EMPTY_ENTERPRISE_TEXT,
  EnterpriseFieldset,
  type EnterpriseFormInput,
} from "~/components/enterprise-fields";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import { createEnterprise, districtOptions, isTenantDistrict } from "~/data/enterprises.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { enterpriseFieldProblems, enterpriseFieldsSchema, fieldErrors, msg, type EnterpriseFields } from "~/lib/validation";
import { requireTenantPermission } from "~/tenant.server";
import { inDistrictScope, visibleDistricts } from "~/lib/district-scope";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "create:enterprise:any");
  return {
    slug: tenant.slug,
    districts: visibleDistricts(member, districtOptions(tenant)),
    locale: await getLocale(request),
  };
}

const fail = (errors: Record<string, string>, status: number) => data({ errors }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "create:enterprise:any",
  );
  const parsed = enterpriseFieldsSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return fail(fieldErrors(parsed.error), 400);
  const problems = enterpriseFieldProblems(parsed.data);
  if (Object.keys(problems).length > 0) return fail(problems, 400);
  if (!isTenantDistrict(tenant, parsed.data.districtCode) || !inDistrictScope(member, parsed.data.districtCode))
    return fail({ districtCode: msg("errors.invalidChoice") }, 400);
  const result = await createEnterprise({
    tenantId: tenant._id,
    fields: parsed.data,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  if (!result.ok) return fail({ creditCode: msg("errors.creditCode.taken") }, 409);
  return redirect(`/t/${tenant.slug}/enterprises/${String(result.enterprise._id)}?created=1`);
}

export default function NewEnterprise() {
  const { slug, districts } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<EnterpriseFormInput, unknown, EnterpriseFields>({
    resolver: zodResolver(enterpriseFieldsSchema),
    mode: "onTouched",
    defaultValues: EMPTY_ENTERPRISE_TEXT,
  });
  const serverErrors: Record<string, string> = actionData?.errors ?? {};
  return (
    <section className="mx-auto max-w-3xl">
      <h1 className="page-title">{t("enterprise.create.title")}</h1>
      <Form
        method="post"
        noValidate
        className="card space-y-4"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        <FormError error={serverErrors._form} />
        <EnterpriseFieldset
          field={(n) => register(n)}
          error={(n) => errors[n]?.message ?? serverErrors[n]}
          districts={districts}
        />
        <div className="flex justify-end gap-2">
          <Link to={`/t/${slug}/enterprises`} className="btn-secondary">
            {t("common.cancel")}
          </Link>
          <button
            type="submit"
            className="btn-primary"
            disabled={navigation.state === "submitting"}
          >
            {t("common.save")}
          </button>
        </div>
      </Form>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "enterprise.create.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
