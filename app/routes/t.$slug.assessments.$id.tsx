import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Link,
  Outlet,
  useLoaderData,
  type ClientActionFunctionArgs,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { useMemo } from "react";
import { AssessmentSidePanel, PhoneScoreBar } from "~/components/assessment-side-panel";
import { ConflictDialog } from "~/components/assessment-conflict-dialog";
import { useWizard, WizardProvider } from "~/components/assessment-wizard";
import { WizardNotice } from "~/components/wizard-notice";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import {
  accidentRecordView,
  answerView,
  canEditAssessment,
  editorNames,
  findVisibleAssessment,
  loadAssessmentRubric,
  performanceView,
} from "~/data/assessments.server";
import { getEnterprise } from "~/data/enterprises.server";
import { getEvidenceLimits } from "~/data/evidence.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { localizeDeep } from "~/lib/rubric/localize";
import { scoringOutline } from "~/lib/rubric/scoring-outline";
import { packAnswers, packOutline, unpackAnswers, unpackOutline } from "~/lib/assessment/packed";
import { postSave, saveUrl, type SaveOutcome } from "~/lib/assessment/save-protocol";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:assessment:own", "read:assessment:any");
  const assessment = await findVisibleAssessment({ tenantId: tenant._id, id: params.id ?? "", viewer: member });
  if (!assessment) throw notFound();
  const [{ rubric, meta, weights }, enterprise, editors, locale, limits] = await Promise.all([
    loadAssessmentRubric({ tenantId: tenant._id, assessment }),
    getEnterprise({ tenantId: tenant._id, id: assessment.enterpriseId }),
    editorNames(assessment.answers.map((a) => a.updatedBy)),
    getLocale(request),
    getEvidenceLimits({ tenantId: tenant._id }),
  ]);
  const canEdit = canEditAssessment(member, assessment);
  return {
    slug: tenant.slug,
    locale,
    user: { id: String(member.user._id), name: member.user.name },
    assessment: {
      id: String(assessment._id),
      cycle: assessment.cycle,
      state: assessment.state,
      version: assessment.version,
      enterpriseName: enterprise?.name ?? "",
      rubricKey: assessment.rubricKey,
      rubricVersion: assessment.rubricVersion,
      rubricTitle: meta.title,
    },
    // In the reader's language only (half the text; decision 012), and only what scoring and
    // navigation need: each page sends the texts it shows (decision 028).
    // Packed into strings: a fifth of the bytes of the same data as loader objects.
    outline: packOutline(localizeDeep(scoringOutline(rubric), locale)),
    weights: localizeDeep(weights, locale),
    answers: packAnswers(assessment.answers.map(answerView)),
    performance: assessment.performance.map(performanceView),
    accidentRecord: accidentRecordView(assessment.accidentRecord),
    editors,
    evidenceLimits: { maxFileBytes: limits.maxFileBytes, maxFilesPerItem: limits.maxFilesPerItem },
    canEdit,
    /** The levels this authority grants: the level shown is the one it can grant (issue 17). */
    grantableLevels: tenant.settings.grantableLevels,
    readOnly: canEdit ? null : assessment.state !== "draft" ? ("submitted" as const) : ("viewOnly" as const),
  };
}

/**
 * Autosave goes through this client action so that a failed request (offline, blocked) becomes a
 * status the wizard shows instead of an error page, and so the request targets the JSON save
 * endpoint that beacons use too.
 */
export async function clientAction({ request, params }: ClientActionFunctionArgs): Promise<SaveOutcome> {
  // Runs in the browser on the wizard's own form submission (the server reads it with readForm).
  return postSave(saveUrl(params.slug ?? "", params.id ?? ""), await request.formData());
}

/** Autosaves must not reload the (large) wizard data; the save response carries what changed. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

export default function AssessmentWizardLayout() {
  const data = useLoaderData<typeof loader>();
  // Unpacked once per loader response, so the wizard sees stable objects between renders.
  const rubric = useMemo(() => unpackOutline(data.outline), [data.outline]);
  const answers = useMemo(() => unpackAnswers(data.answers), [data.answers]);
  return (
    <WizardProvider
      key={data.assessment.id}
      init={{
        slug: data.slug,
        assessmentId: data.assessment.id,
        userId: data.user.id,
        userName: data.user.name,
        rubric,
        weights: data.weights,
        version: data.assessment.version,
        answers,
        performance: data.performance,
        accidentRecord: data.accidentRecord,
        editors: data.editors,
        canEdit: data.canEdit,
      }}
    >
      <WizardFrame />
    </WizardProvider>
  );
}

function WizardFrame() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const wizard = useWizard();
  const base = `/t/${data.slug}/assessments/${data.assessment.id}`;
  return (
    <section className="space-y-4">
      <div>
        <Link to={`/t/${data.slug}/assessments`} className="text-sm text-brand-600 hover:underline">
          ← {t("assessment.list.title")}
        </Link>
        <h1 className="page-title mb-1 mt-2" data-testid="assessment-title">
          {data.assessment.enterpriseName} · {data.assessment.cycle}
        </h1>
        <p className="text-sm text-slate-500">
          {t("assessment.wizard.pinned", { rubric: textOf(data.assessment.rubricTitle, locale), version: data.assessment.rubricVersion })}
        </p>
      </div>
      {data.readOnly ? (
        <div role="status" className="rounded-md border border-slate-200 bg-slate-100 px-3 py-2 text-sm text-slate-700" data-testid="read-only">
          {t(data.readOnly === "submitted" ? "assessment.wizard.readOnly" : "assessment.wizard.viewOnly")}
        </div>
      ) : null}
      <WizardNotice />
      {wizard.carriedCount > 0 && wizard.canEdit ? (
        <div className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
          <span>{t("assessment.wizard.carriedCount", { count: wizard.carriedCount })}</span>
          <button
            type="button"
            className="btn-secondary py-1"
            onClick={() => {
              const ids: string[] = [];
              for (const id of wizard.items.keys()) if (wizard.serverAnswer(id)?.carriedOver) ids.push(id);
              wizard.confirmCarried(ids);
            }}
          >
            {t("assessment.wizard.confirmAll")}
          </button>
        </div>
      ) : null}
      <PhoneScoreBar />
      {/* The questions come first (on a phone, the first screen); from lg up the panel is drawn on the left. */}
      <div className="grid gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
        <div className="min-w-0 lg:col-start-2 lg:row-start-1">
          <Outlet />
        </div>
        <aside className="lg:sticky lg:top-4 lg:col-start-1 lg:row-start-1 lg:self-start">
          <AssessmentSidePanel base={base} weightsTitle={data.weights ? textOf(data.weights.title, locale) : null} />
        </aside>
      </div>
      <ConflictDialog />
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${translate(d.locale, "nav.assessments")} · ${d.assessment.enterpriseName} ${d.assessment.cycle}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
