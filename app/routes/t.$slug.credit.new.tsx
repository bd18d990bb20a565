/** GET/POST /t/<slug>/credit/new — the regulator records a new credit-list entry as a draft. */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { clientIp, forbidden } from "~/auth.server";
import { requestNow } from "~/clock.server";
import { CreditDraftForm, EMPTY_CREDIT_DRAFT } from "~/components/credit-draft-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { createCreditDraft, getCreditSettings } from "~/data/credit-records.server";
import { getEnterprise, listEnterprises } from "~/data/enterprises.server";

/** Directory matches shown at once; a longer list asks for a more precise search. */
const PICKER_SIZE = 8;
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:credit:any");
  if (!member.roles.includes("regulator")) throw forbidden();
  const settings = await getCreditSettings({ tenantId: tenant._id });
  // The subject is picked from the enterprise directory (search box, a slim bounded page), or typed
  // by hand for a subject that is not registered (DOMAIN.md §7).
  const search = new URL(request.url).searchParams;
  const q = (search.get("q") ?? "").trim().slice(0, 100);
  const found = q ? await listEnterprises({ tenantId: tenant._id, q, pageSize: PICKER_SIZE }) : null;
  const picked = search.get("pick") ? await getEnterprise({ tenantId: tenant._id, id: search.get("pick") ?? "" }) : null;
  return {
    slug: tenant.slug,
    locale: await getLocale(request),
    conditions: settings.conditions,
    q,
    matches: found ? found.items.map((e) => ({ id: String(e._id), name: e.name, creditCode: e.creditCode })) : null,
    more: found ? found.total > found.items.length : false,
    picked: picked ? { id: String(picked._id), name: picked.name, creditCode: picked.creditCode } : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:credit:any");
  const result = await createCreditDraft({
    tenantId: tenant._id,
    member,
    input: Object.fromEntries(await readForm(request)),
    ip: clientIp(request),
    now: requestNow(request),
  });
  if (result.ok) return redirect(`/t/${tenant.slug}/credit/${result.id}`);
  if (result.status === 403) throw forbidden();
  return data({ errors: "errors" in result ? result.errors : {} }, { status: result.status });
}

export default function NewCreditRecord() {
  const { slug, conditions, q, matches, more, picked } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <section className="mx-auto max-w-3xl">
      <Link to={`/t/${slug}/credit`} className="text-sm text-brand-700 hover:underline">
        ← {t("credit.detail.back")}
      </Link>
      <h1 className="page-title mt-2">{t("credit.new.title")}</h1>
      <SubjectPicker q={q} matches={matches} more={more} picked={picked} />
      <CreditDraftForm
        key={picked?.id ?? "typed"}
        defaults={picked ? { ...EMPTY_CREDIT_DRAFT, subjectName: picked.name, creditCode: picked.creditCode } : EMPTY_CREDIT_DRAFT}
        conditions={conditions}
        serverErrors={actionData?.errors ?? {}}
        submitLabel={t("credit.new.submit")}
      />
    </section>
  );
}

function SubjectPicker({
  q,
  matches,
  more,
  picked,
}: {
  q: string;
  matches: Array<{ id: string; name: string; creditCode: string }> | null;
  more: boolean;
  picked: { name: string } | null;
}) {
  const t = useT();
  return (
    <div className="card mb-4 space-y-3" data-testid="subject-picker">
      <Form method="get" className="flex flex-wrap items-end gap-2" role="search">
        <div className="min-w-[16rem] flex-1">
          <label htmlFor="subject-q" className="label">
            {t("creditPicker.search")}
          </label>
          <input id="subject-q" name="q" type="search" defaultValue={q} className="input" aria-describedby="subject-q-hint" />
          <p id="subject-q-hint" className="mt-1 text-xs text-slate-500">
            {t("creditPicker.hint")}
          </p>
        </div>
        <button type="submit" className="btn-secondary">
          {t("creditPicker.find")}
        </button>
      </Form>
      {picked ? (
        <p role="status" className="text-sm text-emerald-800" data-testid="subject-picked">
          {t("creditPicker.picked", { name: picked.name })}
        </p>
      ) : null}
      {matches ? (
        matches.length === 0 ? (
          <p className="text-sm text-slate-600">{t("creditPicker.none")}</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="subject-matches">
            {matches.map((m) => (
              <li key={m.id} className="flex items-center justify-between gap-3 py-1.5">
                <span>
                  {m.name} <span className="font-mono text-xs text-slate-500">{m.creditCode}</span>
                </span>
                <Link to={`?${new URLSearchParams({ q, pick: m.id }).toString()}`} className="text-brand-700 hover:underline" data-pick={m.creditCode}>
                  {t("creditPicker.use")}
                </Link>
              </li>
            ))}
            {more ? <li className="py-1.5 text-xs text-slate-500">{t("creditPicker.more")}</li> : null}
          </ul>
        )
      ) : null}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "credit.new.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
