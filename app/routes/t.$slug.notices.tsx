/**
 * Public notice (公示), no login: the enterprises whose grading result is under public notice, the
 * end of each notice, and an objection form. An objection sends the application back to review
 * and tells the regulators; objections are rate limited per client address.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useForm } from "react-hook-form";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { FormError, Notice, TextAreaField, TextField } from "~/components/form";
import { LevelName } from "~/components/workflow-ui";
import { submitObjection } from "~/data/grading.server";
import { listPublicNotices } from "~/data/grading-views.server";
import { districtName } from "~/data/tenants.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { fieldErrors, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenant, tenantName } from "~/tenant.server";
import { objectionFormSchema, type ObjectionForm } from "~/workflows/grading-input";
import { readForm } from "~/lib/http/read-form.server";
import { pageParam } from "~/lib/paging";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  const search = new URL(request.url).searchParams;
  const list = await listPublicNotices({ tenantId: tenant._id, page: pageParam(search.get("page")) });
  return {
    locale,
    tenantName: tenantName(tenant, locale),
    notices: list.items.map((n) => ({ ...n, district: districtName(tenant, n.districtCode) })),
    page: list.page,
    pageSize: list.pageSize,
    total: list.total,
    /** The notice whose objection form is open (`?object=`): one form on the page, not one per notice. */
    objecting: search.get("object"),
  };
}

type ObjectionResult = { ok: boolean; applicationId: string; errors: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  const form = Object.fromEntries(await readForm(request));
  const applicationId = typeof form.applicationId === "string" ? form.applicationId : "";
  const parsed = objectionFormSchema.safeParse(form);
  if (!parsed.success)
    return data<ObjectionResult>(
      { ok: false, applicationId, errors: fieldErrors(parsed.error) },
      { status: 400 },
    );
  const result = await submitObjection({
    tenantId: tenant._id,
    ...parsed.data,
    ip: clientIp(request),
  });
  if (result.ok) return data<ObjectionResult>({ ok: true, applicationId, errors: {} });
  switch (result.error) {
    case "rateLimited":
      return data<ObjectionResult>(
        {
          ok: false,
          applicationId,
          errors: {
            _form: msg("workflow.errors.rateLimited", { minutes: result.retryAfterMinutes }),
          },
        },
        { status: 429 },
      );
    case "invalid":
      return data<ObjectionResult>(
        { ok: false, applicationId, errors: result.fieldErrors },
        { status: 400 },
      );
    default:
      // Not (or no longer) under public notice: say so rather than "not found".
      return data<ObjectionResult>(
        { ok: false, applicationId, errors: { _form: msg("workflow.notice.closed") } },
        { status: 409 },
      );
  }
}

export default function PublicNotices() {
  const { tenantName: name, notices, page, pageSize, total, objecting } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  return (
    <section className="space-y-6">
      <div>
        <h1 className="page-title mb-1">{t("workflow.notice.title")}</h1>
        <p className="text-sm text-slate-600">{name}</p>
        <p className="mt-2 text-sm text-slate-600">{t("workflow.notice.intro")}</p>
      </div>
      {actionData?.ok ? <Notice>{t("workflow.notice.received")}</Notice> : null}
      {notices.length === 0 ? (
        <p className="card text-sm text-slate-500">{t("workflow.notice.empty")}</p>
      ) : (
        <ul className="space-y-4" data-testid="public-notices">
          {notices.map((n) => (
            <li key={n.id} id={`notice-${n.id}`} className="card space-y-3" data-notice={n.id}>
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 className="text-base font-semibold">{n.enterpriseName}</h2>
                <span className="font-mono text-xs text-slate-500">{n.creditCode}</span>
              </div>
              <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
                <div>
                  <dt className="text-xs text-slate-500">{t("enterprise.district")}</dt>
                  <dd>{n.district}</dd>
                </div>
                <div>
                  <dt className="text-xs text-slate-500">{t("enterprise.industry")}</dt>
                  <dd>{t(`industry.${n.industry}`)}</dd>
                </div>
                <div>
                  <dt className="text-xs text-slate-500">{t("workflow.notice.level")}</dt>
                  <dd>
                    <LevelName name={n.levelName} />
                  </dd>
                </div>
                <div>
                  <dt className="text-xs text-slate-500">{t("workflow.notice.endsAt")}</dt>
                  <dd data-testid="notice-ends">{n.endsAt ? formatDate(n.endsAt, locale) : "—"}</dd>
                </div>
              </dl>
              <NoticeObjection
                applicationId={n.id}
                page={page}
                open={objecting === n.id}
                result={actionData?.applicationId === n.id ? actionData : undefined}
              />
            </li>
          ))}
        </ul>
      )}
      {total > pageSize ? <Pagination page={page} pageSize={pageSize} total={total} /> : null}
    </section>
  );
}

/**
 * The objection (异议) entry of one notice: a link that opens the form (`?object=`), the form
 * itself when opened or when the server refused what was sent, nothing once it was received.
 */
function NoticeObjection({
  applicationId,
  page,
  open,
  result,
}: {
  applicationId: string;
  page: number;
  open: boolean;
  result: ObjectionResult | undefined;
}) {
  const t = useT();
  if (result?.ok) return null;
  if (!open && !result) {
    return (
      <Link
        className="text-sm text-brand-700 underline-offset-2 hover:underline"
        to={`?${new URLSearchParams({ page: String(page), object: applicationId }).toString()}#notice-${applicationId}`}
        preventScrollReset
      >
        {t("workflow.notice.object")}
      </Link>
    );
  }
  return (
    <div>
      <h3 className="text-sm font-semibold text-brand-700">{t("workflow.notice.object")}</h3>
      <ObjectionFormCard applicationId={applicationId} serverErrors={result?.errors ?? {}} />
    </div>
  );
}

function ObjectionFormCard({
  applicationId,
  serverErrors,
}: {
  applicationId: string;
  serverErrors: Record<string, string>;
}) {
  const t = useT();
  const submit = useSubmit();
  const navigation = useNavigation();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<ObjectionForm>({
    resolver: zodResolver(objectionFormSchema),
    defaultValues: { applicationId, name: "", contact: "", statement: "" },
  });
  return (
    <Form
      method="post"
      noValidate
      className="mt-3 space-y-3"
      onSubmit={(event) => {
        const target = event.currentTarget;
        void handleSubmit(() => submit(target))(event);
      }}
    >
      <FormError error={serverErrors._form} />
      <input type="hidden" {...register("applicationId")} />
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField
          label={t("workflow.notice.name")}
          autoComplete="name"
          error={errors.name?.message ?? serverErrors.name}
          {...register("name")}
        />
        <TextField
          label={t("workflow.notice.contact")}
          hint={t("workflow.notice.privacy")}
          error={errors.contact?.message ?? serverErrors.contact}
          {...register("contact")}
        />
      </div>
      <TextAreaField
        label={t("workflow.notice.statement")}
        rows={4}
        error={errors.statement?.message ?? serverErrors.statement}
        {...register("statement")}
      />
      <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
        {t("workflow.notice.submit")}
      </button>
    </Form>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "workflow.notice.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
