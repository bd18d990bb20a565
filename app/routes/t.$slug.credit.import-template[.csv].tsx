/**
 * GET /t/<slug>/credit/import-template.csv — the CSV template for the bulk import of credit
 * records (header row in the user's language, UTF-8 with BOM). Regulators only.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { importTemplateCsv } from "~/data/credit-import.server";
import { contentDisposition } from "~/data/evidence.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireTenantPermission(request, params, "manage:credit:any");
  const locale = await getLocale(request);
  const name = `${translate(locale, "creditPublic.import.fileName")}.csv`;
  return new Response(importTemplateCsv(locale), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(name, "attachment"),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
