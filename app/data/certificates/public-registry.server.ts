/**
 * The public certificate registry's data (GET /t/<slug>/registry, decision 029): the page of
 * certificates and the level filter's options, cached per process under the certificates' change
 * stamp (../public-cache.server.ts), so a repeated public request costs one `_id` read instead of
 * a sorted read, a count and a distinct over the tenant's certificates.
 *
 * On a miss, the unfiltered registry (the usual public request) reads the tenant's certificates
 * once (slim projection, no sort: FerretDB sorts and counts by decoding every match anyway) and
 * sorts, counts, pages and collects the levels here — one query instead of four. Filtered requests
 * and tenants with more than UNFILTERED_READ_MAX certificates take the list's own queries.
 */
import type { Types } from "mongoose";
import { Certificate } from "../../../models/certificate";
import { cachedPublicRead } from "../public-cache.server";
import {
  LIST_FIELDS,
  MAX_PAGE_SIZE,
  listCertificateLevels,
  listCertificates,
  listItem,
  type CertificateFilters,
  type CertificateListItem,
  type ListDoc,
} from "./queries.server";

export type PublicRegistryFilters = Pick<CertificateFilters, "q" | "level" | "status" | "industry" | "district">;
type Level = { key: string; name: { zh: string; en: string } };
export type PublicRegistryData = {
  result: { items: CertificateListItem[]; total: number; page: number; pageSize: number };
  levels: Level[];
};

/** Most certificates the unfiltered registry reads in one go (a city issues ≈ 2,000). */
export const UNFILTERED_READ_MAX = 10_000;

function newestFirst(a: ListDoc, b: ListDoc): number {
  const d = b.issuedAt.getTime() - a.issuedAt.getTime();
  return d !== 0 ? d : String(b._id).localeCompare(String(a._id));
}

/** The unfiltered registry from one read of the tenant's certificates; null when there are too many. */
async function unfilteredRegistry(
  tenantId: Types.ObjectId,
  page: number,
  pageSize: number,
  now: Date,
): Promise<PublicRegistryData | null> {
  const docs = await Certificate.find({ tenantId })
    .select(LIST_FIELDS)
    .limit(UNFILTERED_READ_MAX + 1)
    .lean<ListDoc[]>();
  if (docs.length > UNFILTERED_READ_MAX) return null;
  docs.sort(newestFirst);
  const levels = new Map<string, Level>();
  for (const d of docs) if (!levels.has(d.level)) levels.set(d.level, { key: d.level, name: d.levelName });
  const items = docs.slice((page - 1) * pageSize, page * pageSize).map((d) => listItem(d, now));
  return {
    result: { items, total: docs.length, page, pageSize },
    levels: [...levels.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}

export async function publicCertificateRegistry({
  tenantId,
  filters,
  page,
  pageSize,
  now = new Date(),
}: {
  tenantId: Types.ObjectId;
  filters: PublicRegistryFilters;
  page: number;
  pageSize: number;
  now?: Date;
}): Promise<PublicRegistryData> {
  const size = Math.min(Math.max(1, Math.floor(pageSize)), MAX_PAGE_SIZE);
  const current = Math.max(1, Math.floor(page));
  const parts = [filters.q ?? "", filters.level ?? "", filters.status ?? "", filters.industry ?? "", filters.district ?? ""];
  const key = JSON.stringify([String(tenantId), ...parts, current, size]);
  return cachedPublicRead("certificates", `registry:${key}`, async () => {
    if (parts.every((p) => p === "")) {
      const whole = await unfilteredRegistry(tenantId, current, size, now);
      if (whole) return whole;
    }
    const [result, levels] = await Promise.all([
      listCertificates({ tenantId, filters, page: current, pageSize: size, now }),
      listCertificateLevels({ tenantId }),
    ]);
    return { result, levels };
  });
}
