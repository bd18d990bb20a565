/**
 * /t/<slug>/conflicts — an expert declares the enterprises they must not review (worked for,
 * advised: 回避). The panel rules refuse them for those enterprises ("reviewer-conflict").
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextField } from "~/components/form";
import { conflictEnterpriseNames, declareConflict, expertOfUser } from "~/data/review-bodies/experts.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { readForm } from "~/lib/http/read-form.server";
import { creditCodeSchema, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "review:assessment:assigned");
  const expert = await expertOfUser({ tenantId: tenant._id, userId: member.user._id });
  const conflicts = expert
    ? await conflictEnterpriseNames({ tenantId: tenant._id, enterpriseIds: expert.conflictEnterpriseIds })
    : [];
  return { locale: await getLocale(request), registered: expert !== null, conflicts };
}

type ActionResult = { ok: boolean; errors?: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "review:assessment:assigned");
  const form = await readForm(request);
  const expert = await expertOfUser({ tenantId: tenant._id, userId: member.user._id });
  if (!expert) return data<ActionResult>({ ok: false, errors: { _form: msg("panel.conflicts.notExpert") } }, { status: 403 });
  const code = creditCodeSchema.safeParse(form.get("creditCode") ?? "");
  if (!code.success)
    return data<ActionResult>({ ok: false, errors: { creditCode: code.error.issues[0]?.message ?? msg("errors.invalidChoice") } }, { status: 400 });
  const done = await declareConflict({
    tenantId: tenant._id,
    reviewBodyId: expert.reviewBodyId,
    id: String(expert._id),
    creditCode: code.data,
    actor: { id: member.user._id, email: member.user.email },
  });
  if (!done.ok) return data<ActionResult>({ ok: false, errors: { creditCode: msg(`panel.errors.${done.error}`) } }, { status: 404 });
  return data<ActionResult>({ ok: true });
}

export default function Conflicts() {
  const { registered, conflicts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const errors = result && !result.ok ? (result.errors ?? {}) : {};
  return (
    <section className="space-y-4">
      <h1 className="page-title">{t("nav.conflicts")}</h1>
      <p className="text-sm text-slate-600">{t("panel.conflicts.intro")}</p>
      {result?.ok ? <Notice>{t("panel.experts.saved")}</Notice> : null}
      <FormError error={errors._form} />
      {!registered ? (
        <p className="card text-sm text-slate-500">{t("panel.conflicts.notExpert")}</p>
      ) : (
        <>
          <ul className="card space-y-1 text-sm" data-testid="conflicts">
            {conflicts.length === 0 ? <li className="text-slate-500">{t("panel.conflicts.none")}</li> : null}
            {conflicts.map((c) => (
              <li key={c.creditCode}>
                {c.name} <span className="font-mono text-xs text-slate-500">{c.creditCode}</span>
              </li>
            ))}
          </ul>
          <Form method="post" className="card space-y-3">
            <TextField name="creditCode" label={t("enterprise.creditCode")} error={errors.creditCode} required maxLength={18} />
            <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
              {t("panel.experts.declare")}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "nav.conflicts") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
