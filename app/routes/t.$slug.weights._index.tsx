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
import { toObjectId } from "~/data/ids.server";
import { listWeightProfiles } from "~/data/rubrics.server";
import { cloneWeightProfile, MAX_PROFILE_KEY_LENGTH } from "~/data/weight-profiles.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { pickText } from "~/lib/rubric/localize";
import { fieldErrors, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "manage:rubric:any");
  const profiles = await listWeightProfiles({ tenantId: tenant._id });
  const locale = await getLocale(request);
  return {
    locale,
    title: `${translate(locale, "weights.list.title")} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    profiles: profiles.map((p) => ({
      id: String(p._id),
      key: p.key,
      title: p.title,
      shipped: p.tenantId === null,
      parentKey: p.parentKey,
      status: p.status,
    })),
  };
}

const cloneSchema = z.object({
  id: z.string().min(1, { error: msg("errors.required") }),
  key: z
    .string()
    .trim()
    .max(MAX_PROFILE_KEY_LENGTH, { error: msg("errors.tooLong", { max: MAX_PROFILE_KEY_LENGTH }) })
    .regex(/^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$/, { error: msg("weights.error.invalidKey") })
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
  const result = await cloneWeightProfile({
    tenantId: tenant._id,
    id,
    key: parsed.data.key || undefined,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  if (!result.ok) {
    if (result.error === "notFound") throw notFound();
    return data(
      {
        errors: {
          key: msg(
            result.error === "invalidKey" ? "weights.error.invalidKey" : "weights.error.keyTaken",
          ),
        } as Record<string, string>,
      },
      { status: result.error === "invalidKey" ? 400 : 409 },
    );
  }
  return redirect(`/t/${tenant.slug}/weights/${String(result.id)}`);
}

export default function WeightProfileListPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${d.slug}/weights`;
  const errors = actionData?.errors ?? {};
  return (
    <section>
      <p className="mb-2 text-sm">
        <Link to={`/t/${d.slug}/rubrics`} className="text-brand-700 hover:underline">
          ← {t("rubric.list.title")}
        </Link>
      </p>
      <h1 className="page-title">{t("weights.list.title")}</h1>
      <p className="mb-4 max-w-3xl text-sm text-slate-600">{t("weights.list.intro")}</p>
      <div className="mb-3 space-y-2">
        <FormError error={errors._form} />
        <FormError error={errors.key} />
      </div>
      <div className="card overflow-x-auto p-0">
        <table className="table" data-testid="weight-profiles">
          <thead>
            <tr>
              <th>{t("weights.col.title")}</th>
              <th>{t("weights.col.key")}</th>
              <th>{t("weights.col.source")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {d.profiles.map((p) => (
              <tr key={p.id} data-profile={p.key}>
                <td>
                  <Link to={`${base}/${p.id}`} className="text-brand-700 hover:underline">
                    {pickText(p.title, locale)}
                  </Link>
                </td>
                <td className="whitespace-nowrap font-mono text-xs">{p.key}</td>
                <td>
                  {t(p.shipped ? "weights.source.shipped" : "weights.source.tenant")}
                  {p.parentKey ? (
                    <span className="ml-1 font-mono text-xs text-slate-500">← {p.parentKey}</span>
                  ) : null}
                  {p.status === "draft" ? (
                    <span className="badge ml-2 bg-amber-100 text-amber-800" data-testid="weights-draft">
                      {t("weights.status.draft")}
                    </span>
                  ) : null}
                </td>
                <td>
                  <div className="flex flex-wrap items-center gap-2">
                    <Link to={`${base}/${p.id}`} className="btn-secondary py-1 text-xs">
                      {t(p.shipped ? "weights.view" : "weights.edit")}
                    </Link>
                    <Form method="post" className="flex items-center gap-1">
                      <input type="hidden" name="intent" value="clone" />
                      <input type="hidden" name="id" value={p.id} />
                      <input
                        type="text"
                        name="key"
                        className="input w-40 py-1 text-xs"
                        placeholder={t("weights.clone.key")}
                        aria-label={t("weights.clone.key")}
                        maxLength={60}
                      />
                      <button
                        type="submit"
                        className="btn-primary whitespace-nowrap py-1 text-xs"
                        disabled={navigation.state !== "idle"}
                        data-testid={`clone-weights-${p.key}`}
                      >
                        {t("weights.clone")}
                      </button>
                    </Form>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
