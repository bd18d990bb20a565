/**
 * Forming the review panel (组建评审组) of one application: the body's experts with their open
 * reviews, who must stand aside, specialty warnings; the admin ticks the members and one lead.
 * The rules are the workflow machine's (ASSIGN_REVIEWERS); a refusal lists its reasons here.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { BlockedReasons, StateBadge } from "~/components/workflow-ui";
import { getPanelPage, withReviewBodyIds } from "~/data/review-bodies/panels.server";
import { workflowFormAction } from "~/data/workflow-form.server";
import { translate } from "~/i18n";
import { useErrorText, useT } from "~/i18n/react";
import { readForm } from "~/lib/http/read-form.server";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "assign:panel:own");
  const page = await getPanelPage({
    tenantId: tenant._id,
    id: params.id ?? "",
    member: await withReviewBodyIds(member),
  });
  if (!page) throw notFound();
  return { slug: tenant.slug, locale: await getLocale(request), page };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "assign:panel:own");
  return workflowFormAction({
    tenantId: tenant._id,
    applicationId: params.id ?? "",
    member: await withReviewBodyIds(member),
    form: await readForm(request),
  });
}

export default function PanelPage() {
  const { slug, page } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const errorText = useErrorText();
  const [members, setMembers] = useState<string[]>(page.reviewers);
  const [lead, setLead] = useState<string | null>(page.leadReviewerId);
  const toggle = (id: string, on: boolean) => {
    setMembers((m) => (on ? [...m, id] : m.filter((x) => x !== id)));
    if (!on && lead === id) setLead(null);
  };
  const warnings = page.experts.filter((e) => members.includes(e.userId) && e.specialtyMismatch);
  const errors = result && !result.ok ? result.errors ?? {} : {};
  return (
    <section className="space-y-6" data-testid="panel-page" data-state={page.state}>
      <div>
        <Link to={`/t/${slug}/panels`} className="text-sm text-brand-600 hover:underline">
          ← {t("panel.queue.title")}
        </Link>
        <h1 className="page-title mb-1 mt-2">
          {t("panel.form.heading", { enterprise: page.enterpriseName, cycle: page.cycle })}
        </h1>
        <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
          <StateBadge state={page.state} />
          <span className="font-mono text-xs">{page.creditCode}</span>
          <span>
            {t("workflow.app.reviewBody")}: {page.reviewBody.name}
          </span>
          <span>{t(`industry.${page.industry}`)}</span>
        </div>
      </div>
      {result?.ok ? <Notice>{t("panel.form.saved")}</Notice> : null}
      {result && !result.ok && result.reasons ? <BlockedReasons reasons={result.reasons} /> : null}
      <FormError error={errors._form} />
      <Form method="post" className="card space-y-4">
        <input type="hidden" name="intent" value="ASSIGN_REVIEWERS" />
        <input type="hidden" name="version" value={page.version} />
        <p className="text-sm text-slate-600">
          {t("panel.form.rules", { count: page.minPanelSize })}
          {page.panelRotation ? ` ${t("panel.form.rotation")}` : ""}
        </p>
        <div className="overflow-x-auto">
          <table className="table" data-testid="panel-experts">
            <thead>
              <tr>
                <th scope="col">{t("panel.form.member")}</th>
                <th scope="col">{t("workflow.app.lead")}</th>
                <th scope="col">{t("panel.expert.name")}</th>
                <th scope="col">{t("panel.expert.certificateNo")}</th>
                <th scope="col">{t("panel.expert.specialties")}</th>
                <th scope="col">{t("panel.expert.openReviews")}</th>
                <th scope="col">{t("common.status")}</th>
              </tr>
            </thead>
            <tbody>
              {page.experts.map((e) => {
                const off = !e.active || e.conflicted;
                return (
                  <tr key={e.userId} data-expert={e.userId} className={off ? "text-slate-400" : ""}>
                    <td>
                      <input
                        type="checkbox"
                        name="reviewerIds"
                        value={e.userId}
                        data-email={e.email}
                        aria-label={t("panel.form.memberOf", { name: e.name })}
                        checked={members.includes(e.userId)}
                        disabled={off}
                        onChange={(ev) => toggle(e.userId, ev.currentTarget.checked)}
                      />
                    </td>
                    <td>
                      <input
                        type="radio"
                        name="leadReviewerId"
                        value={e.userId}
                        data-email={e.email}
                        aria-label={t("panel.form.leadOf", { name: e.name })}
                        checked={lead === e.userId}
                        disabled={off || !members.includes(e.userId)}
                        onChange={() => setLead(e.userId)}
                      />
                    </td>
                    <td>{e.name}</td>
                    <td className="font-mono text-xs">{e.certificateNo}</td>
                    <td className="text-xs">
                      {e.specialties.map((s) => t(`industry.${s}`)).join("、")}
                    </td>
                    <td data-testid="open-reviews">{e.openReviews}</td>
                    <td className="text-xs">
                      {!e.active ? t("panel.expert.inactive") : null}
                      {e.conflicted ? (
                        <span className="text-amber-700">{t("workflow.form.conflicted")}</span>
                      ) : null}
                      {e.previousLead && page.panelRotation ? (
                        <span className="text-amber-700">{t("panel.form.previousLead")}</span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {errors.reviewerIds ? (
          <p className="field-error" role="alert">
            {errorText(errors.reviewerIds)}
          </p>
        ) : null}
        {errors.leadReviewerId ? (
          <p className="field-error" role="alert">
            {errorText(errors.leadReviewerId)}
          </p>
        ) : null}
        {warnings.length > 0 ? (
          <p className="text-sm text-amber-800" role="status" data-testid="specialty-warning">
            {t("panel.form.specialtyWarning", { names: warnings.map((w) => w.name).join("、") })}
          </p>
        ) : null}
        <button
          type="submit"
          className="btn-primary"
          disabled={!page.canAssign || navigation.state !== "idle"}
        >
          {t("workflow.action.ASSIGN_REVIEWERS")}
        </button>
        {!page.canAssign ? <p className="text-sm text-slate-500">{t("panel.form.closed")}</p> : null}
      </Form>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "nav.panels") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
