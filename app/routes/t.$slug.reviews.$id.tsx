/**
 * The panel's review sheet (现场评审, Step 10): one consolidated score per item, one element per
 * page. Each member scores the elements the lead gave them (the others read-only) with the
 * self-assessment's autosave (local draft, compare-and-set, conflict dialog, decision 004), sees
 * the enterprise's own answer and evidence beside each item, confirms their part, and the lead
 * files the report once nothing is missing.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, type ClientActionFunctionArgs, type ShouldRevalidateFunction } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { ReviewSheetElement, ReviewSheetMembers, ReviewSheetNav, ReviewSheetSplit } from "~/components/review-sheet";
import { RectificationPanel } from "~/components/rectification-panel";
import { ActionPanel } from "~/components/workflow-actions";
import { DeadlineText, StateBadge, Timeline, actionLabel } from "~/components/workflow-ui";
import { assignSheetElements, confirmSheetPart } from "~/data/grading/review-sheet.server";
import { getReviewSheetPage } from "~/data/grading/review-sheet-page.server";
import { getApplicationPage } from "~/data/grading-views.server";
import { getRectificationPanel } from "~/data/grading.server";
import { workflowFormAction } from "~/data/workflow-form.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { postSave, type SaveOutcome } from "~/lib/assessment/save-protocol";
import { readForm } from "~/lib/http/read-form.server";
import { localizeDeep } from "~/lib/rubric/localize";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "review:assessment:assigned");
  const id = params.id ?? "";
  const search = new URL(request.url).searchParams;
  const part = Number(search.get("part") ?? "1");
  const [page, app, rectification] = await Promise.all([
    getReviewSheetPage({
      tenantId: tenant._id,
      id,
      member,
      elementId: search.get("element"),
      part: Number.isSafeInteger(part) ? part : 1,
      itemId: search.get("item"),
    }),
    getApplicationPage({ tenantId: tenant._id, id, member }),
    getRectificationPanel({ tenantId: tenant._id, applicationId: id, member }),
  ]);
  if (!page || !app) throw notFound();
  const locale = await getLocale(request);
  return {
    slug: tenant.slug,
    locale,
    user: { id: String(member.user._id), name: member.user.name },
    // Rubric texts in the reader's language only (decision 012): half the text.
    page: localizeDeep(page, locale),
    app,
    rectification,
  };
}

const sheetFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("confirmPart"), version: z.coerce.number().int().min(0) }),
  z.object({ intent: z.literal("assignElements"), version: z.coerce.number().int().min(0) }),
]);

export type SheetActionResult = { ok: boolean; intent: string; message?: string; itemIds?: string[] };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "review:assessment:assigned");
  const form = await readForm(request);
  const id = params.id ?? "";
  const intent = form.get("intent");
  if (intent !== "confirmPart" && intent !== "assignElements")
    return workflowFormAction({ tenantId: tenant._id, applicationId: id, member, form });
  const parsed = sheetFormSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return data<SheetActionResult>({ ok: false, intent, message: "errors.generic" }, { status: 400 });
  const scope = { tenantId: tenant._id, id, member, expectedVersion: parsed.data.version };
  const result =
    parsed.data.intent === "confirmPart"
      ? await confirmSheetPart(scope)
      : await assignSheetElements({
          ...scope,
          // `assign.<elementId>` = member id; the lead's own elements need no entry.
          assignments: [...form.entries()].flatMap(([key, value]) =>
            key.startsWith("assign.") && typeof value === "string" && value !== "" ? [{ elementId: key.slice(7), userId: value }] : [],
          ),
        });
  if (result.ok) return data<SheetActionResult>({ ok: true, intent });
  if (result.error === "notFound") throw notFound();
  if (result.error === "forbidden") return data<SheetActionResult>({ ok: false, intent, message: "errors.forbidden" }, { status: 403 });
  return data<SheetActionResult>(
    { ok: false, intent, message: result.message, ...("itemIds" in result && result.itemIds ? { itemIds: result.itemIds } : {}) },
    { status: result.status },
  );
}

/** The sheet's autosave goes to the JSON endpoint; everything else to the server action. */
export async function clientAction({ request, params, serverAction }: ClientActionFunctionArgs) {
  const form = await request.clone().formData();
  if (form.get("intent") === "save") return postSave(`/t/${params.slug ?? ""}/reviews/${params.id ?? ""}/save`, form);
  return serverAction<typeof action>();
}

export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

