/**
 * /t/<slug>/experts — the review body admin's expert register (评审专家库): list with open reviews,
 * register one expert (account + reviewer role + expert record), (de)activate, declare conflicts.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextField } from "~/components/form";
import { ListTable } from "~/components/list-table";
import { bodiesOfAdmin } from "~/data/review-bodies/bodies.server";
import { declareConflict, listExperts, registerExpert, setExpertActive } from "~/data/review-bodies/experts.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { INDUSTRY_KEYS, LIMITS } from "~/lib/domain";
import { readForm } from "~/lib/http/read-form.server";
import { expertSchema } from "~/lib/review-bodies";
import { creditCodeSchema, fieldErrors, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

async function myBody(request: Request, params: { slug?: string }) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:expert:own");
  const [body] = await bodiesOfAdmin({ tenantId: tenant._id, userId: member.user._id });
  return { tenant, member, body: body ?? null };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, body } = await myBody(request, params);
  const experts = body ? await listExperts({ tenantId: tenant._id, reviewBodyId: body._id }) : [];
  return {
    slug: tenant.slug,
    locale: await getLocale(request),
    body: body ? { id: String(body._id), name: body.name } : null,
    experts: experts.map((e) => ({
      id: String(e._id),
      name: e.name,
      certificateNo: e.certificateNo,
      specialties: e.specialties,
      employer: e.employer,
      email: e.email,
      phone: e.phone,
      active: e.active,
      openReviews: e.openReviews,
      conflicts: e.conflictEnterpriseIds.length,
    })),
  };
}

type ActionResult = { ok: boolean; intent: string; errors?: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member, body } = await myBody(request, params);
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  if (!body) return data<ActionResult>({ ok: false, intent, errors: { _form: msg("panel.experts.none") } }, { status: 403 });
  const actor = { id: member.user._id, email: member.user.email };
  const id = String(form.get("expertId") ?? "");
  if (intent === "add") {
    const parsed = expertSchema.safeParse({
      name: form.get("name") ?? "",
      certificateNo: form.get("certificateNo") ?? "",
      email: form.get("email") ?? "",
      phone: form.get("phone") ?? "",
      employer: form.get("employer") ?? "",
      specialties: form.getAll("specialties").filter((v) => typeof v === "string" && v !== ""),
    });
    if (!parsed.success) return data<ActionResult>({ ok: false, intent, errors: fieldErrors(parsed.error) }, { status: 400 });
    const done = await registerExpert({
      tenant: { _id: tenant._id, slug: tenant.slug, name: tenant.name.zh },
      reviewBodyId: body._id,
      input: parsed.data,
      actor,
    });
    if (!done.ok) {
      const field = done.error === "duplicateCertificate" ? "certificateNo" : "email";
      return data<ActionResult>({ ok: false, intent, errors: { [field]: msg(`panel.errors.${done.error}`) } }, { status: 409 });
    }
    return data<ActionResult>({ ok: true, intent });
  }
  if (intent === "activate" || intent === "deactivate") {
    const done = await setExpertActive({ tenantId: tenant._id, reviewBodyId: body._id, id, active: intent === "activate", actor });
    return data<ActionResult>(done ? { ok: true, intent } : { ok: false, intent, errors: { _form: msg("panel.errors.notFound") } }, {
      status: done ? 200 : 404,
    });
  }
  if (intent === "conflict") {
    const code = creditCodeSchema.safeParse(form.get("creditCode") ?? "");
    if (!code.success) return data<ActionResult>({ ok: false, intent, errors: { _form: code.error.issues[0]?.message ?? msg("errors.invalidChoice") } }, { status: 400 });
    const done = await declareConflict({ tenantId: tenant._id, reviewBodyId: body._id, id, creditCode: code.data, actor });
    if (!done.ok) return data<ActionResult>({ ok: false, intent, errors: { _form: msg(`panel.errors.${done.error}`) } }, { status: 404 });
    return data<ActionResult>({ ok: true, intent });
  }
  return data<ActionResult>({ ok: false, intent, errors: { _form: msg("errors.invalidChoice") } }, { status: 400 });
}

export default function Experts() {
  const { slug, body, experts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  if (!body) return <p className="card text-sm text-slate-600">{t("panel.experts.none")}</p>;
  const errors = result && !result.ok ? (result.errors ?? {}) : {};
  const addErrors = result?.intent === "add" ? errors : {};
  return (
    <section className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">{t("panel.experts.title", { body: body.name })}</h1>
        <Link to={`/t/${slug}/experts/import`} className="text-sm text-brand-700 hover:underline">
          {t("panel.experts.import")}
        </Link>
      </div>
      {result?.ok ? <Notice>{t("panel.experts.saved")}</Notice> : null}
      <FormError error={errors._form} />
      <ListTable
        testId="experts"
        headers={[
          t("panel.expert.name"),
          t("panel.expert.certificateNo"),
          t("panel.expert.specialties"),
          t("panel.expert.employer"),
          t("panel.expert.openReviews"),
          t("common.status"),
        ]}
        actions
        empty={t("panel.experts.empty")}
        count={experts.length}
      >
        {experts.map((e) => (
          <tr key={e.id} data-expert={e.id}>
            <td>
              {e.name}
              <p className="text-xs text-slate-500">{[e.email, e.phone].filter(Boolean).join(" · ")}</p>
            </td>
            <td className="font-mono text-xs">{e.certificateNo}</td>
            <td className="text-xs">{e.specialties.map((s) => t(`industry.${s}`)).join("、")}</td>
            <td className="text-xs">{e.employer || "—"}</td>
            <td>{e.openReviews}</td>
            <td className="text-xs">
              {e.active ? t("panel.expert.active") : t("panel.expert.inactive")}
              {e.conflicts > 0 ? <p>{t("panel.experts.conflicts", { count: e.conflicts })}</p> : null}
            </td>
            <td className="space-y-2">
              <Form method="post">
                <input type="hidden" name="expertId" value={e.id} />
                <button type="submit" name="intent" value={e.active ? "deactivate" : "activate"} className="btn-secondary text-xs">
                  {e.active ? t("panel.action.deactivate") : t("panel.action.activate")}
                </button>
              </Form>
              <Form method="post" className="flex items-center gap-1">
                <input type="hidden" name="expertId" value={e.id} />
                <input name="creditCode" className="input w-48 font-mono text-xs" maxLength={18} aria-label={t("panel.experts.conflict")} placeholder={t("enterprise.creditCode")} />
                <button type="submit" name="intent" value="conflict" className="btn-secondary text-xs">
                  {t("panel.experts.declare")}
                </button>
              </Form>
            </td>
          </tr>
        ))}
      </ListTable>
      <Form method="post" className="card space-y-3" data-testid="expert-form">
        <h2 className="text-lg font-medium">{t("panel.experts.add")}</h2>
        <TextField name="name" label={t("panel.expert.name")} error={addErrors.name} required maxLength={LIMITS.name} />
        <TextField name="certificateNo" label={t("panel.expert.certificateNo")} error={addErrors.certificateNo} required maxLength={50} />
        <TextField name="email" type="email" label={t("panel.expert.email")} error={addErrors.email} required />
        <TextField name="phone" label={t("panel.expert.phone")} error={addErrors.phone} maxLength={LIMITS.phone} />
        <TextField name="employer" label={t("panel.expert.employer")} error={addErrors.employer} maxLength={LIMITS.name} />
        <fieldset>
          <legend className="label">
            {t("panel.expert.specialties")} <span className="text-xs text-slate-500">{t("panel.experts.specialtiesHint")}</span>
          </legend>
          <div className="flex flex-wrap gap-3">
            {INDUSTRY_KEYS.map((k) => (
              <label key={k} className="flex items-center gap-1 text-sm">
                <input type="checkbox" name="specialties" value={k} />
                {t(`industry.${k}`)}
              </label>
            ))}
          </div>
          {addErrors.specialties ? <FormError error={addErrors.specialties} /> : null}
        </fieldset>
        <button type="submit" name="intent" value="add" className="btn-primary" disabled={navigation.state !== "idle"}>
          {t("panel.experts.add")}
        </button>
      </Form>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "nav.experts") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
