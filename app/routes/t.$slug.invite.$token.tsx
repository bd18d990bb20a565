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
import { clientIp, startSessionFor } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, TextField } from "~/components/form";
import {
  acceptInvitation,
  getInvitationByToken,
  type AcceptInput,
  type InvitationState,
} from "~/data/invitations.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import {
  acceptInviteExistingUserSchema,
  acceptInviteNewUserSchema,
  fieldErrors,
  msg,
  passwordMatchesEmail,
} from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenant, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

const UNAVAILABLE: Record<Exclude<InvitationState, "pending">, MessageKey> = {
  used: "errors.invite.used",
  expired: "errors.invite.expired",
  revoked: "errors.invite.revoked",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const found = await getInvitationByToken({ tenantId: tenant._id, token: params.token ?? "" });
  if (!found) throw notFound();
  const locale = await getLocale(request);
  const base = { locale, slug: tenant.slug, tenantName: tenantName(tenant, locale) };
  if (found.state !== "pending") {
    // 410 Gone: the link existed but can no longer be used; the page says why.
    return data(
      { ...base, kind: "unavailable" as const, reason: UNAVAILABLE[found.state] },
      { status: 410 },
    );
  }
  const { invitation } = found;
  return data({
    ...base,
    kind: "pending" as const,
    email: invitation.email,
    role: invitation.role,
    enterpriseName: found.enterpriseName,
    inviterName: found.inviterName,
    expiresAt: invitation.expiresAt.toISOString(),
    hasAccount: found.hasAccount,
  });
}

/** The new-account form: the shared rules plus "no email name in the password", which needs the email. */
function newUserSchemaFor(email: string) {
  return acceptInviteNewUserSchema.refine((v) => !passwordMatchesEmail(v.password, email), {
    path: ["password"],
    error: msg("errors.password.containsEmail"),
  });
}

type ActionResult = { errors: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  const token = params.token ?? "";
  const found = await getInvitationByToken({ tenantId: tenant._id, token });
  if (!found) throw notFound();
  if (found.state !== "pending") {
    return data<ActionResult>(
      { errors: { _form: msg(UNAVAILABLE[found.state]) } },
      { status: 410 },
    );
  }
  const form = Object.fromEntries(await readForm(request));
  let input: AcceptInput;
  if (form.mode === "existing") {
    const parsed = acceptInviteExistingUserSchema.safeParse(form);
    if (!parsed.success)
      return data<ActionResult>({ errors: fieldErrors(parsed.error) }, { status: 400 });
    input = { kind: "existing", password: parsed.data.password };
  } else {
    const parsed = newUserSchemaFor(found.invitation.email).safeParse(form);
    if (!parsed.success)
      return data<ActionResult>({ errors: fieldErrors(parsed.error) }, { status: 400 });
    input = { kind: "new", name: parsed.data.name, password: parsed.data.password };
  }

  const result = await acceptInvitation({
    tenantId: tenant._id,
    token,
    input,
    ip: clientIp(request),
    locale: await getLocale(request),
  });
  if (!result.ok) {
    switch (result.error) {
      case "notFound":
        throw notFound();
      case "used":
      case "expired":
      case "revoked":
        return data<ActionResult>(
          { errors: { _form: msg(UNAVAILABLE[result.error]) } },
          { status: 410 },
        );
      case "accountExists":
        return data<ActionResult>(
          { errors: { _form: msg("errors.invite.accountExists") } },
          { status: 409 },
        );
      case "noAccount":
        return data<ActionResult>(
          { errors: { _form: msg("errors.invite.noAccount") } },
          { status: 409 },
        );
      case "wrongPassword":
        return data<ActionResult>(
          { errors: { password: msg("errors.invite.wrongPassword") } },
          { status: 401 },
        );
      case "weakPassword":
        return data<ActionResult>(
          { errors: { password: msg("errors.password.classes") } },
          { status: 400 },
        );
      case "rateLimited":
        return data<ActionResult>(
          {
            errors: {
              _form: msg("errors.login.rateLimited", { minutes: result.retryAfterMinutes ?? 15 }),
            },
          },
          { status: 429 },
        );
      case "disabled":
        return data<ActionResult>(
          { errors: { _form: msg("errors.login.disabled") } },
          { status: 403 },
        );
      case "otherEnterprise":
        return data<ActionResult>(
          { errors: { _form: msg("errors.invite.otherEnterprise") } },
          { status: 409 },
        );
    }
  }
  const setCookie = await startSessionFor(result.user, request);
  return redirect(`/t/${tenant.slug}`, { headers: { "Set-Cookie": setCookie } });
}