function isSheetResult(value: unknown): value is SheetActionResult {
  return typeof value === "object" && value !== null && "intent" in value && (value.intent === "confirmPart" || value.intent === "assignElements");
}

function isSaveOutcome(value: unknown): value is SaveOutcome {
  return typeof value === "object" && value !== null && "kind" in value;
}

export default function ReviewSheetScreen() {
  const { slug, page, app, user, rectification } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof clientAction>();
  const t = useT();
  const sheetResult = isSheetResult(actionData) ? actionData : null;
  const workflowDone =
    actionData && !isSaveOutcome(actionData) && !isSheetResult(actionData) && actionData.ok && "done" in actionData ? actionData.done : undefined;
  const complete = page.gaps.unscored.length + page.gaps.naWithoutReason.length + page.gaps.unconfirmed.length === 0;
  const base = `/t/${slug}/reviews/${page.id}`;
  return (
    <section className="space-y-6" data-testid="review-screen" data-state={app.stateKey}>
      <div>
        <Link to={`/t/${slug}/reviews`} className="text-sm text-brand-600 hover:underline">
          ← {t("workflow.reviews.title")}
        </Link>
        <h1 className="page-title mb-1 mt-2">{t("reviewSheet.title", { enterprise: page.enterpriseName, cycle: page.cycle })}</h1>
        <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
          <StateBadge state={app.stateKey} />
          {app.deadlines.reviewBy ? (
            <span>
              {t("workflow.app.deadline.reviewBy")}: <DeadlineText at={app.deadlines.reviewBy} overdue={app.overdue.reviewBy === true} />
            </span>
          ) : null}
          {app.deadlines.rectifyBy ? (
            <span>
              {t("workflow.app.deadline.rectifyBy")}: <DeadlineText at={app.deadlines.rectifyBy} overdue={app.overdue.rectifyBy === true} />
            </span>
          ) : null}
          <Link to={`/t/${slug}/applications/${page.id}`} className="text-brand-700 hover:underline">
            {t("workflow.review.appPage")}
          </Link>
          {page.reported ? (
            <>
              <Link to={`/t/${slug}/applications/${page.id}/comparison`} className="text-brand-700 hover:underline">
                {t("reviewSheet.comparison")}
              </Link>
              <a href={`/t/${slug}/applications/${page.id}/review-report.pdf`} className="text-brand-700 hover:underline">
                {t("reviewSheet.reportPdf")}
              </a>
            </>
          ) : null}
        </div>
      </div>

      {workflowDone ? <Notice>{t("workflow.app.done", { event: actionLabel(t, workflowDone) })}</Notice> : null}
      {sheetResult?.ok ? (
        <Notice>{t(sheetResult.intent === "confirmPart" ? "reviewSheet.confirmed" : "reviewSheet.split.saved")}</Notice>
      ) : null}
      {sheetResult && !sheetResult.ok && sheetResult.message ? (
        <FormError error={sheetResult.itemIds ? `${sheetResult.message}?count=${sheetResult.itemIds.length}` : sheetResult.message} />
      ) : null}
      {page.legacy ? <p className="text-sm text-slate-600">{t("comparison.legacy")}</p> : null}

      <ReviewSheetMembers page={page} />
      <div className="grid gap-6 lg:grid-cols-[16rem_minmax(0,1fr)]">
        <ReviewSheetNav page={page} base={base} />
        <ReviewSheetElement key={`${page.elementId}:${page.part}`} page={page} slug={slug} user={user} />
      </div>
      {page.isLead && page.editable ? <ReviewSheetSplit page={page} /> : null}

      <div className="card space-y-3">
        <h2 className="text-lg font-medium">{t("workflow.app.actions")}</h2>
        <ActionPanel
          version={app.version}
          actions={app.actions}
          offeredLevels={app.offeredLevels}
          appliedLevel={app.appliedLevel}
          reviewersRequired={app.reviewersRequired}
          facts={null}
          reviewSheet={{ scoreLevel: page.summary.scoreLevel, complete, gaps: page.gaps }}
          rectification={rectification ?? undefined}
        />
      </div>
      {rectification ? (
        <RectificationPanel panel={rectification} base={`/t/${slug}/applications/${app.id}`} />
      ) : null}

      <div className="card">
        <h2 className="mb-3 text-lg font-medium">{t("workflow.app.timeline")}</h2>
        <Timeline entries={app.history} />
      </div>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${translate(d.locale, "workflow.reviews.title")} · ${d.page.enterpriseName}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
