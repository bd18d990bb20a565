import { zodResolver } from "@hookform/resolvers/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { clientIp, endOtherSessions, logoutEverywhere } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextField } from "~/components/form";
import { changePassword, getAccount, updateDisplayName } from "~/data/accounts.server";
import { recordAudit } from "~/data/audit.server";
import { translate, type MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { LIMITS } from "~/lib/domain";
import { changePasswordSchema, fieldErrors, msg, passwordMatchesEmail } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params);
  const account = await getAccount({ userId: member.user._id });
  if (!account) throw notFound();
  const locale = await getLocale(request);
  return {
    title: `${translate(locale, "auth.account.title")} · ${tenantName(tenant, locale)}`,
    email: account.email,
    name: account.name,
    sessionCount: account.sessionCount,
  };
}

const profileSchema = z.object({
  name: z
    .string({ error: msg("errors.required") })
    .trim()
    .min(1, { error: msg("errors.required") })
    .max(LIMITS.name, { error: msg("errors.tooLong", { max: LIMITS.name }) }),
});

function passwordFormSchemaFor(email: string) {
  return changePasswordSchema.refine((v) => !passwordMatchesEmail(v.password, email), {
    path: ["password"],
    error: msg("errors.password.containsEmail"),
  });
}

type Intent = "profile" | "password";
type ActionResult = { intent: Intent | null; errors?: Record<string, string>; notice?: MessageKey };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params);
  const form = Object.fromEntries(await readForm(request));
  const ip = clientIp(request);
  const { user } = member;

  switch (form.intent) {
    case "profile": {
      const parsed = profileSchema.safeParse(form);
      if (!parsed.success)
        return data<ActionResult>(
          { intent: "profile", errors: fieldErrors(parsed.error) },
          { status: 400 },
        );
      await updateDisplayName({
        tenantId: tenant._id,
        userId: user._id,
        email: user.email,
        name: parsed.data.name,
        ip,
      });
      return data<ActionResult>({ intent: "profile", notice: "auth.account.profileSaved" });
    }

    case "password": {
      const parsed = passwordFormSchemaFor(user.email).safeParse(form);
      if (!parsed.success)
        return data<ActionResult>(
          { intent: "password", errors: fieldErrors(parsed.error) },
          { status: 400 },
        );
      const result = await changePassword({
        tenantId: tenant._id,
        userId: user._id,
        currentPassword: parsed.data.currentPassword,
        newPassword: parsed.data.password,
        ip,
        endOtherSessions: () => endOtherSessions(request, user._id),
      });
      if (!result.ok) {
        const [status, errors]: [number, Record<string, string>] =
          result.error === "wrongPassword"
            ? [400, { currentPassword: msg("errors.password.wrong") }]
            : result.error === "unchanged"
              ? [400, { password: msg("errors.password.unchanged") }]
              : [
                  429,
                  {
                    _form: msg("errors.login.rateLimited", {
                      minutes: result.retryAfterMinutes ?? 15,
                    }),
                  },
                ];
        return data<ActionResult>({ intent: "password", errors }, { status });
      }
      return data<ActionResult>({ intent: "password", notice: "auth.account.passwordChanged" });
    }

    case "logoutEverywhere": {
      const setCookie = await logoutEverywhere(request, user._id);
      await recordAudit({
        tenantId: tenant._id,
        action: "logout.everywhere",
        ip,
        actor: { id: user._id, email: user.email },
        target: { type: "user", id: user.id, label: user.email },
      });
      return redirect(`/t/${tenant.slug}/login`, { headers: { "Set-Cookie": setCookie } });
    }

    default:
      return data<ActionResult>(
        { intent: null, errors: { _form: msg("errors.generic") } },
        { status: 400 },
      );
  }
}

export default function AccountPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const resultFor = (intent: Intent) => (actionData?.intent === intent ? actionData : undefined);
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <h1 className="page-title">{t("auth.account.title")}</h1>
      <FormError error={actionData?.intent === null ? actionData.errors?._form : undefined} />
      <ProfileForm name={d.name} email={d.email} result={resultFor("profile")} />
      <PasswordForm email={d.email} result={resultFor("password")} />
      <section className="card" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading" className="mb-2 text-lg font-medium">
          {t("auth.account.sessions")}
        </h2>
        <p className="text-sm text-slate-700" data-testid="session-count">
          {t("auth.account.sessionsCount", { count: d.sessionCount })}
        </p>
        <p className="mt-1 text-sm text-slate-500">{t("auth.account.logoutEverywhereHint")}</p>
        <Form method="post" className="mt-3">
          <input type="hidden" name="intent" value="logoutEverywhere" />
          <button type="submit" className="btn-danger" disabled={navigation.state === "submitting"}>
            {t("auth.logout.everywhere")}
          </button>
        </Form>
      </section>
    </div>
  );
}

type FormResult = { errors?: Record<string, string>; notice?: MessageKey } | undefined;

function ProfileForm({ name, email, result }: { name: string; email: string; result: FormResult }) {
  const t = useT();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(profileSchema), values: { name } });
  const serverErrors = result?.errors ?? {};
  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading" className="mb-3 text-lg font-medium">
        {t("auth.account.profile")}
      </h2>
      <Form
        method="post"
        noValidate
        className="space-y-4"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        {result?.notice ? <Notice>{t(result.notice)}</Notice> : null}
        <FormError error={serverErrors._form} />
        <input type="hidden" name="intent" value="profile" />
        <div>
          <span className="label">{t("common.email")}</span>
          <p className="text-sm text-slate-700">{email}</p>
        </div>
        <TextField
          label={t("auth.account.displayName")}
          autoComplete="name"
          error={errors.name?.message ?? serverErrors.name}
          {...register("name")}
        />
        <button type="submit" className="btn-primary">
          {t("common.save")}
        </button>
      </Form>
    </section>
  );
}

function PasswordForm({ email, result }: { email: string; result: FormResult }) {
  const t = useT();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors },
  } = useForm({
    resolver: zodResolver(passwordFormSchemaFor(email)),
    defaultValues: { currentPassword: "", password: "", confirmPassword: "" },
  });
  const serverErrors = result?.errors ?? {};
  useEffect(() => {
    if (result?.notice) reset();
  }, [result, reset]);
  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading" className="mb-3 text-lg font-medium">
        {t("auth.account.changePassword")}
      </h2>
      <Form
        method="post"
        noValidate
        className="space-y-4"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        {result?.notice ? <Notice>{t(result.notice)}</Notice> : null}
        <FormError error={serverErrors._form} />
        <input type="hidden" name="intent" value="password" />
        <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
        <TextField
          label={t("auth.account.currentPassword")}
          type="password"
          autoComplete="current-password"
          error={errors.currentPassword?.message ?? serverErrors.currentPassword}
          {...register("currentPassword")}
        />
        <TextField
          label={t("auth.account.newPassword")}
          type="password"
          autoComplete="new-password"
          hint={t("auth.password.rules")}
          error={errors.password?.message ?? serverErrors.password}
          {...register("password")}
        />
        <TextField
          label={t("auth.password.confirm")}
          type="password"
          autoComplete="new-password"
          error={errors.confirmPassword?.message ?? serverErrors.confirmPassword}
          {...register("confirmPassword")}
        />
        <button type="submit" className="btn-primary">
          {t("auth.account.changePassword")}
        </button>
      </Form>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
