import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import { StatusBadge } from "~/components/rubric-tree";
import { toObjectId } from "~/data/ids.server";
import { cloneRubricVersion, MAX_VERSION_LENGTH } from "~/data/rubric-admin.server";
import { listRubricVersions } from "~/data/rubrics.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { can } from "~/lib/permissions";
import { pickText } from "~/lib/rubric/localize";
import { fieldErrors, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:rubric:any");
  const canManage = can(member.permissions, "manage:rubric:any");
  const versions = await listRubricVersions({ tenantId: tenant._id });
  const locale = await getLocale(request);
  return {
    locale,
    title: `${translate(locale, "rubric.list.title")} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    canManage,
    versions: versions
      // Drafts are work in progress of the tenant admins; nobody else needs to see them.
      .filter((v) => canManage || v.status !== "draft")
      .map((v) => ({
        id: String(v._id),
        key: v.key,
        version: v.version,
        title: v.title,
        status: v.status,
        source: v.source,
        itemCount: v.itemCount,
        totalPoints: v.totalPoints,
        publishedAt: v.publishedAt ? v.publishedAt.toISOString() : null,
        updatedAt: v.updatedAt.toISOString(),
      })),
  };
}

const cloneSchema = z.object({
  id: z.string().min(1, { error: msg("errors.required") }),
  version: z
    .string()
    .trim()
    .max(MAX_VERSION_LENGTH, { error: msg("errors.tooLong", { max: MAX_VERSION_LENGTH }) })
    .regex(/^[0-9A-Za-z.-]*$/, { error: msg("rubric.error.invalidVersion") })
    .optional()
    .default(""),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:rubric:any");
  const form = Object.fromEntries(await readForm(request));
  if (form.intent !== "clone")
    return data(
      { errors: { _form: msg("errors.generic") } as Record<string, string> },
      { status: 400 },
    );
  const parsed = cloneSchema.safeParse(form);
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const id = toObjectId(parsed.data.id);
  if (!id) throw notFound();
  const result = await cloneRubricVersion({
    tenantId: tenant._id,
    id,
    version: parsed.data.version || undefined,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  if (!result.ok) {
    switch (result.error) {
      case "notFound":
        throw notFound();
      case "notPublished":
        return data(
          { errors: { _form: msg("rubric.error.notPublished") } as Record<string, string> },
          { status: 409 },
        );
      case "versionTaken":
        return data(
          { errors: { version: msg("rubric.error.versionTaken") } as Record<string, string> },
          { status: 409 },
        );
      case "invalidVersion":
        return data(
          { errors: { version: msg("rubric.error.invalidVersion") } as Record<string, string> },
          { status: 400 },
        );
    }
  }
  return redirect(`/t/${tenant.slug}/rubrics/${String(result.id)}`);
}

export default function RubricListPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${d.slug}/rubrics`;
  const errors = actionData?.errors ?? {};
  return (
    <section>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="page-title">{t("rubric.list.title")}</h1>
        {d.canManage ? (
          <Link to={`/t/${d.slug}/weights`} className="btn-secondary ml-auto py-1.5">
            {t("rubric.actions.weights")}
          </Link>
        ) : null}
      </div>
      <p className="mb-4 max-w-3xl text-sm text-slate-600">
        {t(d.canManage ? "rubric.list.introManage" : "rubric.list.intro")}
      </p>
      <div className="mb-3 space-y-2">
        <FormError error={errors._form} />
        <FormError error={errors.version} />
      </div>
      {d.versions.length === 0 ? (
        <p className="card text-sm text-slate-500">{t("rubric.list.empty")}</p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table" data-testid="rubric-versions">
            <thead>
              <tr>
                <th>{t("rubric.col.title")}</th>
                <th>{t("rubric.col.version")}</th>
                <th>{t("rubric.col.source")}</th>
                <th>{t("common.status")}</th>
                <th className="text-right">{t("rubric.col.items")}</th>
                <th className="text-right">{t("rubric.col.points")}</th>
                <th>{t("rubric.col.date")}</th>
                <th>{t("common.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {d.versions.map((v) => (
                <tr key={v.id} data-rubric={`${v.key}@${v.version}`}>
                  <td>
                    <Link to={`${base}/${v.id}`} className="text-brand-700 hover:underline">
                      {pickText(v.title, locale)}
                    </Link>
                  </td>
                  <td className="whitespace-nowrap font-mono text-xs">
                    {v.key}@{v.version}
                  </td>
                  <td>{t(`rubric.source.${v.source}`)}</td>
                  <td>
                    <StatusBadge status={v.status} />
                  </td>
                  <td className="text-right tabular-nums">{v.itemCount}</td>
                  <td className="text-right tabular-nums">{v.totalPoints}</td>
                  <td className="whitespace-nowrap">
                    {formatDate(v.publishedAt ?? v.updatedAt, locale)}
                  </td>
                  <td>
                    <div className="flex flex-wrap items-center gap-2">
                      <Link to={`${base}/${v.id}`} className="btn-secondary py-1 text-xs">
                        {v.status === "draft" && d.canManage ? t("rubric.edit") : t("rubric.view")}
                      </Link>
                      {v.status === "published" ? (
                        <Link
                          to={`/t/${d.slug}/criteria/${v.id}`}
                          className="text-xs text-brand-700 hover:underline"
                        >
                          {t("rubric.public.link")}
                        </Link>
                      ) : null}
                      {d.canManage && v.status === "published" ? (
                        <Form method="post" className="flex items-center gap-1">
                          <input type="hidden" name="intent" value="clone" />
                          <input type="hidden" name="id" value={v.id} />
                          <input
                            type="text"
                            name="version"
                            className="input w-36 py-1 text-xs"
                            placeholder={t("rubric.clone.versionPlaceholder")}
                            aria-label={t("rubric.clone.version")}
                            maxLength={60}
                          />
                          <button
                            type="submit"
                            className="btn-primary whitespace-nowrap py-1 text-xs"
                            disabled={navigation.state !== "idle"}
                            data-testid={`clone-${v.key}@${v.version}`}
                          >
                            {t("rubric.clone")}
                          </button>
                        </Form>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
