/**
 * /t/<slug>/enterprises/import — bulk import of the enterprise directory from CSV or XLSX
 * (regulator / tenant admin). Every row is validated; a file with errors imports nothing unless
 * the user ticks "import valid rows only". Errors are listed on the page and downloadable as CSV.
 */
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ImportPage, type ImportActionResult } from "~/components/import-page";
import { IMPORT_MAX_ROWS, importEnterprises, importErrorCsv } from "~/data/enterprise-directory.server";
import { readImportUpload } from "~/data/import-upload.server";
import { translate, type MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "create:enterprise:any");
  return { slug: tenant.slug, locale: await getLocale(request) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "create:enterprise:any");
  const locale = await getLocale(request);
  const upload = await readImportUpload(request, IMPORT_MAX_ROWS);
  if (!upload.ok) return data<ImportActionResult>({ ok: false, fileError: upload.fileError }, { status: upload.status });
  const result = await importEnterprises({
    tenant,
    rows: upload.rows,
    validOnly: upload.validOnly,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  if (!result.ok) return data<ImportActionResult>(result, { status: 400 });
  const body: ImportActionResult = { ...result, errorCsv: result.errors.length > 0 ? importErrorCsv(result.errors, locale) : "" };
  return data(body, { status: result.blocked ? 422 : 200 });
}

export default function ImportEnterprises() {
  const { slug } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const fieldLabel = (field: string) =>
    ({
      name: t("enterprise.name"),
      creditCode: t("enterprise.creditCode"),
      industry: t("enterprise.industry"),
      sizeClass: t("enterprise.sizeClass"),
      districtCode: t("enterprise.district"),
      address: t("enterprise.address"),
      contactName: t("enterprise.contactName"),
      contactPhone: t("enterprise.contactPhone"),
    })[field] ?? field;
  return (
    <ImportPage
      title={t("dashboard.import.title")}
      intro={t("dashboard.import.intro")}
      back={{ to: `/t/${slug}/enterprises`, label: t("enterprise.list.title") }}
      template={{ href: `/t/${slug}/enterprises/import/template.csv`, label: t("dashboard.import.template") }}
      errorCsvName="import-errors.csv"
      fieldLabel={fieldLabel}
      result={result}
    />
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "dashboard.import.title" satisfies MessageKey) : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
