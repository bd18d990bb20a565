/**
 * The public credit registry (失信名单公示, Step 6): search, detail and CSV export over PUBLISHED
 * credit records only, across all tenants or one. No login; only the publishable fields leave this
 * module (facts, decision text, defence, repair, history, the full ID number never do).
 *
 * It reads only the public read model `credit_publications` (models/credit-publication.ts, kept in
 * sync by app/data/credit-publication.server.ts): one slim document per published record, so the
 * non-public fields are not even there, and a FerretDB scan decodes ~0.5 KB per record instead of
 * the full working record.
 *
 * Search: top-level equality only, one gram of the name pushed down and verified in Node
 * (app/data/credit/registry-search.server.ts, decision 012).
 */
import { collectionSize } from "../../models/collection-size";
import { Types } from "mongoose";
import { CreditPublication, type CreditPublicationDoc } from "../../models/credit-publication";
import { Tenant } from "../../models/tenant";
import { connectDb } from "~/db.server";
import { translate, type Locale, type MessageKey } from "~/i18n";
import { csvCell } from "~/lib/certificate";
import {
  CREDIT_CONDITION_KEYS,
  type CreditListType,
  type CreditSubjectType,
} from "~/lib/credit";
import { formatDate } from "~/lib/datetime";
import {
  readNewestFirst,
  readTextMatches,
  registryPlan,
  walksMonthBuckets,
  REGISTRY_WALK_FROM,
  type RegistryPlan,
} from "./credit/registry-search.server";
import { contentDisposition } from "./evidence.server";
import { hitRateLimit, type RateLimitState } from "./rate-limit.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import { cachedPublicRead } from "./public-cache.server";

import {
  REGISTRY_CSV_MAX_ROWS,
  REGISTRY_MAX_PAGE,
  REGISTRY_MAX_PAGE_SIZE,
  REGISTRY_PAGE_SIZE,
  parseRegistryQuery,
  registryQueryString,
  type RegistryParamError,
  type RegistryQuery,
} from "./credit/registry-params";

// Re-exported: the routes, the bench and the tests import the registry from this module.
export * from "./credit/registry-params";

// ---------------------------------------------------------------------------------------------
// Tenants (few; read once per request)

export type RegistryTenant = {
  id: string;
  slug: string;
  name: { zh: string; en: string };
  authority: { zh: string; en: string };
};

export async function listRegistryTenants(): Promise<RegistryTenant[]> {
  await connectDb();
  const docs = await Tenant.find({})
    .sort({ slug: 1 })
    .select({ slug: 1, name: 1, authority: 1 })
    .lean<Array<{ _id: Types.ObjectId; slug: string; name: RegistryTenant["name"]; authority: RegistryTenant["authority"] }>>();
  return docs.map((t) => ({ id: String(t._id), slug: t.slug, name: t.name, authority: t.authority }));
}

// ---------------------------------------------------------------------------------------------
// Public shape

/** The published fields of a record; this is also the JSON API's item (docs/api.md). */
export type PublicCreditRecord = {
  id: string;
  tenant: { slug: string; name: { zh: string; en: string } };
  subjectName: string;
  creditCode: string;
  subjectType: CreditSubjectType;
  responsiblePerson: { name: string; idNumberMasked: string };
  listType: CreditListType;
  conditionKey: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  authority: string;
  listedAt: string | null;
  endsAt: string | null;
};

/** The read model has no non-public fields; `search`, `listedYear` and `version` are not shown. */
const PUBLIC_FIELDS = {
  tenantId: 1,
  subjectName: 1,
  creditCode: 1,
  subjectType: 1,
  responsiblePerson: 1,
  listType: 1,
  conditionKey: 1,
  legalBasis: 1,
  penaltyDecisionNo: 1,
  authority: 1,
  listedAt: 1,
  endsAt: 1,
} as const;

type PublicDoc = Pick<CreditPublicationDoc, "_id" | keyof typeof PUBLIC_FIELDS>;

