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
import { z } from "zod";
import { clientIp, forbidden } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import { Pagination } from "~/components/pagination";
import {
  listAssessments,
  proposeStart,
  startAssessment,
  type StartError,
} from "~/data/assessments.server";
import { toObjectId } from "~/data/ids.server";
import { applicationBar, type ApplicationBar } from "~/data/todo/application-bar.server";
import { formatDate } from "~/lib/datetime";
import { translate, type MessageKey } from "~/i18n";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { formatDateTime } from "~/lib/datetime";
import { can } from "~/lib/permissions";
import { fieldErrors, msg } from "~/lib/validation";
import { shanghaiDate } from "~/workflows/working-days";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import { pageParam } from "~/lib/paging";
import { readForm } from "~/lib/http/read-form.server";

/** The grading cycle is the calendar year in China, whatever the server's time zone. */
function currentYear(now = new Date()): number {
  return Number(
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(now),
  );
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "read:assessment:own",
    "read:assessment:any",
  );
  const locale = await getLocale(request);
  const page = pageParam(new URL(request.url).searchParams.get("page"));
  const seesAll = can(member.permissions, "read:assessment:any");
  if (seesAll) {
    const list = await listAssessments({ tenantId: tenant._id, page, pageSize: 50 });
    return { kind: "tenant" as const, slug: tenant.slug, locale, list, start: null };
  }
  if (!member.enterpriseId) {
    return { kind: "enterprise" as const, slug: tenant.slug, locale, list: null, start: null };
  }
  const [list, proposal, bar] = await Promise.all([
    listAssessments({
      tenantId: tenant._id,
      enterpriseId: member.enterpriseId,
      page,
      pageSize: 50,
    }),
    proposeStart({ tenantId: tenant._id, enterpriseId: member.enterpriseId }),
    applicationBar({
      tenantId: tenant._id,
      slug: tenant.slug,
      enterpriseId: member.enterpriseId,
      settings: tenant.settings,
      now: new Date(),
    }),
  ]);
  const year = currentYear();
  const taken = new Set(proposal?.cycles ?? []);
  const cycles = [year - 1, year, year + 1].map(String).filter((c) => !taken.has(c));
  return {
    kind: "enterprise" as const,
    slug: tenant.slug,
    locale,
    list,
    start: proposal
      ? {
          canStart: can(member.permissions, "submit:assessment:own"),
          /** Why applying is barred now, and until when: the form is disabled and says so. */
          bar,
          enterprise: proposal.enterprise,
          cycles,
          defaultCycle: cycles.find((c) => Number(c) >= year) ?? cycles[0] ?? "",
          previousCycle: proposal.cycles[0] ?? null,
          rubrics: proposal.rubrics.map((r) => ({
            id: String(r._id),
            key: r.key,
            version: r.version,
            title: r.title,
            itemCount: r.itemCount,
            totalPoints: r.totalPoints,
          })),
        }
      : null,
  };
}

const startSchema = z.object({
  intent: z.literal("start"),
  cycle: z.string().regex(/^20\d{2}$/, { error: msg("assessment.errors.invalidCycle") }),
  rubricVersionId: z.string().min(1, { error: msg("errors.invalidChoice") }),
  // A checked box posts "on"; unchecked it is absent (server) or false (react-hook-form).
  fromPrevious: z.union([z.literal("on"), z.literal(false)]).optional(),
});
type StartForm = z.infer<typeof startSchema>;

const START_ERRORS: Record<StartError, { field: keyof StartForm | "_form"; key: MessageKey }> = {
  invalidCycle: { field: "cycle", key: "assessment.errors.invalidCycle" },
  enterpriseNotFound: { field: "_form", key: "errors.notFound" },
  noApplicableRubric: { field: "_form", key: "assessment.errors.noApplicableRubric" },
  rubricNotApplicable: { field: "rubricVersionId", key: "assessment.errors.rubricNotApplicable" },
  previousNotFound: { field: "fromPrevious", key: "assessment.errors.previousNotFound" },
  exists: { field: "cycle", key: "assessment.errors.exists" },
  creditListed: { field: "_form", key: "credit.errors.listedCannotStart" },
  blockedAfterRevocation: { field: "_form", key: "certificate.errors.blockedFromApplying" },
};

