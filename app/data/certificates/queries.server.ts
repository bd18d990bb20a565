/** Certificates — reading: single certificates, visibility, filtered lists, the public registry CSV, the detail view. Concurrency and numbering: ../certificates.server.ts. */
import { findByIds } from "../../../models/find-by-ids";
import { Types } from "mongoose";
import { Certificate, type CertificateDoc } from "../../../models/certificate";
import { User } from "../../../models/user";
import { translate, type Locale } from "~/i18n";
import {
  csvCell,
  effectiveStatus,
  type CertificateHistoryAction,
  type CertificateStatus,
} from "~/lib/certificate";
import { formatDate } from "~/lib/datetime";
import type { IndustryKey } from "~/lib/domain";
import { inDistrictScope, type DistrictScoped } from "~/lib/district-scope";
import type { Permission } from "~/lib/permissions";
import { groundText, type RevocationGroundKey } from "~/lib/revocation-grounds";
import { type TenantScope } from "../ids.server";
import { pageOf } from "~/lib/lists/rows";
import { certificateRows, filterCertificateRows } from "./list-rows.server";
import { type CertificateRecord, oid, verificationUrl } from "./settings.server";

// ---------------------------------------------------------------------------------------------
// Read

export async function getCertificate({
  tenantId,
  id,
}: TenantScope & { id: string | Types.ObjectId }): Promise<CertificateRecord | null> {
  const _id = oid(id);
  if (!_id) return null;
  return Certificate.findOne({ tenantId, _id }).lean<CertificateRecord>();
}

export async function getCertificateForApplication({
  tenantId,
  applicationId,
}: TenantScope & { applicationId: string | Types.ObjectId }): Promise<CertificateRecord | null> {
  const appId = oid(applicationId);
  if (!appId) return null;
  return Certificate.findOne({ tenantId, applicationId: appId }).lean<CertificateRecord>();
}

export type CertificateViewer = {
  enterpriseId: Types.ObjectId | null;
  permissions: readonly Permission[];
  /** District limit (Step 12); absent or empty = the whole tenant. */
  districtCodes?: readonly string[];
};

export function canSeeCertificate(
  viewer: CertificateViewer,
  cert: Pick<CertificateDoc, "enterpriseId"> & { enterprise?: { districtCode?: string } },
): boolean {
  if (viewer.permissions.includes("read:certificate:any") && inDistrictScope({ districtCodes: viewer.districtCodes ?? [] }, cert.enterprise?.districtCode ?? ""))
    return true;
  return (
    viewer.permissions.includes("read:certificate:own") &&
    viewer.enterpriseId !== null &&
    viewer.enterpriseId.equals(cert.enterpriseId)
  );
}

/** The certificate if the viewer may see it; otherwise null, so the route answers 404 and ids do not leak. */
export async function findVisibleCertificate({
  tenantId,
  id,
  viewer,
}: TenantScope & { id: string; viewer: CertificateViewer }): Promise<CertificateRecord | null> {
  const cert = await getCertificate({ tenantId, id });
  return cert && canSeeCertificate(viewer, cert) ? cert : null;
}

export type CertificateFilters = {
  q?: string;
  level?: string;
  status?: CertificateStatus;
  industry?: IndustryKey;
  district?: string;
  enterpriseId?: Types.ObjectId;
  /** Active certificates whose validity ends within this many days (dashboard links). */
  expiring?: "30" | "90";
  /** Issued in this year ("2026") or month ("2026-03"), China time (dashboard links). */
  issued?: string;
  /** The reader's district limit (Step 12): lists and exports never leave it. */
  scope?: DistrictScoped;
};

export type CertificateListItem = {
  id: string;
  number: string;
  enterpriseId: string;
  enterpriseName: string;
  creditCode: string;
  level: string;
  levelName: { zh: string; en: string };
  industry: IndustryKey;
  districtCode: string;
  districtName: string;
  issuedAt: string;
  validUntil: string;
  status: CertificateStatus;
  /** Revoked: when and on which grounds (published with the certificate). */
  revokedAt: string | null;
  revokedGrounds: RevocationGroundKey[];
};

export const LIST_FIELDS = {
  number: 1,
  enterpriseId: 1,
  enterprise: 1,
  level: 1,
  levelName: 1,
  issuedAt: 1,
  validUntil: 1,
  status: 1,
  revokedAt: 1,
  revokedGrounds: 1,
} as const;

export type ListDoc = Pick<
  CertificateDoc,
  | "_id"
  | "number"
  | "enterpriseId"
  | "enterprise"
  | "level"
  | "levelName"
  | "issuedAt"
  | "validUntil"
  | "status"
> &
  Partial<Pick<CertificateDoc, "revokedAt" | "revokedGrounds">>;

export function listItem(doc: ListDoc, now: Date): CertificateListItem {
  return {
    id: String(doc._id),
    number: doc.number,
    enterpriseId: String(doc.enterpriseId),
    enterpriseName: doc.enterprise.name,
    creditCode: doc.enterprise.creditCode,
    level: doc.level,
    levelName: doc.levelName,
    industry: doc.enterprise.industry,
    districtCode: doc.enterprise.districtCode,
    districtName: doc.enterprise.districtName,
    issuedAt: doc.issuedAt.toISOString(),
    validUntil: doc.validUntil.toISOString(),
    status: effectiveStatus(doc, now),
    revokedAt: doc.status === "revoked" && doc.revokedAt ? doc.revokedAt.toISOString() : null,
    revokedGrounds: doc.status === "revoked" ? (doc.revokedGrounds ?? []) : [],
  };
}

