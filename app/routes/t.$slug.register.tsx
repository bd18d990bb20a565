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
import type { z } from "zod";
import { clientIp } from "~/auth.server";
import { EMPTY_ENTERPRISE_TEXT, EnterpriseFieldset } from "~/components/enterprise-fields";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextField } from "~/components/form";
import { districtOptions, isTenantDistrict } from "~/data/enterprises.server";
import { hitRateLimit } from "~/data/rate-limit.server";
import { submitRegistration, type SubmitRegistrationError } from "~/data/registrations.server";
import { translate, type MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { enterpriseFieldProblems, fieldErrors, msg, registrationSchema } from "~/lib/validation";
import { creditCodeRegionMismatch } from "~/lib/enterprise-master-data";
import { requireTenant, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  const submitted = new URL(request.url).searchParams.get("submitted") === "1";
  return {
    slug: tenant.slug,
    tenantName: tenantName(tenant, locale),
    districts: districtOptions(tenant),
    submitted,
    locale,
  };
}

/** Per IP per hour; counted only for submissions that get as far as the database. */
const SUBMIT_LIMIT = { perIp: 10, windowMs: 60 * 60 * 1000 } as const;

const SUBMIT_ERRORS: Record<SubmitRegistrationError, { field: string; key: MessageKey }> = {
  creditCodeTaken: { field: "creditCode", key: "errors.creditCode.taken" },
  pendingExists: { field: "creditCode", key: "errors.registration.pendingExists" },
};

const fail = (errors: Record<string, string>, status: number) => data({ errors }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  const form = Object.fromEntries(await readForm(request));
  const parsed = registrationSchema.safeParse(form);
  if (!parsed.success) return fail(fieldErrors(parsed.error), 400);
  if (!isTenantDistrict(tenant, parsed.data.districtCode)) {
    return fail({ districtCode: msg("errors.invalidChoice") }, 400);
  }
  const problems = enterpriseFieldProblems(parsed.data);
  if (Object.keys(problems).length > 0) return fail(problems, 400);
  // Characters 3–8 of the code name the registering authority's division: another province is
  // usually a typo (or the wrong district). A warning: confirmed, the registration goes ahead.
  if (creditCodeRegionMismatch(parsed.data.creditCode, parsed.data.districtCode) && form.confirmRegion !== "1") {
    return data(
      { errors: { creditCode: msg("enterprise.region.mismatch", { region: parsed.data.creditCode.slice(2, 8) }) }, regionWarning: true },
      { status: 400 },
    );
  }
  const ip = clientIp(request);
  const limit = await hitRateLimit(`register:ip:${ip}`, SUBMIT_LIMIT.perIp, SUBMIT_LIMIT.windowMs);
  if (limit.limited) {
    const minutes = Math.max(1, Math.ceil(limit.retryAfterSeconds / 60));
    return fail({ _form: msg("errors.login.rateLimited", { minutes }) }, 429);
  }
  const result = await submitRegistration({
    tenantId: tenant._id,
    input: parsed.data,
    locale: await getLocale(request),
    ip,
  });
  if (!result.ok) {
    const { field, key } = SUBMIT_ERRORS[result.error];
    return fail({ [field]: msg(key) }, 409);
  }
  return redirect(`/t/${tenant.slug}/register?submitted=1`);
}

export default function RegisterPage() {
  const { slug, tenantName: name, districts, submitted } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<z.input<typeof registrationSchema>, unknown, z.output<typeof registrationSchema>>({
    resolver: zodResolver(registrationSchema),
    mode: "onTouched",
    defaultValues: {
      ...EMPTY_ENTERPRISE_TEXT,
      adminName: "",
      adminEmail: "",
      password: "",
      confirmPassword: "",
    },
  });
  const serverErrors: Record<string, string> = actionData?.errors ?? {};
  const errorFor = (name: keyof typeof errors) => errors[name]?.message ?? serverErrors[name];

  if (submitted) {
    return (
      <div className="mx-auto max-w-2xl">
        <h1 className="page-title">{t("registration.title")}</h1>
        <Notice>{t("registration.submitted")}</Notice>
        <p className="mt-4 text-sm">
          <Link to={`/t/${slug}`} className="text-brand-600 hover:underline">
            {t("common.back")}
          </Link>
        </p>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-2xl">
      <h1 className="page-title">{t("registration.title")}</h1>
      <p className="mb-6 text-sm text-slate-600">
        {name} · {t("registration.intro")}
      </p>
      <Form
        method="post"
        noValidate
        className="space-y-6"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        <FormError error={serverErrors._form} />
        <fieldset className="card space-y-4">
          <legend className="px-1 text-base font-medium">
            {t("registration.enterpriseSection")}
          </legend>
          <EnterpriseFieldset field={(n) => register(n)} error={errorFor} districts={districts} />
          {actionData && "regionWarning" in actionData ? (
            <label className="flex items-start gap-2 text-sm text-amber-800" data-testid="confirm-region">
              <input type="checkbox" name="confirmRegion" value="1" className="mt-1" />
              {t("enterprise.region.confirm")}
            </label>
          ) : null}
        </fieldset>
        <fieldset className="card space-y-4">
          <legend className="px-1 text-base font-medium">{t("registration.adminSection")}</legend>
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label={t("registration.adminName")}
              autoComplete="name"
              error={errorFor("adminName")}
              {...register("adminName")}
            />
            <TextField
              label={t("registration.adminEmail")}
              type="email"
              autoComplete="email"
              hint={t("registration.adminEmailHint")}
              error={errorFor("adminEmail")}
              {...register("adminEmail")}
            />
            <TextField
              label={t("registration.password")}
              type="password"
              autoComplete="new-password"
              hint={t("registration.passwordHint")}
              error={errorFor("password")}
              {...register("password")}
            />
            <TextField
              label={t("registration.confirmPassword")}
              type="password"
              autoComplete="new-password"
              error={errorFor("confirmPassword")}
              {...register("confirmPassword")}
            />
          </div>
        </fieldset>
        <div className="flex items-center justify-between gap-4">
          <p className="text-sm text-slate-600">
            {t("registration.haveAccount")}{" "}
            <Link to={`/t/${slug}/login`} className="text-brand-600 hover:underline">
              {t("nav.login")}
            </Link>
          </p>
          <button
            type="submit"
            className="btn-primary"
            disabled={navigation.state === "submitting"}
          >
            {t("registration.submit")}
          </button>
        </div>
      </Form>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${translate(d.locale, "registration.title")} · ${d.tenantName}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