export async function action({ request, params }: ActionFunctionArgs) {
  // Starting commits the enterprise to a cycle and a rubric: the enterprise admin's decision.
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "submit:assessment:own",
  );
  if (!member.enterpriseId) throw forbidden();
  const parsed = startSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const rubricVersionId = toObjectId(parsed.data.rubricVersionId);
  if (!rubricVersionId)
    return data(
      { errors: { rubricVersionId: msg("errors.invalidChoice") } as Record<string, string> },
      { status: 400 },
    );
  const result = await startAssessment({
    tenantId: tenant._id,
    enterpriseId: member.enterpriseId,
    actor: { id: member.user._id, email: member.user.email, role: member.roles[0] ?? "" },
    cycle: parsed.data.cycle,
    rubricVersionId,
    fromPrevious: parsed.data.fromPrevious === "on",
    ip: clientIp(request),
  });
  if (!result.ok) {
    const { field, key } = START_ERRORS[result.error];
    const message =
      result.error === "exists"
        ? msg(key, { cycle: parsed.data.cycle })
        : result.error === "creditListed"
          ? msg(key, { name: result.listing?.name ?? "" })
          : result.error === "blockedAfterRevocation" && result.bar
            ? msg(key, { number: result.bar.number, date: shanghaiDate(result.bar.until) })
            : msg(key);
    const status =
      result.error === "exists" ||
      result.error === "creditListed" ||
      result.error === "blockedAfterRevocation"
        ? 409
        : 400;
    return data({ errors: { [field]: message } as Record<string, string> }, { status });
  }
  return redirect(`/t/${tenant.slug}/assessments/${String(result.assessment._id)}`);
}

export default function AssessmentsIndex() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section className="space-y-6">
      <h1 className="page-title">
        {d.kind === "tenant" ? t("assessment.list.tenantTitle") : t("assessment.list.title")}
      </h1>
      {d.kind === "enterprise" && !d.start ? (
        <p className="text-sm text-slate-600">{t("assessment.start.noEnterprise")}</p>
      ) : null}
      {d.start ? <StartCard start={d.start} /> : null}
      {d.list ? (
        <AssessmentTable slug={d.slug} list={d.list} showEnterprise={d.kind === "tenant"} />
      ) : null}
    </section>
  );
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function StartCard({ start }: { start: NonNullable<LoaderData["start"]> }) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const serverErrors: Record<string, string> = actionData?.errors ?? {};
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<StartForm>({
    resolver: zodResolver(startSchema),
    defaultValues: {
      intent: "start",
      cycle: start.defaultCycle,
      rubricVersionId: start.rubrics[0]?.id ?? "",
    },
  });
  if (!start.canStart) {
    return <p className="text-sm text-slate-600">{t("assessment.start.cannotStart")}</p>;
  }
  if (start.rubrics.length === 0) {
    return (
      <div className="card">
        <h2 className="mb-2 text-lg font-medium">{t("assessment.start.title")}</h2>
        <p className="text-sm text-slate-600">{t("assessment.start.noRubric")}</p>
      </div>
    );
  }
  const err = (field: keyof StartForm) => errorText(errors[field]?.message ?? serverErrors[field]);
  const bar = start.bar;
  return (
    <div className="card">
      <h2 className="mb-2 text-lg font-medium">{t("assessment.start.title")}</h2>
      {bar ? <BarNotice bar={bar} /> : null}
      <p className="mb-4 text-sm text-slate-600">
        {t("assessment.start.intro", {
          industry: t(`industry.${start.enterprise.industry}`),
          size: t(`enterprise.size.${start.enterprise.sizeClass}`),
        })}
      </p>
      <Form
        method="post"
        noValidate
        className="space-y-4"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
        data-testid="start-form"
      >
        <FormError error={serverErrors._form} />
        <fieldset
          disabled={bar !== null}
          aria-describedby={bar ? "start-barred" : undefined}
          className="space-y-4 disabled:opacity-60"
        >
          <input type="hidden" value="start" {...register("intent")} />
          <div>
            <label htmlFor="start-cycle" className="label">
              {t("assessment.cycle")}
            </label>
            <select
              id="start-cycle"
              className="input w-40"
              defaultValue={start.defaultCycle}
              aria-invalid={err("cycle") ? true : undefined}
              aria-describedby={err("cycle") ? "start-cycle-error" : undefined}
              {...register("cycle")}
            >
              {start.cycles.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            {err("cycle") ? (
              <p id="start-cycle-error" className="field-error" role="alert">
                {err("cycle")}
              </p>
            ) : null}
          </div>
          <fieldset aria-describedby={err("rubricVersionId") ? "start-rubric-error" : undefined}>
            <legend className="label">{t("assessment.rubric")}</legend>
            <div className="space-y-2">
              {start.rubrics.map((r, i) => (
                <label key={r.id} className="flex items-start gap-2 text-sm">
                  <input
                    type="radio"
                    value={r.id}
                    className="mt-0.5 h-4 w-4"
                    defaultChecked={i === 0}
                    {...register("rubricVersionId")}
                  />
                  <span>
                    {t("assessment.start.rubricOption", {
                      title: textOf(r.title, locale),
                      version: r.version,
                      items: r.itemCount,
                      points: r.totalPoints,
                    })}
                    {i === 0 ? (
                      <span className="badge ml-2 bg-emerald-100 text-emerald-800">
                        {t("assessment.start.proposed")}
                      </span>
                    ) : null}
                  </span>
                </label>
              ))}
            </div>
            {err("rubricVersionId") ? (
              <p id="start-rubric-error" className="field-error" role="alert">
                {err("rubricVersionId")}
              </p>
            ) : null}
          </fieldset>
          {start.previousCycle ? (
            <div>
              <label className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  value="on"
                  className="mt-0.5 h-4 w-4 rounded"
                  aria-describedby="start-previous-hint"
                  {...register("fromPrevious")}
                />
                <span>{t("assessment.start.fromPrevious", { cycle: start.previousCycle })}</span>
              </label>
              <p id="start-previous-hint" className="ml-6 text-xs text-slate-500">
                {t("assessment.start.fromPreviousHint")}
              </p>
              {err("fromPrevious") ? (
                <p className="field-error" role="alert">
                  {err("fromPrevious")}
                </p>
              ) : null}
            </div>
          ) : null}
          <button
            type="submit"
            className="btn-primary"
            disabled={
              bar !== null || navigation.state === "submitting" || start.cycles.length === 0
            }
          >
            {t("assessment.start.submit")}
          </button>
        </fieldset>
      </Form>
    </div>
  );
}

