/**
 * /t/<slug>/review-bodies — the review bodies (评审单位) of this authority. Regulators read the
 * list; tenant admins register bodies, (de)activate them and name each body's admins.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextAreaField, TextField } from "~/components/form";
import { editorNames } from "~/data/assessments.server";
import {
  addReviewBodyAdminByEmail,
  createReviewBody,
  listReviewBodies,
  setReviewBodyActive,
} from "~/data/review-bodies/bodies.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { LIMITS } from "~/lib/domain";
import { readForm } from "~/lib/http/read-form.server";
import { pageParam } from "~/lib/paging";
import { can } from "~/lib/permissions";
import { reviewBodySchema } from "~/lib/review-bodies";
import { emailSchema, fieldErrors, msg, requiredText } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:reviewbody:any");
  const page = pageParam(new URL(request.url).searchParams.get("page"));
  const bodies = await listReviewBodies({ tenantId: tenant._id, page });
  const names = await editorNames(bodies.flatMap((b) => b.adminUserIds));
  return {
    locale: await getLocale(request),
    canManage: can(member.permissions, "manage:reviewbody:any"),
    page,
    bodies: bodies.map((b) => ({
      id: String(b._id),
      name: b.name,
      creditCode: b.creditCode,
      contact: [b.contactName, b.contactPhone, b.contactEmail].filter(Boolean).join(" · "),
      qualificationNote: b.qualificationNote,
      active: b.active,
      admins: b.adminUserIds.map((id) => names[String(id)] ?? ""),
    })),
  };
}

const adminSchema = z.object({
  reviewBodyId: z.string().regex(/^[0-9a-f]{24}$/, { error: msg("errors.invalidChoice") }),
  email: emailSchema,
  name: requiredText(LIMITS.name),
});

type ActionResult = { ok: boolean; intent: string; errors?: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:reviewbody:any");
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const actor = { id: member.user._id, email: member.user.email };
  const fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string"));
  if (intent === "create") {
    const parsed = reviewBodySchema.safeParse(fields);
    if (!parsed.success) return data<ActionResult>({ ok: false, intent, errors: fieldErrors(parsed.error) }, { status: 400 });
    const created = await createReviewBody({ tenantId: tenant._id, input: parsed.data, actor });
    if (!created.ok)
      return data<ActionResult>({ ok: false, intent, errors: { creditCode: msg("panel.errors.duplicateBody") } }, { status: 409 });
    return data<ActionResult>({ ok: true, intent });
  }
  if (intent === "activate" || intent === "deactivate") {
    const done = await setReviewBodyActive({
      tenantId: tenant._id,
      id: String(form.get("reviewBodyId") ?? ""),
      active: intent === "activate",
      actor,
    });
    return data<ActionResult>(done ? { ok: true, intent } : { ok: false, intent, errors: { _form: msg("errors.notFound") } }, {
      status: done ? 200 : 404,
    });
  }
  if (intent === "addAdmin") {
    const parsed = adminSchema.safeParse(fields);
    if (!parsed.success) return data<ActionResult>({ ok: false, intent, errors: fieldErrors(parsed.error) }, { status: 400 });
    const done = await addReviewBodyAdminByEmail({
      tenant: { _id: tenant._id, slug: tenant.slug, name: tenant.name.zh },
      reviewBodyId: parsed.data.reviewBodyId,
      email: parsed.data.email,
      name: parsed.data.name,
      actor,
    });
    return data<ActionResult>(done ? { ok: true, intent } : { ok: false, intent, errors: { _form: msg("errors.notFound") } }, {
      status: done ? 200 : 404,
    });
  }
  return data<ActionResult>({ ok: false, intent, errors: { _form: msg("errors.invalidChoice") } }, { status: 400 });
}

export default function ReviewBodies() {
  const { bodies, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? (result.errors ?? {}) : {});
  const createErrors = errorsFor("create");
  return (
    <section className="space-y-6">
      <h1 className="page-title">{t("nav.reviewBodies")}</h1>
      {result?.ok ? <Notice>{t("panel.bodies.saved")}</Notice> : null}
      <FormError error={errorsFor(result?.intent ?? "")._form} />
      {bodies.length === 0 ? (
        <p className="card text-sm text-slate-500">{t("panel.bodies.empty")}</p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table" data-testid="review-bodies">
            <thead>
              <tr>
                <th scope="col">{t("panel.bodies.name")}</th>
                <th scope="col">{t("enterprise.creditCode")}</th>
                <th scope="col">{t("panel.bodies.contact")}</th>
                <th scope="col">{t("panel.bodies.admins")}</th>
                <th scope="col">{t("common.status")}</th>
                {canManage ? (
                  <th scope="col">
                    <span className="sr-only">{t("common.actions")}</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {bodies.map((b) => (
                <tr key={b.id} data-review-body={b.id}>
                  <td>
                    {b.name}
                    {b.qualificationNote ? <p className="text-xs text-slate-500">{b.qualificationNote}</p> : null}
                  </td>
                  <td className="font-mono text-xs">{b.creditCode}</td>
                  <td className="text-xs">{b.contact || "—"}</td>
                  <td className="text-xs">{b.admins.join("、") || "—"}</td>
                  <td>{b.active ? t("panel.expert.active") : t("panel.expert.inactive")}</td>
                  {canManage ? (
                    <td className="space-y-2">
                      <Form method="post">
                        <input type="hidden" name="reviewBodyId" value={b.id} />
                        <button type="submit" name="intent" value={b.active ? "deactivate" : "activate"} className="btn-secondary text-xs">
                          {b.active ? t("panel.action.deactivate") : t("panel.action.activate")}
                        </button>
                      </Form>
                      <Form method="post" className="flex flex-wrap items-end gap-1">
                        <input type="hidden" name="reviewBodyId" value={b.id} />
                        <input name="name" className="input w-28" placeholder={t("panel.bodies.adminName")} aria-label={t("panel.bodies.adminName")} maxLength={LIMITS.name} />
                        <input name="email" type="email" className="input w-44" placeholder={t("panel.expert.email")} aria-label={t("panel.expert.email")} />
                        <button type="submit" name="intent" value="addAdmin" className="btn-secondary text-xs">
                          {t("panel.bodies.addAdmin")}
                        </button>
                      </Form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result && !result.ok && result.intent === "addAdmin" ? (
        <FormError error={Object.values(errorsFor("addAdmin"))[0]} />
      ) : null}
      {canManage ? (
        <Form method="post" className="card space-y-3" data-testid="review-body-form">
          <h2 className="text-lg font-medium">{t("panel.bodies.add")}</h2>
          <TextField name="name" label={t("panel.bodies.name")} error={createErrors.name} required maxLength={LIMITS.name} />
          <TextField name="creditCode" label={t("enterprise.creditCode")} error={createErrors.creditCode} required maxLength={18} />
          <TextField name="contactName" label={t("enterprise.contactName")} error={createErrors.contactName} maxLength={LIMITS.name} />
          <TextField name="contactPhone" label={t("enterprise.contactPhone")} error={createErrors.contactPhone} maxLength={LIMITS.phone} />
          <TextField name="contactEmail" type="email" label={t("panel.expert.email")} error={createErrors.contactEmail} />
          <TextAreaField name="qualificationNote" label={t("panel.bodies.qualification")} error={createErrors.qualificationNote} rows={2} />
          <button type="submit" name="intent" value="create" className="btn-primary" disabled={navigation.state !== "idle"}>
            {t("panel.bodies.add")}
          </button>
        </Form>
      ) : null}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "nav.reviewBodies") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
