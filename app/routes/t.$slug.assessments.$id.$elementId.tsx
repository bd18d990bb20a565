import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate, useRouteLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { useEffect, useMemo } from "react";
import { FormProvider } from "react-hook-form";
import { AssessmentItem } from "~/components/assessment-item";
import { useWizardElementForm } from "~/components/wizard-element-form";
import { useWizard } from "~/components/assessment-wizard";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { EvidenceSlot } from "~/components/assessment-evidence-slot";
import { getElementPage } from "~/data/assessments/element-page.server";
import { licenceWarningsForAssessment } from "~/data/enterprise-master/licences.server";
import type { LicenceType } from "~/lib/enterprise-master-data";
import { useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import type { EvidenceFileView } from "~/lib/evidence";
import { localizeDeep } from "~/lib/rubric/localize";
import type { RubricElement, RubricItem } from "~/lib/rubric/schema";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";
import type { loader as wizardLoader } from "./t.$slug.assessments.$id";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:assessment:own", "read:assessment:any");
  // This element in full (texts, its evidence); the layout sends only the scoring outline (decision 028).
  const page = await getElementPage({ tenantId: tenant._id, id: params.id ?? "", viewer: member, elementId: params.elementId ?? "" });
  if (!page) throw notFound();
  const elementId = page.element.id;
  // Step 12: an expired or expiring licence warns on the rubric's licence veto item.
  const warnings = await licenceWarningsForAssessment({ tenantId: tenant._id, id: params.id ?? "", viewer: member });
  return {
    licenceWarnings: warnings
      .filter((w) => w.itemId.startsWith(`${elementId}.`))
      .map((w) => ({ ...w, expiresAt: w.expiresAt.toISOString().slice(0, 10) })),
    elementId,
    element: localizeDeep(page.element, await getLocale(request)),
    evidence: page.evidence,
    prev: page.prev,
    next: page.next,
  };
}

function LicenceWarnings({ warnings }: { warnings: ItemWarning[] }) {
  const t = useT();
  return warnings.map((w) => (
    <p
      key={`${w.type}-${w.number}`}
      role="alert"
      className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
      data-licence-warning={w.state}
    >
      {t("licence.warning", { type: t(`licence.type.${w.type}`), number: w.number, state: t(`licence.state.${w.state}`), date: w.expiresAt })}
    </p>
  ));
}

export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

export default function ElementPage() {
  const { elementId, element, evidence, prev, next, licenceWarnings } = useLoaderData<typeof loader>();
  // One form per element: a new element starts from the wizard's current values.
  return <ElementForm key={elementId} element={element} evidence={evidence} prev={prev} next={next} warnings={licenceWarnings} />;
}

type ItemWarning = { itemId: string; type: LicenceType; number: string; expiresAt: string; state: "expiring" | "expired" };

function ElementForm({
  element,
  evidence,
  prev,
  next,
  warnings,
}: {
  element: RubricElement;
  evidence: Record<string, EvidenceFileView[]>;
  prev: string | null;
  next: string | null;
  warnings: ItemWarning[];
}) {
  const t = useT();
  const locale = useLocale();
  const navigate = useNavigate();
  const wizard = useWizard();
  const layout = useRouteLoaderData<typeof wizardLoader>("routes/t.$slug.assessments.$id");
  const flat = useMemo<RubricItem[]>(() => element.subElements.flatMap((s) => s.items), [element]);
  const { form, initial, indexOf, onSubmit } = useWizardElementForm(flat);
  const { learnItems } = wizard;
  // The conflict dialog names the items it lists: it learns their wording from the pages seen.
  useEffect(() => learnItems(flat), [learnItems, flat]);

  if (!layout) return null;

  const base = `/t/${wizard.slug}/assessments/${wizard.assessmentId}`;
  const elementTitle = (id: string) => {
    const el = wizard.rubric.elements.find((e) => e.id === id);
    return el ? `${el.id} ${textOf(el.title, locale)}` : id;
  };

  return (
    <FormProvider {...form}>
      <form noValidate onSubmit={onSubmit} className="space-y-6" aria-labelledby="element-title" data-element={element.id}>
        <header>
          <h2 id="element-title" className="text-xl font-semibold text-slate-900">
            {t("assessment.wizard.elementTitle", { id: element.id, title: textOf(element.title, locale) })}
          </h2>
          <p className="text-sm text-slate-500">{t("assessment.wizard.itemCount", { count: flat.length })}</p>
        </header>
        {element.subElements.map((sub) => (
          <section key={sub.id} aria-labelledby={`sub-${sub.id}`} className="space-y-4">
            <h3 id={`sub-${sub.id}`} className="text-base font-medium text-slate-800">
              <span className="mr-2 font-mono text-xs text-slate-500">{sub.id}</span>
              {textOf(sub.title, locale)}
            </h3>
            {sub.items.map((item) => (
              <div key={item.id} className="space-y-2">
                <LicenceWarnings warnings={warnings.filter((w) => w.itemId === item.id)} />
              <AssessmentItem
                key={item.id}
                item={item}
                index={indexOf.get(item.id) ?? 0}
                initial={initial[indexOf.get(item.id) ?? 0]}
                evidenceSlot={
                  <EvidenceSlot
                    slug={wizard.slug}
                    assessmentId={wizard.assessmentId}
                    itemId={item.id}
                    files={evidence[item.id] ?? []}
                    canEdit={wizard.canEdit}
                    required={item.evidenceRequired}
                    limits={layout.evidenceLimits}
                  />
                }
              />
              </div>
            ))}
          </section>
        ))}
        <footer className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-4">
          <span>
            {prev ? (
              <Link to={`${base}/${prev}`} className="btn-secondary" rel="prev">
                ← {t("assessment.wizard.prev", { title: elementTitle(prev) })}
              </Link>
            ) : null}
          </span>
          <span className="flex flex-wrap gap-3">
            {wizard.canEdit ? (
              <button type="submit" className="btn-secondary" data-testid="save-now">
                {t("assessment.wizard.saveNow")}
              </button>
            ) : null}
            {next ? (
              <Link to={`${base}/${next}`} className="btn-primary" rel="next">
                {t("assessment.wizard.next", { title: elementTitle(next) })} →
              </Link>
            ) : (
              <Link
                to={`${base}/summary`}
                className="btn-primary"
                onClick={(event) => {
                  // The summary shows what is saved: save first, then go.
                  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                  event.preventDefault();
                  void wizard.flushNow().then(() => navigate(`${base}/summary`));
                }}
              >
                {t("assessment.wizard.summary")} →
              </Link>
            )}
          </span>
        </footer>
      </form>
    </FormProvider>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d, matches }) => {
  const parent = matches.find((m) => m.id === "routes/t.$slug.assessments.$id")?.meta ?? [];
  const title = parent.find((m) => "title" in m);
  return [{ title: `${d?.elementId ?? ""} · ${title && "title" in title ? String(title.title) : "SafeGrade"}` }];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