function toPublic(doc: PublicDoc, tenants: Map<string, RegistryTenant>): PublicCreditRecord {
  const tenant = tenants.get(String(doc.tenantId));
  return {
    id: String(doc._id),
    tenant: { slug: tenant?.slug ?? "", name: tenant?.name ?? { zh: "", en: "" } },
    subjectName: doc.subjectName,
    creditCode: doc.creditCode,
    subjectType: doc.subjectType,
    responsiblePerson: {
      name: doc.responsiblePerson?.name ?? "",
      idNumberMasked: doc.responsiblePerson?.idNumberMasked ?? "",
    },
    listType: doc.listType,
    conditionKey: doc.conditionKey,
    legalBasis: doc.legalBasis ?? "",
    penaltyDecisionNo: doc.penaltyDecisionNo ?? "",
    authority: doc.authority ?? "",
    listedAt: doc.listedAt ? doc.listedAt.toISOString() : null,
    endsAt: doc.endsAt ? doc.endsAt.toISOString() : null,
  };
}

const SORT = { listedAt: -1, _id: -1 } as const;

export type RegistryPage = {
  items: PublicCreditRecord[];
  total: number;
  page: number;
  pageSize: number;
  /** A text search matched more candidates than one search reads: the results are a part. */
  truncated: boolean;
};

/**
 * One page of the registry. `tenantId` null = all tenants. `tenants` may be passed when the
 * caller already loaded them (to name each record's publishing authority).
 */
export async function searchCreditRegistry({
  query,
  tenantId,
  tenants,
  walkFrom,
}: {
  query: Pick<RegistryQuery, "q" | "condition" | "year" | "listType" | "page" | "pageSize">;
  tenantId: Types.ObjectId | null;
  tenants?: RegistryTenant[];
  /** Publications from which listings are read by month bucket (default REGISTRY_WALK_FROM). */
  walkFrom?: number;
}): Promise<RegistryPage> {
  await connectDb();
  const size = Math.min(Math.max(1, Math.floor(query.pageSize)), REGISTRY_MAX_PAGE_SIZE);
  const page = Math.min(Math.max(1, Math.floor(query.page)), REGISTRY_MAX_PAGE);
  const plan = registryPlan(query, tenantId);
  const tenantList = tenants ?? (await listRegistryTenants());
  const byId = new Map(tenantList.map((t) => [t.id, t]));
  if (plan.verify) {
    // Text search: pushed-down grams / code prefix, verified and ordered here; the total is exact.
    const { refs, truncated, load } = await readTextMatches<PublicDoc & Pick<CreditPublicationDoc, "search">>(
      { ...plan, verify: plan.verify },
      PUBLIC_FIELDS,
    );
    const items = (await load(refs.slice((page - 1) * size, page * size))).map((d) => toPublic(d, byId));
    return { items, total: refs.length, page, pageSize: size, truncated };
  }
  if (await walksMonthBuckets(plan.filter, walkFrom)) {
    const { docs, complete } = await readNewestFirst<PublicDoc>(plan.filter, PUBLIC_FIELDS, page * size);
    const items = docs.slice((page - 1) * size, page * size).map((d) => toPublic(d, byId));
    const total = complete ? docs.length : await countListing(plan.filter);
    return { items, total, page, pageSize: size, truncated: false };
  }
  const docs = await CreditPublication.find(plan.filter)
    .setOptions({ crossTenant: true })
    .sort(SORT)
    .skip((page - 1) * size)
    .limit(size)
    .select(PUBLIC_FIELDS)
    .lean<PublicDoc[]>();
  // A short page is the last one, so its total is known without counting: a code lookup (the
  // usual public query) then costs one query, not two.
  const shortPage = docs.length > 0 && docs.length < size;
  const total =
    shortPage || (page === 1 && docs.length === 0) ? (page - 1) * size + docs.length : await countListing(plan.filter);
  return { items: docs.map((d) => toPublic(d, byId)), total, page, pageSize: size, truncated: false };
}

/**
 * The number of listings a filter (no text) matches. The whole registry's comes from its storage
 * statistics once it is large (`collectionSize`: a count would decode every publication, 29 s at
 * 100,000 on FerretDB), an estimate that the next statistics run corrects; a small registry's (or
 * one whose statistics are not gathered yet) is counted exactly (`count`: metadata on MongoDB).
 */
