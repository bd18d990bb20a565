/** GET /t/<slug>/enterprises.csv — the enterprise list with its filters, as CSV (UTF-8 with BOM). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { enterpriseDirectoryTable, parseDirectoryFilters } from "~/data/enterprise-directory.server";
import { csvResponse, toCsv } from "~/data/table-export.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:enterprise:any");
  const locale = await getLocale(request);
  const filters = parseDirectoryFilters(new URL(request.url).searchParams);
  const table = await enterpriseDirectoryTable({ tenant, filters, locale, scope: member });
  return csvResponse(toCsv(table.columns, table.rows), `${translate(locale, "dashboard.enterprises.fileName")}-${tenant.slug}.csv`);
}
