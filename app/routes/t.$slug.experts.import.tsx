/**
 * /t/<slug>/experts/import — CSV/XLSX import of the review body's experts, with the enterprise
 * import's upload limits; row errors are listed on the page and downloadable as CSV.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ImportPage, type ImportActionResult } from "~/components/import-page";
import { readImportUpload } from "~/data/import-upload.server";
import { bodiesOfAdmin } from "~/data/review-bodies/bodies.server";
import {
  EXPERT_FIELD_LABEL,
  EXPERT_IMPORT_FIELDS,
  EXPERT_IMPORT_MAX_ROWS,
  expertImportErrorCsv,
  importExperts,
} from "~/data/review-bodies/expert-import.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "manage:expert:own");
  return { slug: tenant.slug, locale: await getLocale(request), labels: EXPERT_FIELD_LABEL, fields: EXPERT_IMPORT_FIELDS };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:expert:own");
  const locale = await getLocale(request);
  const [body] = await bodiesOfAdmin({ tenantId: tenant._id, userId: member.user._id });
  if (!body) return data<ImportActionResult>({ ok: false, fileError: msg("panel.experts.none") }, { status: 403 });
  const upload = await readImportUpload(request, EXPERT_IMPORT_MAX_ROWS);
  if (!upload.ok) return data<ImportActionResult>({ ok: false, fileError: upload.fileError }, { status: upload.status });
  const result = await importExperts({
    tenant: { _id: tenant._id, slug: tenant.slug, name: tenant.name.zh },
    reviewBodyId: body._id,
    rows: upload.rows,
    validOnly: upload.validOnly,
    actor: { id: member.user._id, email: member.user.email },
  });
  if (!result.ok) return data<ImportActionResult>(result, { status: 400 });
  const answer: ImportActionResult = { ...result, errorCsv: result.errors.length > 0 ? expertImportErrorCsv(result.errors, locale) : "" };
  return data(answer, { status: result.blocked ? 422 : 200 });
}

export default function ImportExperts() {
  const { slug, labels } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const fieldLabel = (field: string) => {
    const key = Object.entries(labels).find(([f]) => f === field)?.[1];
    return key ? t(key) : field;
  };
  return (
    <ImportPage
      title={t("panel.import.title")}
      intro={t("panel.import.intro")}
      back={{ to: `/t/${slug}/experts`, label: t("nav.experts") }}
      template={{ href: `/t/${slug}/experts/import-template.csv`, label: t("panel.import.template") }}
      errorCsvName="expert-import-errors.csv"
      fieldLabel={fieldLabel}
      result={result}
    />
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "panel.import.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
