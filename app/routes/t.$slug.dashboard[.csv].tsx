/**
 * GET /t/<slug>/dashboard.csv?table=<key>&<filters> — one dashboard table as CSV (UTF-8 with BOM
 * so Excel reads the Chinese text), with the dashboard's filters applied.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDashboard } from "~/data/dashboard.server";
import { csvResponse, toCsv } from "~/data/table-export.server";
import { translate } from "~/i18n";
import { dashboardTable, isDashboardTable } from "~/lib/dashboard-tables";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:dashboard:any");
  const locale = await getLocale(request);
  const url = new URL(request.url);
  const key = url.searchParams.get("table");
  if (!isDashboardTable(key)) throw new Response("Unknown table", { status: 404 });
  const figures = await getDashboard({ tenant, search: url.searchParams, scope: member });
  const table = dashboardTable(figures, key, locale);
  const filename = `${translate(locale, "dashboard.fileName")}-${key}-${figures.filters.year}.csv`;
  return csvResponse(toCsv(table.columns, table.rows), filename);
}
