/**
 * /t/<slug>/experts/import — CSV/XLSX import of the review body's experts, with the enterprise
 * import's upload limits; row errors are listed on the page and downloadable as CSV.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import { IMPORT_MAX_BYTES, readImportFile, type ImportRowError } from "~/data/enterprise-directory.server";
import { bodiesOfAdmin } from "~/data/review-bodies/bodies.server";
import {
  EXPERT_FIELD_LABEL,
  EXPERT_IMPORT_FIELDS,
  EXPERT_IMPORT_MAX_ROWS,
  expertImportErrorCsv,
  importExperts,
} from "~/data/review-bodies/expert-import.server";
import { translate } from "~/i18n";
import { useErrorText, useT } from "~/i18n/react";
import { readForm } from "~/lib/http/read-form.server";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "manage:expert:own");
  return { slug: tenant.slug, locale: await getLocale(request), labels: EXPERT_FIELD_LABEL, fields: EXPERT_IMPORT_FIELDS };
}

type ActionResult =
  | { ok: false; fileError: string }
  | { ok: true; imported: number; skipped: number; blocked: boolean; total: number; errors: ImportRowError[]; errorCsv: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:expert:own");
  const locale = await getLocale(request);
  const [body] = await bodiesOfAdmin({ tenantId: tenant._id, userId: member.user._id });
  if (!body) return data<ActionResult>({ ok: false, fileError: msg("panel.experts.none") }, { status: 403 });
  let form: FormData;
  try {
    form = await readForm(request, { maxBytes: IMPORT_MAX_BYTES + 64 * 1024 });
  } catch (refused) {
    if (refused instanceof Response && refused.status === 413)
      return data<ActionResult>({ ok: false, fileError: msg("dashboard.import.error.tooLarge", { max: EXPERT_IMPORT_MAX_ROWS }) }, { status: 413 });
    throw refused;
  }
  const file = form.get("file");
  if (!file || typeof file === "string" || file.size === 0)
    return data<ActionResult>({ ok: false, fileError: msg("dashboard.import.error.noFile") }, { status: 400 });
  const rows = await readImportFile({ name: file.name, bytes: Buffer.from(await file.arrayBuffer()) });
  if (!Array.isArray(rows)) return data<ActionResult>({ ok: false, fileError: rows.fileError }, { status: 400 });
  const result = await importExperts({
    tenant: { _id: tenant._id, slug: tenant.slug, name: tenant.name.zh },
    reviewBodyId: body._id,
    rows,
    validOnly: form.get("validOnly") === "1",
    actor: { id: member.user._id, email: member.user.email },
  });
  if (!result.ok) return data<ActionResult>(result, { status: 400 });
  const answer: ActionResult = { ...result, errorCsv: result.errors.length > 0 ? expertImportErrorCsv(result.errors, locale) : "" };
  return data(answer, { status: result.blocked ? 422 : 200 });
}

export default function ImportExperts() {
  const { slug, labels } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const errorText = useErrorText();
  const navigation = useNavigation();
  const fieldLabel = (field: string) => {
    const key = Object.entries(labels).find(([f]) => f === field)?.[1];
    return key ? t(key) : field;
  };
  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">{t("panel.import.title")}</h1>
        <Link to={`/t/${slug}/experts`} className="text-sm text-brand-700 hover:underline">
          {t("nav.experts")}
        </Link>
      </div>
      <p className="text-sm text-slate-600">{t("panel.import.intro")}</p>
      <p>
        <a href={`/t/${slug}/experts/import-template.csv`} className="text-sm text-brand-700 hover:underline" download>
          {t("panel.import.template")}
        </a>
      </p>
      <Form method="post" encType="multipart/form-data" className="card space-y-3" data-testid="import-form">
        <label className="block">
          <span className="label">{t("dashboard.import.file")}</span>
          <input
            type="file"
            name="file"
            required
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            className="block text-sm"
          />
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="validOnly" value="1" />
          {t("dashboard.import.validOnly")}
        </label>
        <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
          {t("dashboard.import.check")}
        </button>
      </Form>
      {result && !result.ok ? <FormError error={result.fileError} /> : null}
      {result && result.ok ? (
        <div className="space-y-3" data-testid="import-result">
          {result.blocked ? (
            <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
              {t("dashboard.import.hasErrors", { count: result.skipped })}{" "}
              {t("dashboard.import.validRows", { count: result.total - result.skipped })}
            </div>
          ) : (
            <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
              {result.skipped > 0
                ? t("dashboard.import.doneSkipped", { count: result.imported, skipped: result.skipped })
                : t("dashboard.import.done", { count: result.imported })}
            </p>
          )}
          {result.errors.length > 0 ? (
            <div className="card overflow-x-auto p-0">
              <div className="flex justify-end p-3">
                <a
                  href={`data:text/csv;charset=utf-8,${encodeURIComponent(result.errorCsv)}`}
                  download="expert-import-errors.csv"
                  className="text-sm text-brand-700 hover:underline"
                >
                  {t("dashboard.import.errorReport")}
                </a>
              </div>
              <table className="table" data-testid="import-errors">
                <thead>
                  <tr>
                    <th scope="col">{t("dashboard.import.col.row")}</th>
                    <th scope="col">{t("dashboard.import.col.field")}</th>
                    <th scope="col">{t("dashboard.import.col.message")}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.errors.slice(0, 500).map((e, i) => (
                    <tr key={`${e.row}-${e.field}-${i}`}>
                      <td>{e.row}</td>
                      <td>{fieldLabel(e.field)}</td>
                      <td className="text-red-700">{errorText(e.message)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "panel.import.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
