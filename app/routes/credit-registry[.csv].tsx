/**
 * GET /credit-registry.csv — the current result of the cross-tenant registry (same filters, all
 * pages, at most 10,000 rows) as CSV: UTF-8 with a BOM, streamed. Rate limited with the pages.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { clientIp } from "~/auth.server";
import { checkRegistryRateLimit, registryCsvResponse } from "~/data/credit-registry.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const limited = await checkRegistryRateLimit(clientIp(request));
  if (limited)
    return new Response(translate(locale, "creditPublic.registry.rateLimited", { minutes: limited.minutes }), {
      status: 429,
      headers: { "Retry-After": String(limited.retryAfterSeconds), "Content-Type": "text/plain; charset=utf-8" },
    });
  return registryCsvResponse({ search: new URL(request.url).searchParams, tenant: null, locale });
}
