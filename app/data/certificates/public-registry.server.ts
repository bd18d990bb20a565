/**
 * The public certificate registry's data (GET /t/<slug>/registry, decision 029): the page of
 * certificates and the level filter's options, cached per process under the certificates' change
 * stamp (../public-cache.server.ts), so a repeated public request costs one `_id` read instead of
 * a sorted read, a count and a distinct over the tenant's certificates.
 */
import type { Types } from "mongoose";
import { cachedPublicRead } from "../public-cache.server";
import { listCertificateLevels, listCertificates, type CertificateFilters } from "./queries.server";

export type PublicRegistryFilters = Pick<CertificateFilters, "q" | "level" | "status" | "industry" | "district">;

export async function publicCertificateRegistry({
  tenantId,
  filters,
  page,
  pageSize,
}: {
  tenantId: Types.ObjectId;
  filters: PublicRegistryFilters;
  page: number;
  pageSize: number;
}) {
  const key = JSON.stringify([String(tenantId), filters.q ?? "", filters.level ?? "", filters.status ?? "", filters.industry ?? "", filters.district ?? "", page, pageSize]);
  return cachedPublicRead("certificates", `registry:${key}`, async () => {
    const [result, levels] = await Promise.all([
      listCertificates({ tenantId, filters, page, pageSize }),
      listCertificateLevels({ tenantId }),
    ]);
    return { result, levels };
  });
}
