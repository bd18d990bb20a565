/** GET /t/<slug>/enterprises/import/template.csv — the import template (header + example row). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { importTemplateCsv } from "~/data/enterprise-directory.server";
import { csvResponse } from "~/data/table-export.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "create:enterprise:any");
  const locale = await getLocale(request);
  return csvResponse(importTemplateCsv(tenant, locale), `${translate(locale, "dashboard.enterprises.fileName")}-template.csv`);
}