function BarNotice({ bar }: { bar: ApplicationBar }) {
  const t = useT();
  const locale = useLocale();
  return (
    <p
      id="start-barred"
      role="status"
      className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
      data-testid="start-barred"
      data-bar={bar.kind}
    >
      {t(`todo.enterprise.barred.${bar.kind}`, { name: bar.name })}
      {bar.until ? ` · ${t("todo.deadline.barredUntil")} ${formatDate(bar.until, locale)}` : ""}{" "}
      <Link to={bar.href} className="font-medium underline">
        {t("todo.open")}
      </Link>
    </p>
  );
}

function AssessmentTable({
  slug,
  list,
  showEnterprise,
}: {
  slug: string;
  list: NonNullable<LoaderData["list"]>;
  showEnterprise: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="card">
      {!showEnterprise ? (
        <h2 className="mb-3 text-lg font-medium">{t("assessment.list.mine")}</h2>
      ) : null}
      {list.items.length === 0 ? (
        <p className="text-sm text-slate-500">{t("assessment.list.empty")}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="table" data-testid="assessment-list">
            <thead>
              <tr>
                {showEnterprise ? <th scope="col">{t("assessment.enterprise")}</th> : null}
                <th scope="col">{t("assessment.cycle")}</th>
                <th scope="col">{t("assessment.rubric")}</th>
                <th scope="col">{t("common.status")}</th>
                <th scope="col" className="text-right">
                  {t("assessment.progress")}
                </th>
                <th scope="col" className="text-right">
                  {t("assessment.score")}
                </th>
                <th scope="col">{t("assessment.updatedAt")}</th>
                <th scope="col">
                  <span className="sr-only">{t("common.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((a) => (
                <tr key={a.id} data-assessment={a.id} data-cycle={a.cycle}>
                  {showEnterprise ? <td>{a.enterpriseName}</td> : null}
                  <td>{a.cycle}</td>
                  <td>
                    {a.rubricTitle ? textOf(a.rubricTitle, locale) : a.rubricKey}{" "}
                    <span className="text-xs text-slate-500">{a.rubricVersion}</span>
                  </td>
                  <td>
                    {a.state === "draft"
                      ? t("assessment.state.draft")
                      : t("assessment.state.submitted")}
                  </td>
                  <td className="text-right">
                    {a.scoreSummary
                      ? t("assessment.progressValue", {
                          answered: a.scoreSummary.answered,
                          items: a.scoreSummary.items,
                        })
                      : "—"}
                  </td>
                  <td className="text-right">
                    {typeof a.scoreSummary?.score === "number"
                      ? a.scoreSummary.score.toFixed(1)
                      : "—"}
                  </td>
                  <td>{formatDateTime(a.updatedAt, locale)}</td>
                  <td>
                    <Link
                      to={`/t/${slug}/assessments/${a.id}`}
                      className="text-brand-700 hover:underline"
                    >
                      {showEnterprise || a.state !== "draft"
                        ? t("assessment.view")
                        : t("assessment.open")}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.total > list.pageSize ? (
        <Pagination page={list.page} pageSize={list.pageSize} total={list.total} />
      ) : null}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: `${translate(d?.locale ?? "zh-CN", "nav.assessments")} · SafeGrade` },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
