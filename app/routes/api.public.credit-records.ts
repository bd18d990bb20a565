/**
 * GET /api/public/credit-records?q=&page=&pageSize=&tenant=&condition=&year=&listType= — the
 * published credit-list records of all tenants (or of `tenant`, a slug) as
 * `{ items, total, page, pageSize }`; field names are stable and documented in docs/api.md.
 * Bad parameters → 400 `{ error: { code, message, field } }`; too many requests → 429.
 * Messages follow the `sg_lang` cookie, else Accept-Language (Chinese by default).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { jsonWithEtag } from "~/lib/http/etag.server";
import { clientIp } from "~/auth.server";
import {
  apiSearchCreditRegistry,
  conditionLabel,
  hitRegistryRateLimit,
  type PublicCreditRecord,
} from "~/data/credit-registry.server";
import { isLocale, translate, type Locale } from "~/i18n";
import { localeCookie } from "~/locale.server";

const HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  // Public data, meant to be read from anywhere.
  "Access-Control-Allow-Origin": "*",
  "X-Content-Type-Options": "nosniff",
} as const;

/** The language cookie when set, else the first of zh/en in Accept-Language, else Chinese. */
export async function apiLocale(request: Request): Promise<Locale> {
  const cookie: unknown = await localeCookie.parse(request.headers.get("Cookie"));
  if (isLocale(cookie)) return cookie;
  const accept = request.headers.get("Accept-Language") ?? "";
  const tags = accept
    .split(",")
    .map((part) => {
      const [tag = "", ...rest] = part.trim().split(";");
      const q = rest.map((r) => /^\s*q=([\d.]+)\s*$/.exec(r)?.[1]).find(Boolean);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    if (tag === "en" || tag.startsWith("en-")) return "en";
    if (tag === "zh" || tag.startsWith("zh-")) return "zh-CN";
  }
  return "zh-CN";
}

function item(r: PublicCreditRecord, locale: Locale) {
  return {
    id: r.id,
    tenant: { slug: r.tenant.slug, name: locale === "en" ? r.tenant.name.en || r.tenant.name.zh : r.tenant.name.zh },
    subjectName: r.subjectName,
    creditCode: r.creditCode,
    subjectType: r.subjectType,
    responsiblePerson: r.responsiblePerson,
    listType: r.listType,
    condition: { key: r.conditionKey, label: conditionLabel(locale, r.conditionKey) },
    legalBasis: r.legalBasis,
    penaltyDecisionNo: r.penaltyDecisionNo,
    authority: r.authority,
    listedAt: r.listedAt,
    endsAt: r.endsAt,
  };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await apiLocale(request);
  const limit = await hitRegistryRateLimit(clientIp(request));
  if (limit.limited) {
    const minutes = Math.max(1, Math.ceil(limit.retryAfterSeconds / 60));
    return Response.json(
      {
        error: {
          code: "RATE_LIMITED",
          message: translate(locale, "creditPublic.error.rateLimited", { minutes }),
          field: null,
        },
      },
      { status: 429, headers: { ...HEADERS, "Retry-After": String(limit.retryAfterSeconds) } },
    );
  }
  const found = await apiSearchCreditRegistry(new URL(request.url).searchParams);
  if (!found.ok) {
    const e = found.error;
    return Response.json(
      { error: { code: e.code, message: translate(locale, e.key, e.params), field: e.field } },
      { status: 400, headers: HEADERS },
    );
  }
  const result = found.page;
  return jsonWithEtag(
    request,
    {
      items: result.items.map((r) => item(r, locale)),
      total: result.total,
      page: result.page,
      pageSize: result.pageSize,
      truncated: result.truncated,
    },
    HEADERS,
  );
}
