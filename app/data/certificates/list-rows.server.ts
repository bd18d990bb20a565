/**
 * The tenant's certificates as slim rows, newest first, with the level filter's options, cached per
 * process under the tenant's certificate stamp (decision 031). The list page, the enterprise
 * pages' certificate panels, the registry CSV and the filtered public registry read these: one
 * stamp read instead of a sorted read, a count, a `distinct("level")` and a read per level.
 * `filterCertificateRows` keeps the query's semantics (the status a reader sees at `now`).
 */
import type { Types } from "mongoose";
import { Certificate } from "../../../models/certificate";
import type { CertificateStatus } from "~/lib/certificate";
import { districtsToShow } from "~/lib/district-scope";
import { compareText, nameOrCodeMatcher } from "~/lib/lists/rows";
import { logger } from "~/logger.server";
import { cachedTenantRows } from "../tenant-list-cache.server";
import { LIST_FIELDS, type CertificateFilters, type ListDoc } from "./queries.server";

export type CertificateLevelOption = { key: string; name: { zh: string; en: string } };
export type CertificateRows = { rows: ListDoc[]; levels: CertificateLevelOption[] };

/** Far beyond one city's certificates (≈ 2,000): a bound on the one read. */
export const CERTIFICATE_ROWS_MAX = 100_000;
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000; // China time, no daylight saving

function newestFirst(a: ListDoc, b: ListDoc): number {
  return b.issuedAt.getTime() - a.issuedAt.getTime() || compareText(String(b._id), String(a._id));
}

async function loadCertificateRows(tenantId: Types.ObjectId): Promise<CertificateRows> {
  const rows = await Certificate.find({ tenantId }).select(LIST_FIELDS).limit(CERTIFICATE_ROWS_MAX).lean<ListDoc[]>();
  if (rows.length >= CERTIFICATE_ROWS_MAX) logger.warn({ tenantId: String(tenantId) }, "certificate rows cut at CERTIFICATE_ROWS_MAX");
  rows.sort(newestFirst);
  const names = new Map<string, CertificateLevelOption["name"]>();
  for (const r of rows) if (!names.has(r.level)) names.set(r.level, r.levelName);
  const levels = [...names.entries()].map(([key, name]) => ({ key, name })).sort((a, b) => compareText(a.key, b.key));
  return { rows, levels };
}

/** The tenant's certificate rows (newest first) and level options (shared: do not mutate). */
export async function certificateRows(tenantId: Types.ObjectId): Promise<CertificateRows> {
  return cachedTenantRows("certificates", String(tenantId), () => loadCertificateRows(tenantId));
}

/** The status filter on the status a reader sees: an active certificate past its end counts as expired. */
function hasStatus(r: ListDoc, status: CertificateStatus, now: number): boolean {
  const current = r.validUntil.getTime() >= now;
  switch (status) {
    case "active":
    case "suspended":
      return r.status === status && current;
    case "revoked":
      return r.status === "revoked";
    case "expired":
      return r.status === "expired" || ((r.status === "active" || r.status === "suspended") && !current);
  }
}

/** `[from, to)` of an issue year ("2026") or month ("2026-03") in China time; null when malformed. */
function issuedWindow(issued: string | undefined): [number, number] | null {
  const m = /^(\d{4})(?:-(\d{2}))?$/.exec(issued ?? "");
  if (!m) return null;
  const y = Number(m[1]);
  const month = m[2] ? Number(m[2]) - 1 : null;
  const from = Date.UTC(y, month ?? 0, 1) - CHINA_OFFSET_MS;
  const to = (month === null ? Date.UTC(y + 1, 0, 1) : Date.UTC(y, month + 1, 1)) - CHINA_OFFSET_MS;
  return [from, to];
}

/** The rows (in their order) that pass the list's filters at `now`. */
export function filterCertificateRows(rows: readonly ListDoc[], f: CertificateFilters, now: Date): ListDoc[] {
  const t = now.getTime();
  const districts = districtsToShow(f.scope ?? { districtCodes: [] }, f.district ?? "");
  if (districts?.length === 0) return [];
  const inDistricts = districts ? new Set(districts) : null;
  const expiringUntil = f.expiring ? t + Number(f.expiring) * DAY_MS : null;
  const window = issuedWindow(f.issued);
  const text = nameOrCodeMatcher(f.q);
  const numberPrefix = f.q?.trim().toLowerCase() ?? "";
  return rows.filter(
    (r) =>
      (!f.enterpriseId || f.enterpriseId.equals(r.enterpriseId)) &&
      (!f.level || r.level === f.level) &&
      (!f.industry || r.enterprise.industry === f.industry) &&
      (!inDistricts || inDistricts.has(r.enterprise.districtCode)) &&
      (!f.status || hasStatus(r, f.status, t)) &&
      (expiringUntil === null || (r.status === "active" && r.validUntil.getTime() >= t && r.validUntil.getTime() <= expiringUntil)) &&
      (!window || (r.issuedAt.getTime() >= window[0] && r.issuedAt.getTime() < window[1])) &&
      (!text || text(r.enterprise.name, r.enterprise.creditCode) || r.number.toLowerCase().startsWith(numberPrefix)),
  );
}