export default function AcceptInvitationPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const serverErrors = actionData?.errors ?? {};

  if (d.kind === "unavailable") {
    return (
      <div className="mx-auto max-w-md">
        <div className="card" data-testid="invite-unavailable">
          <h1 className="page-title">{t("auth.invite.unavailable")}</h1>
          <p className="text-slate-700">{t(d.reason)}</p>
          <Link to={`/t/${d.slug}/login`} className="btn-secondary mt-4">
            {t("auth.invite.goToLogin")}
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-md">
      <div className="card">
        <h1 className="page-title">{t("auth.invite.title")}</h1>
        <p className="text-slate-700">
          {d.inviterName
            ? t("auth.invite.introFrom", { inviter: d.inviterName, role: t(`role.${d.role}`), tenant: d.tenantName, place: d.enterpriseName ?? d.tenantName })
            : t("auth.invite.intro", { role: t(`role.${d.role}`), tenant: d.enterpriseName ?? d.tenantName })}
        </p>
        <ul className="mt-2 space-y-1 text-sm text-slate-600">
          <li>{t("auth.invite.email", { email: d.email })}</li>
          {d.enterpriseName ? (
            <li>{t("auth.invite.enterprise", { name: d.enterpriseName })}</li>
          ) : null}
          <li>{t("auth.invite.validUntil", { date: formatDateTime(d.expiresAt, locale) })}</li>
        </ul>
        <div className="mt-6">
          {d.hasAccount ? (
            <ExistingUserForm email={d.email} serverErrors={serverErrors} />
          ) : (
            <NewUserForm email={d.email} serverErrors={serverErrors} />
          )}
        </div>
      </div>
    </div>
  );
}

function NewUserForm({
  email,
  serverErrors,
}: {
  email: string;
  serverErrors: Record<string, string>;
}) {
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({
    resolver: zodResolver(newUserSchemaFor(email)),
    defaultValues: { name: "", password: "", confirmPassword: "" },
  });
  return (
    <Form
      method="post"
      noValidate
      className="space-y-4"
      onSubmit={(event) => {
        const target = event.currentTarget;
        void handleSubmit(() => submit(target))(event);
      }}
    >
      <p className="text-sm text-slate-600">{t("auth.invite.newAccount")}</p>
      <FormError error={serverErrors._form} />
      <input type="hidden" name="mode" value="new" />
      {/* Lets password managers store the new password under the invited email. */}
      <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
      <TextField
        label={t("common.name")}
        autoComplete="name"
        autoFocus
        error={errors.name?.message ?? serverErrors.name}
        {...register("name")}
      />
      <TextField
        label={t("auth.login.password")}
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
      <button
        type="submit"
        className="btn-primary w-full"
        disabled={navigation.state === "submitting"}
      >
        {t("auth.invite.accept")}
      </button>
    </Form>
  );
}

function ExistingUserForm({
  email,
  serverErrors,
}: {
  email: string;
  serverErrors: Record<string, string>;
}) {
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({
    resolver: zodResolver(acceptInviteExistingUserSchema),
    defaultValues: { password: "" },
  });
  return (
    <Form
      method="post"
      noValidate
      className="space-y-4"
      onSubmit={(event) => {
        const target = event.currentTarget;
        void handleSubmit(() => submit(target))(event);
      }}
    >
      <p className="text-sm text-slate-600">{t("auth.invite.existingUser")}</p>
      <FormError error={serverErrors._form} />
      <input type="hidden" name="mode" value="existing" />
      <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
      <TextField
        label={t("auth.login.password")}
        type="password"
        autoComplete="current-password"
        autoFocus
        error={errors.password?.message ?? serverErrors.password}
        {...register("password")}
      />
      <button
        type="submit"
        className="btn-primary w-full"
        disabled={navigation.state === "submitting"}
      >
        {t("auth.invite.accept")}
      </button>
    </Form>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${translate(d.locale, "auth.invite.title")} · ${d.tenantName}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
