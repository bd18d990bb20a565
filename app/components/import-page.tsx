/**
 * The import page shared by the enterprise and expert imports: upload form (CSV/XLSX, "valid rows
 * only"), the outcome banner and the row-error table with its CSV download.
 */
import { Form, Link, useNavigation } from "@remix-run/react";
import { FormError } from "~/components/form";
import type { ImportRowError } from "~/data/enterprise-directory.server";
import { useErrorText, useT } from "~/i18n/react";

/** What an import action answers: a file-level error, or the checked/imported rows. */
export type ImportActionResult =
  | { ok: false; fileError: string }
  | { ok: true; imported: number; skipped: number; blocked: boolean; total: number; errors: ImportRowError[]; errorCsv: string };

export function ImportPage(props: {
  title: string;
  intro: string;
  back: { to: string; label: string };
  template: { href: string; label: string };
  errorCsvName: string;
  fieldLabel: (field: string) => string;
  result: ImportActionResult | undefined;
}) {
  const { title, intro, back, template, result } = props;
  const t = useT();
  const navigation = useNavigation();
  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">{title}</h1>
        <Link to={back.to} className="text-sm text-brand-700 hover:underline">
          {back.label}
        </Link>
      </div>
      <p className="text-sm text-slate-600">{intro}</p>
      <p>
        <a href={template.href} className="text-sm text-brand-700 hover:underline" download>
          {template.label}
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
      {result && result.ok ? <ImportOutcome result={result} errorCsvName={props.errorCsvName} fieldLabel={props.fieldLabel} /> : null}
    </section>
  );
}

function ImportOutcome({
  result,
  errorCsvName,
  fieldLabel,
}: {
  result: Extract<ImportActionResult, { ok: true }>;
  errorCsvName: string;
  fieldLabel: (field: string) => string;
}) {
  const t = useT();
  const errorText = useErrorText();
  return (
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
              download={errorCsvName}
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
  );
}