async function countListing(filter: Record<string, unknown>): Promise<number> {
  if (Object.keys(filter).length === 0) {
    const size = await collectionSize(CreditPublication);
    return size >= REGISTRY_WALK_FROM ? size : CreditPublication.estimatedDocumentCount();
  }
  return CreditPublication.countDocuments(filter).setOptions({ crossTenant: true });
}

/**
 * `searchCreditRegistry`, cached per process under the publications' change stamp (decision 029):
 * a repeated search costs one `_id` read; any publication written since computes it again.
 */
export function cachedRegistrySearch(input: {
  query: Pick<RegistryQuery, "q" | "condition" | "year" | "listType" | "page" | "pageSize">;
  tenantId: Types.ObjectId | null;
  tenants: RegistryTenant[];
}): Promise<RegistryPage> {
  const { q, condition, year, listType, page, pageSize } = input.query;
  const key = JSON.stringify([input.tenantId ? String(input.tenantId) : "", q, condition, year, listType, page, pageSize]);
  return cachedPublicRead("credit-publications", `search:${key}`, () => searchCreditRegistry(input));
}

/** A published record by id (optionally within one tenant); anything else is null (→ 404). */
export async function getPublicCreditRecord({
  id,
  tenantId,
}: {
  id: string;
  tenantId: Types.ObjectId | null;
}): Promise<PublicCreditRecord | null> {
  if (!Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) return null;
  await connectDb();
  // `_id` first: the one filter FerretDB pushes down to SQLite.
  const doc = await CreditPublication.findOne({ _id: new Types.ObjectId(id) })
    .setOptions({ crossTenant: true })
    .select(PUBLIC_FIELDS)
    .lean<PublicDoc>();
  if (!doc) return null;
  if (tenantId && !doc.tenantId.equals(tenantId)) return null;
  const tenants = await listRegistryTenants();
  return toPublic(doc, new Map(tenants.map((t) => [t.id, t])));
}

// ---------------------------------------------------------------------------------------------
// CSV

export function conditionLabel(locale: Locale, key: string): string {
  return CREDIT_CONDITION_KEYS.includes(key)
    ? translate(locale, `credit.condition.${key}` as MessageKey)
    : key;
}

function csvHeader(locale: Locale): string[] {
  const t = (key: MessageKey) => translate(locale, key);
  return [
    t("creditPublic.field.subjectName"),
    t("creditPublic.field.creditCode"),
    t("creditPublic.field.subjectType"),
    t("creditPublic.field.responsiblePerson"),
    t("creditPublic.field.idNumber"),
    t("creditPublic.field.listType"),
    t("creditPublic.field.condition"),
    t("creditPublic.field.legalBasis"),
    t("creditPublic.field.penaltyDecisionNo"),
    t("creditPublic.field.authority"),
    t("creditPublic.field.listedAt"),
    t("creditPublic.field.endsAt"),
    t("creditPublic.field.publisher"),
  ];
}

function csvRow(r: PublicCreditRecord, locale: Locale): string {
  return [
    r.subjectName,
    r.creditCode,
    translate(locale, `credit.subjectType.${r.subjectType}`),
    r.responsiblePerson.name,
    r.responsiblePerson.idNumberMasked,
    translate(locale, `credit.listType.${r.listType}`),
    conditionLabel(locale, r.conditionKey),
    r.legalBasis,
    r.penaltyDecisionNo,
    r.authority,
    r.listedAt ? formatDate(r.listedAt, locale) : "",
    r.endsAt ? formatDate(r.endsAt, locale) : "",
    locale === "en" ? r.tenant.name.en || r.tenant.name.zh : r.tenant.name.zh,
  ]
    .map(csvCell)
    .join(",");
}

/**
 * The current result (same filters, all pages) as CSV, streamed from a cursor: UTF-8 with a BOM,
 * CRLF line ends, at most REGISTRY_CSV_MAX_ROWS rows (`truncated` tells whether more matched).
 */
