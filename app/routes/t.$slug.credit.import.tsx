/**
 * /t/<slug>/credit/import — bulk import of credit records from CSV (regulators with
 * `manage:credit:any`). GET shows the form; the template is `/t/<slug>/credit/import-template.csv`.
 * POST (multipart: `file`, optional `validOnly`) validates every row and imports DRAFT records;
 * the per-row error report is shown and downloadable as CSV. Nothing is imported from a file
 * with errors unless "import only the valid rows" is chosen. See app/data/credit-import.server.ts.
 */
import {
  data,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import {
  IMPORT_COLUMNS,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_ROWS,
  importCreditCsv,
  importErrorsCsv,
  type ImportReport,
} from "~/data/credit-import.server";
import { translate, type MessageKey } from "~/i18n";
import { useErrorText, useT } from "~/i18n/react";
import { CREDIT_CONDITIONS } from "~/lib/credit";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenantPermission, tenantName } from "~/tenant.server";
import { assertFormRequest, BodyTooLargeError, limitBody } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "manage:credit:any");
  const locale = await getLocale(request);
  return {
    locale,
    slug: tenant.slug,
    title: `${translate(locale, "creditPublic.import.title")} · ${tenantName(tenant, locale)}`,
    maxRows: IMPORT_MAX_ROWS,
  };
}

type ActionResult =
  | { ok: false; error: string }
  | { ok: true; report: ImportReport; errorCsv: string; validOnly: boolean };

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:credit:any");
  const locale = await getLocale(request);
  const fail = (status: number, error: string) => data<ActionResult>({ ok: false, error }, { status });
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    // Not a form at all → 415; a plain form without the file → the field error.
    await assertFormRequest(request, IMPORT_MAX_BYTES);
    return fail(400, msg("creditPublic.import.error.noFile"));
  }
  const length = Number(request.headers.get("Content-Length") ?? "0");
  const tooLarge = msg("creditPublic.import.error.tooLarge", { max: `${IMPORT_MAX_BYTES / 1024 / 1024} MB` });
  if (length > IMPORT_MAX_BYTES + 64 * 1024) return fail(413, tooLarge);
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(
      limitBody(request, IMPORT_MAX_BYTES + 64 * 1024),
      unstable_createMemoryUploadHandler({ maxPartSize: IMPORT_MAX_BYTES }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError || error instanceof BodyTooLargeError) return fail(413, tooLarge);
    return fail(400, msg("creditPublic.import.error.noFile"));
  }
  const file = form.get("file");
  if (!file || typeof file === "string" || file.size === 0) return fail(400, msg("creditPublic.import.error.noFile"));
  const validOnly = form.get("validOnly") === "on" || form.get("validOnly") === "true";
  const report = await importCreditCsv({
    tenantId: tenant._id,
    bytes: new Uint8Array(await file.arrayBuffer()),
    fileName: (file.name || "import.csv").slice(0, 200),
    actor: { id: member.user._id, email: member.user.email, name: member.user.name },
    validOnly,
    defaultAuthority: tenant.authority.zh,
  });
  if (report.fileError) return fail(400, report.fileError);
  const status = report.errors.length > 0 && !report.committed ? 422 : 200;
  return data<ActionResult>(
    { ok: true, report, errorCsv: importErrorsCsv(report.errors, locale), validOnly },
    { status },
  );
}

export default function CreditImportPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const errorText = useErrorText();
  const busy = navigation.state === "submitting";
  const report = result?.ok ? result.report : null;
  const columnLabel = (field: string) => {
    const c = IMPORT_COLUMNS.find((x) => x.key === field);
    return c ? t(c.label) : t("creditPublic.import.field.file");
  };
  return (
    <section className="space-y-4">
      <h1 className="page-title">{t("creditPublic.import.title")}</h1>
      <p className="max-w-3xl text-sm text-slate-600">{t("creditPublic.import.intro")}</p>
      <p className="max-w-3xl text-sm text-amber-800" data-testid="import-partial-note">
        {t("creditPublic.import.partialFailure")}
      </p>
      <p>
        <a
          href={`/t/${d.slug}/credit/import-template.csv`}
          className="btn-secondary"
          download
          data-testid="import-template"
        >
          {t("creditPublic.import.template")}
        </a>
      </p>
      <Form method="post" encType="multipart/form-data" className="card max-w-3xl space-y-3">
        <div>
          <label htmlFor="import-file" className="label">
            {t("creditPublic.import.file")}
          </label>
          <input id="import-file" type="file" name="file" accept=".csv,text/csv" required className="input" />
        </div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="validOnly" className="mt-1" defaultChecked={false} />
          <span>
            <span className="font-medium">{t("creditPublic.import.validOnly")}</span>
            <span className="block text-slate-500">{t("creditPublic.import.validOnlyHint")}</span>
          </span>
        </label>
        {result && !result.ok ? <FormError error={result.error} /> : null}
        <button type="submit" className="btn-primary" disabled={busy}>
          {t("creditPublic.import.check")}
        </button>
      </Form>

      {report ? (
        <div className="card max-w-5xl space-y-3" data-testid="import-report" role="status">
          <p>
            {t("creditPublic.import.summary", {
              total: report.total,
              valid: report.valid,
              invalid: report.total - report.valid,
            })}
          </p>
          <p className="font-medium">
            {report.committed
              ? report.errors.length > 0
                ? t("creditPublic.import.importedSkipped", { count: report.imported, skipped: report.errors.length })
                : t("creditPublic.import.imported", { count: report.imported })
              : t("creditPublic.import.nothingImported")}
          </p>
          {report.errors.length > 0 && result?.ok ? (
            <>
              <a
                href={`data:text/csv;charset=utf-8,${encodeURIComponent(result.errorCsv)}`}
                download={`${t("creditPublic.import.reportFileName")}.csv`}
                className="btn-secondary"
                data-testid="import-error-csv"
              >
                {t("creditPublic.import.errorReport")}
              </a>
              <div className="overflow-x-auto">
                <table className="table" data-testid="import-errors">
                  <thead>
                    <tr>
                      <th scope="col">{t("creditPublic.import.col.row")}</th>
                      <th scope="col">{t("creditPublic.import.col.field")}</th>
                      <th scope="col">{t("creditPublic.import.col.message")}</th>
                      <th scope="col">{t("creditPublic.import.col.value")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.errors.map((e, i) => (
                      <tr key={`${e.row}-${e.field}-${i}`}>
                        <td>{e.row}</td>
                        <td>{columnLabel(e.field)}</td>
                        <td className="text-red-700">{errorText(e.message)}</td>
                        <td className="max-w-xs break-all font-mono text-xs">{e.value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </div>
      ) : null}

      <details className="card max-w-5xl text-sm">
        <summary className="cursor-pointer font-medium">{t("creditPublic.field.condition")}</summary>
        <ul className="mt-2 space-y-1">
          {CREDIT_CONDITIONS.map((c) => (
            <li key={c.key}>
              <code className="text-xs">{c.key}</code> — {t(`credit.condition.${c.key}` as MessageKey)} (
              {t(`credit.listType.${c.listType}`)})
            </li>
          ))}
        </ul>
      </details>
      <p className="text-sm">
        <Link to={`/t/${d.slug}/credit-registry`} className="text-brand-700 hover:underline">
          {t("creditPublic.registry.link")}
        </Link>
      </p>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: d?.title ?? "SafeGrade" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
