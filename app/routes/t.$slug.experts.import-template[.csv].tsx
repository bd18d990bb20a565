/** GET /t/<slug>/experts/import-template.csv — the expert import template (headers in the user's language). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { contentDisposition } from "~/data/evidence.server";
import { expertTemplateCsv } from "~/data/review-bodies/expert-import.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireTenantPermission(request, params, "manage:expert:own");
  const locale = await getLocale(request);
  return new Response(expertTemplateCsv(locale), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(`${translate(locale, "panel.import.fileName")}.csv`, "attachment"),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