export const MAX_PAGE_SIZE = 100;

export async function listCertificates({
  tenantId,
  filters = {},
  page = 1,
  pageSize = 20,
  now = new Date(),
}: TenantScope & {
  filters?: CertificateFilters;
  page?: number;
  pageSize?: number;
  now?: Date;
}): Promise<{
  items: CertificateListItem[];
  total: number;
  page: number;
  pageSize: number;
}> {
  // From the tenant's cached rows (decision 031): FerretDB would decode every certificate of the
  // tenant to sort and again to count.
  const { rows } = await certificateRows(tenantId);
  return pageOf(filterCertificateRows(rows, filters, now), page, pageSize, (d) => listItem(d, now));
}

/** The list page and the level filter's options from one stamp check (the regulator's list page). */
export async function listCertificatesWithLevels({
  tenantId,
  filters = {},
  page = 1,
  pageSize = 20,
  now = new Date(),
}: TenantScope & { filters?: CertificateFilters; page?: number; pageSize?: number; now?: Date }) {
  const { rows, levels } = await certificateRows(tenantId);
  return { ...pageOf(filterCertificateRows(rows, filters, now), page, pageSize, (d) => listItem(d, now)), levels };
}

/** The levels that occur on this tenant's certificates, for the level filter. */
export async function listCertificateLevels({
  tenantId,
}: TenantScope): Promise<Array<{ key: string; name: { zh: string; en: string } }>> {
  return (await certificateRows(tenantId)).levels;
}

export const CSV_MAX_ROWS = 10_000;

/** The public registry as CSV (UTF-8 with BOM so Excel opens Chinese text correctly). */
export async function registryCsv({
  tenantId,
  filters,
  locale,
  now = new Date(),
}: TenantScope & { filters: CertificateFilters; locale: Locale; now?: Date }): Promise<string> {
  const docs = filterCertificateRows((await certificateRows(tenantId)).rows, filters, now).slice(0, CSV_MAX_ROWS);
  const t = (key: Parameters<typeof translate>[1]) => translate(locale, key);
  const header = [
    t("certificate.number"),
    t("enterprise.name"),
    t("enterprise.creditCode"),
    t("certificate.level"),
    t("enterprise.industry"),
    t("enterprise.district"),
    t("certificate.issuedAt"),
    t("certificate.validUntil"),
    t("common.status"),
    t("revocation.public.revokedOn"),
    t("revocation.public.grounds"),
  ];
  const lines = [header.map(csvCell).join(",")];
  for (const doc of docs) {
    const item = listItem(doc, now);
    lines.push(
      [
        item.number,
        item.enterpriseName,
        item.creditCode,
        locale === "en" ? item.levelName.en || item.levelName.zh : item.levelName.zh,
        translate(locale, `industry.${item.industry}`),
        item.districtName,
        formatDate(item.issuedAt, locale),
        formatDate(item.validUntil, locale),
        translate(locale, `certificate.status.${item.status}`),
        item.revokedAt ? formatDate(item.revokedAt, locale) : "",
        item.revokedGrounds.map((g) => groundText(g, locale)).join("；"),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// Views for pages

export type CertificateDetail = CertificateListItem & {
  version: number;
  applicationId: string;
  issuer: { zh: string; en: string };
  suspendedAt: string | null;
  suspendedReason: string;
  revokedAt: string | null;
  revokedReason: string;
  revokedGrounds: RevocationGroundKey[];
  blockedUntil: string | null;
  renewalApplicationId: string | null;
  verifyUrl: string;
  /** Same page on this host (the link on our pages; `verifyUrl` is what the QR code and emails carry). */
  verifyPath: string;
  history: Array<{
    at: string;
    actorId: string | null;
    actorName: string;
    action: CertificateHistoryAction;
    reason: string;
    details: Record<string, unknown>;
  }>;
};

export async function certificateDetail(
  cert: CertificateRecord,
  now = new Date(),
): Promise<CertificateDetail> {
  const actorIds = [
    ...new Set(cert.history.flatMap((h) => (h.actorId ? [String(h.actorId)] : []))),
  ];
  const users = actorIds.length
    ? await findByIds<{ _id: Types.ObjectId; name: string }>(User, actorIds.map((id) => new Types.ObjectId(id)), { select: { name: 1 } })
    : [];
  const names = new Map(users.map((u) => [String(u._id), u.name]));
  return {
    ...listItem(cert, now),
    version: cert.version,
    applicationId: String(cert.applicationId),
    issuer: cert.issuer,
    suspendedAt: cert.suspendedAt ? cert.suspendedAt.toISOString() : null,
    suspendedReason: cert.suspendedReason,
    revokedAt: cert.revokedAt ? cert.revokedAt.toISOString() : null,
    revokedReason: cert.revokedReason,
    revokedGrounds: cert.revokedGrounds ?? [],
    blockedUntil: cert.blockedUntil ? cert.blockedUntil.toISOString() : null,
    renewalApplicationId: cert.renewalApplicationId ? String(cert.renewalApplicationId) : null,
    verifyUrl: verificationUrl(cert.verifyCode),
    verifyPath: `/verify/${cert.verifyCode}`,
    history: [...cert.history]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .map((h) => ({
        at: h.at.toISOString(),
        actorId: h.actorId ? String(h.actorId) : null,
        actorName: h.actorId ? (names.get(String(h.actorId)) ?? "") : "",
        action: h.action,
        reason: h.reason,
        details: h.details ?? {},
      })),
  };
}
