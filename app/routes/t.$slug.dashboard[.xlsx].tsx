/**
 * GET /t/<slug>/dashboard.xlsx?table=<key|all>&<filters> — one dashboard table (or all of them,
 * one sheet each) as an Excel workbook, with the dashboard's filters applied.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDashboard } from "~/data/dashboard.server";
import { toXlsx, xlsxResponse } from "~/data/table-export.server";
import { translate } from "~/i18n";
import { DASHBOARD_TABLES, dashboardTable, isDashboardTable } from "~/lib/dashboard-tables";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:dashboard:any");
  const locale = await getLocale(request);
  const url = new URL(request.url);
  const key = url.searchParams.get("table") ?? "all";
  if (key !== "all" && !isDashboardTable(key)) throw new Response("Unknown table", { status: 404 });
  const figures = await getDashboard({ tenant, search: url.searchParams, scope: member });
  const keys = key === "all" ? [...DASHBOARD_TABLES] : [key];
  const body = await toXlsx(keys.map((k) => dashboardTable(figures, k, locale)));
  const filename = `${translate(locale, "dashboard.fileName")}-${key}-${figures.filters.year}.xlsx`;
  return xlsxResponse(body, filename);
}
