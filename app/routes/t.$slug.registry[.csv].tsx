/**
 * GET /t/<slug>/registry.csv — the public registry as CSV with the page's filters
 * (UTF-8 with a byte-order mark so spreadsheet programs read the Chinese text correctly).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { registryCsv } from "~/data/certificates.server";
import { contentDisposition } from "~/data/evidence.server";
import { translate } from "~/i18n";
import { parseCertificateFilters } from "~/lib/certificate";
import { getLocale } from "~/locale.server";
import { requireTenant } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  const f = parseCertificateFilters(new URL(request.url).searchParams);
  const csv = await registryCsv({
    tenantId: tenant._id,
    filters: {
      q: f.q,
      level: f.level,
      status: f.status,
      industry: f.industry,
      district: f.district,
    },
    locale,
  });
  const filename = `${translate(locale, "certificate.registry.fileName")}-${tenant.slug}.csv`;
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(filename, "attachment"),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