export async function registryCsvStream({
  query,
  tenantId,
  locale,
  maxRows = REGISTRY_CSV_MAX_ROWS,
  walkFrom,
}: {
  query: Pick<RegistryQuery, "q" | "condition" | "year" | "listType">;
  tenantId: Types.ObjectId | null;
  locale: Locale;
  maxRows?: number;
  walkFrom?: number;
}): Promise<{ stream: ReadableStream<Uint8Array>; total: number; truncated: boolean }> {
  await connectDb();
  const plan = registryPlan(query, tenantId);
  const tenants = await listRegistryTenants();
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const source = await csvSource(plan, maxRows, walkFrom);
  const encoder = new TextEncoder();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await source.close().catch(() => {});
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvHeader(locale).map(csvCell).join(",")}\r\n`));
    },
    async pull(controller) {
      try {
        let chunk = "";
        for (let i = 0; i < 500; i++) {
          const doc = await source.next();
          if (!doc) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            await close();
            controller.close();
            return;
          }
          chunk += `${csvRow(toPublic(doc, byId), locale)}\r\n`;
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (error) {
        await close();
        controller.error(error);
      }
    },
    async cancel() {
      await close();
    },
  });
  return { stream, total: source.total, truncated: source.truncated };
}

type CsvSource = { next: () => Promise<PublicDoc | null>; close: () => Promise<void>; total: number; truncated: boolean };

function arraySource(rows: PublicDoc[], total: number, truncated: boolean): CsvSource {
  let i = 0;
  return { next: async () => rows[i++] ?? null, close: async () => {}, total, truncated };
}

/**
 * The rows of a CSV: the verified matches of a text search; at scale the first month buckets
 * newest first (decision 033: about `maxRows` documents decoded, not every match twice); else a
 * sorted cursor.
 */
async function csvSource(plan: RegistryPlan, maxRows: number, walkFrom?: number): Promise<CsvSource> {
  if (plan.verify) {
    const found = await readTextMatches<PublicDoc & Pick<CreditPublicationDoc, "search">>(
      { ...plan, verify: plan.verify },
      PUBLIC_FIELDS,
    );
    const rows = await found.load(found.refs.slice(0, maxRows));
    return arraySource(rows, found.refs.length, found.truncated || found.refs.length > maxRows);
  }
  if (await walksMonthBuckets(plan.filter, walkFrom)) {
    const { docs, complete } = await readNewestFirst<PublicDoc>(plan.filter, PUBLIC_FIELDS, maxRows + 1);
    const total = complete ? docs.length : await countListing(plan.filter);
    return arraySource(docs.slice(0, maxRows), total, total > maxRows);
  }
  const total = await countListing(plan.filter);
  const cursor = CreditPublication.find(plan.filter)
    .setOptions({ crossTenant: true })
    .sort(SORT)
    .limit(maxRows)
    .select(PUBLIC_FIELDS)
    .lean<PublicDoc[]>()
    .cursor({ batchSize: 1000 });
  return {
    next: async () => (await cursor.next()) as PublicDoc | null,
    close: () => cursor.close(),
    total,
    truncated: total > maxRows,
  };
}

// ---------------------------------------------------------------------------------------------
// Rate limit (pages, CSV and JSON together, per client IP)

export const REGISTRY_RATE_LIMIT = { limit: 120, windowMs: 60_000 } as const;

export async function hitRegistryRateLimit(ip: string, now = Date.now()): Promise<RateLimitState> {
  const key = `credit-registry:ip:${ip}`;
  try {
    return await hitRateLimit(key, REGISTRY_RATE_LIMIT.limit, REGISTRY_RATE_LIMIT.windowMs, now);
  } catch (error) {
    // Two first hits of a window may race on the upsert; the counter exists now.
    if (!isDuplicateKeyError(error)) throw error;
    return hitRateLimit(key, REGISTRY_RATE_LIMIT.limit, REGISTRY_RATE_LIMIT.windowMs, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Page loaders (shared by the cross-tenant and the per-tenant routes)

export type RegistryTenantScope = { _id: Types.ObjectId; slug: string; name: { zh: string; en: string } } | null;

export type RateLimitedView = { kind: "rateLimited"; minutes: number; retryAfterSeconds: number };

export async function checkRegistryRateLimit(ip: string): Promise<RateLimitedView | null> {
  const limit = await hitRegistryRateLimit(ip);
  if (!limit.limited) return null;
  return {
    kind: "rateLimited",
    minutes: Math.max(1, Math.ceil(limit.retryAfterSeconds / 60)),
    retryAfterSeconds: limit.retryAfterSeconds,
  };
}

/** Years offered by the year filter: this year back to 2017 (the older list type's start). */
export function registryYears(now = new Date()): number[] {
  const years: number[] = [];
  for (let y = now.getUTCFullYear(); y >= 2017; y--) years.push(y);
  return years;
}

/** Data for the registry page. Unknown parameter values are ignored, like the certificate registry. */
export async function registryPageData({
  search,
  tenant,
  locale,
}: {
  search: URLSearchParams;
  tenant: RegistryTenantScope;
  locale: Locale;
}) {
  const { value: query } = parseRegistryQuery(search);
  const tenants = await listRegistryTenants();
  let scopeId: Types.ObjectId | null = tenant?._id ?? null;
  if (!tenant && query.tenant) {
    const chosen = tenants.find((x) => x.slug === query.tenant);
    if (chosen) scopeId = new Types.ObjectId(chosen.id);
    else query.tenant = "";
  }
  if (tenant) query.tenant = "";
  const result = await cachedRegistrySearch({
    query: { ...query, pageSize: REGISTRY_PAGE_SIZE },
    tenantId: scopeId,
    tenants,
  });
  const tenantText = tenant ? (locale === "en" ? tenant.name.en : tenant.name.zh) : "";
  return {
    kind: "ok" as const,
    base: tenant ? `/t/${tenant.slug}/credit-registry` : "/credit-registry",
    title: tenant
      ? translate(locale, "creditPublic.registry.titleTenant", { tenant: tenantText })
      : translate(locale, "creditPublic.registry.title"),
    intro: tenant
      ? translate(locale, "creditPublic.registry.introTenant", { tenant: tenantText })
      : translate(locale, "creditPublic.registry.intro"),
    filters: {
      q: query.q,
      tenant: query.tenant,
      condition: query.condition,
      year: query.year ? String(query.year) : "",
      listType: query.listType,
    },
    tenants: tenant ? null : tenants.map((x) => ({ slug: x.slug, name: locale === "en" ? x.name.en : x.name.zh })),
    years: registryYears(),
    csvQuery: registryQueryString(query, !tenant),
    csvMax: REGISTRY_CSV_MAX_ROWS,
    items: result.items,
    total: result.total,
    page: result.page,
    pageSize: result.pageSize,
    truncated: result.truncated,
  };
}

/** The CSV response for the registry (same filters as the page, all pages, capped). */
export async function registryCsvResponse({
  search,
  tenant,
  locale,
}: {
  search: URLSearchParams;
  tenant: RegistryTenantScope;
  locale: Locale;
}): Promise<Response> {
  const { value: query } = parseRegistryQuery(search);
  let scopeId: Types.ObjectId | null = tenant?._id ?? null;
  if (!tenant && query.tenant) {
    const chosen = (await listRegistryTenants()).find((x) => x.slug === query.tenant);
    // An unknown tenant selects nothing rather than everything.
    scopeId = chosen ? new Types.ObjectId(chosen.id) : new Types.ObjectId("000000000000000000000000");
  }
  const { stream, total, truncated } = await registryCsvStream({ query, tenantId: scopeId, locale });
  const name = `${translate(locale, "creditPublic.registry.fileName")}${tenant ? `-${tenant.slug}` : ""}.csv`;
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(name, "attachment"),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Total-Count": String(total),
      "X-Export-Truncated": truncated ? "true" : "false",
    },
  });
}

/** The JSON API's search: parameters checked strictly (the first problem is reported). */
export async function apiSearchCreditRegistry(
  search: URLSearchParams,
): Promise<{ ok: true; page: RegistryPage } | { ok: false; error: RegistryParamError }> {
  const { value: query, errors } = parseRegistryQuery(search, { pageSize: true });
  const first = errors[0];
  if (first) return { ok: false, error: first };
  const tenants = await listRegistryTenants();
  let tenantId: Types.ObjectId | null = null;
  if (query.tenant) {
    const found = tenants.find((t) => t.slug === query.tenant);
    if (!found)
      return { ok: false, error: { field: "tenant", code: "UNKNOWN_TENANT", key: "creditPublic.error.unknownTenant" } };
    tenantId = new Types.ObjectId(found.id);
  }
  return { ok: true, page: await cachedRegistrySearch({ query, tenantId, tenants }) };
}
