/**
 * GET /t/<slug>/registry.csv — the public registry as CSV with the page's filters
 * (UTF-8 with a byte-order mark so spreadsheet programs read the Chinese text correctly).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { clientIp } from "~/auth.server";
import { reserveSlot } from "~/data/rate-limit.server";
import { registryCsv } from "~/data/certificates.server";
import { contentDisposition } from "~/data/evidence.server";
import { translate } from "~/i18n";
import { parseCertificateFilters } from "~/lib/certificate";
import { getLocale } from "~/locale.server";
import { requireTenant } from "~/tenant.server";

export const REGISTRY_CSV_LIMIT = { limit: 10, windowMs: 60_000 } as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  // Each download reads up to the whole registry: a few per minute per address is plenty.
  const ip = clientIp(request);
  const slot = await reserveSlot({ counter: `registry-csv:ip:${ip}`, group: `registry-csv:${ip}`, ...REGISTRY_CSV_LIMIT });
  if (!slot.ok) {
    const minutes = Math.max(1, Math.ceil(slot.retryAfterSeconds / 60));
    return new Response(translate(locale, "certificate.registry.csvRateLimited", { minutes }), {
      status: 429,
      headers: { "Retry-After": String(slot.retryAfterSeconds), "Content-Type": "text/plain; charset=utf-8" },
    });
  }
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
