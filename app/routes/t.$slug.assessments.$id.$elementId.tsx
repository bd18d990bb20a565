import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation, useNavigate, useRouteLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
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
import { partOfItem, partPath, wizardParts, type WizardPage } from "~/lib/assessment/element-parts";
import type { EvidenceFileView } from "~/lib/evidence";
import { localizeDeep } from "~/lib/rubric/localize";
import type { RubricElement, RubricItem } from "~/lib/rubric/schema";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";
import type { loader as wizardLoader } from "./t.$slug.assessments.$id";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:assessment:own", "read:assessment:any");
  // This element in full (texts, its evidence); the layout sends only the scoring outline (decision 028).
  // A large element is shown in parts (`?part=2`); `?item=` opens the part holding that item.
  const url = new URL(request.url);
  const page = await getElementPage({
    tenantId: tenant._id,
    id: params.id ?? "",
    viewer: member,
    elementId: params.elementId ?? "",
    part: url.searchParams.get("part"),
    itemId: url.searchParams.get("item"),
  });
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
    elementItems: page.elementItems,
    part: page.part,
    parts: page.parts,
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
  const { elementId, element, evidence, elementItems, part, parts, prev, next, licenceWarnings } = useLoaderData<typeof loader>();
  // One form per page: a new element or part starts from the wizard's current values.
  return (
    <ElementForm
      key={`${elementId}:${part}`}
      element={element}
      evidence={evidence}
      page={{ elementItems, part, parts, prev, next }}
      warnings={licenceWarnings}
    />
  );
}

type ItemWarning = { itemId: string; type: LicenceType; number: string; expiresAt: string; state: "expiring" | "expired" };

type PageInfo = { elementItems: number; part: number; parts: number; prev: WizardPage | null; next: WizardPage | null };

function ElementForm({
  element,
  evidence,
  page,
  warnings,
}: {
  element: RubricElement;
  evidence: Record<string, EvidenceFileView[]>;
  page: PageInfo;
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
  // An old link to `#item-…` of an item in another part of this element: open that part.
  const location = useLocation();
  useEffect(() => {
    const itemId = location.hash.startsWith("#item-") ? decodeURIComponent(location.hash.slice("#item-".length)) : "";
    if (!itemId || flat.some((i) => i.id === itemId)) return;
    const outlineElement = wizard.rubric.elements.find((e) => e.id === element.id);
    if (outlineElement && partOfItem(outlineElement, itemId) !== null) {
      navigate(`${location.pathname}?item=${encodeURIComponent(itemId)}${location.hash}`, { replace: true });
    }
  }, [location.hash, location.pathname, flat, wizard.rubric, element.id, navigate]);

  if (!layout) return null;

  const base = `/t/${wizard.slug}/assessments/${wizard.assessmentId}`;
  const elementTitle = (id: string) => {
    const el = wizard.rubric.elements.find((e) => e.id === id);
    return el ? `${el.id} ${textOf(el.title, locale)}` : id;
  };
  const { prev, next } = page;
  // A neighbour in the same element is another part of it; else the element (its part named if paged).
  const sameElement = (p: WizardPage) => p.elementId === element.id;
  const pageTitle = (p: WizardPage) => {
    const el = wizard.rubric.elements.find((e) => e.id === p.elementId);
    const parts = el ? wizardParts(el).length : 1;
    return parts > 1 ? `${elementTitle(p.elementId)} · ${t("wizardParts.part", { part: p.part, parts })}` : elementTitle(p.elementId);
  };

  return (
    <FormProvider {...form}>
      <form noValidate onSubmit={onSubmit} className="space-y-6" aria-labelledby="element-title" data-element={element.id} data-part={page.part}>
        <header>
          <h2 id="element-title" className="text-xl font-semibold text-slate-900">
            {t("assessment.wizard.elementTitle", { id: element.id, title: textOf(element.title, locale) })}
          </h2>
          <p className="text-sm text-slate-500">
            {t("assessment.wizard.itemCount", { count: page.elementItems })}
            {page.parts > 1 ? (
              <span className="ml-2" data-testid="element-part">
                {t("wizardParts.part", { part: page.part, parts: page.parts })}
              </span>
            ) : null}
          </p>
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
              <Link to={partPath(base, prev)} className="btn-secondary" rel="prev">
                ← {sameElement(prev) ? t("wizardParts.prevPart", { title: pageTitle(prev) }) : t("assessment.wizard.prev", { title: pageTitle(prev) })}
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
              <Link to={partPath(base, next)} className="btn-primary" rel="next">
                {sameElement(next) ? t("wizardParts.nextPart", { title: pageTitle(next) }) : t("assessment.wizard.next", { title: pageTitle(next) })} →
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
  const part = d && d.parts > 1 ? ` (${d.part}/${d.parts})` : "";
  return [{ title: `${d?.elementId ?? ""}${part} · ${title && "title" in title ? String(title.title) : "SafeGrade"}` }];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
