/**
 * Certificates (DOMAIN.md §6): issued once per certified application, numbered without gaps or
 * duplicates per tenant and year, verified publicly by an unguessable code, suspended, reinstated
 * or revoked by the regulator (reason required), expired and reminded by a scheduled job.
 *
 * Concurrency (docs/decisions/001 and 006):
 * - Issue: the certificate insert itself is the claim. It carries the unique key
 *   `certno:<tenantId>:<year>:<seq>` (`seqKey`) and the application id, both under unique indexes;
 *   a duplicate seq moves to the next number, a duplicate application returns the first
 *   certificate. Nothing is reserved before the insert, so a crash cannot leave a gap.
 * - Status changes go through `casUpdate` (compare-and-set on `version`, arbitrated by a claim).
 */
import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../models/assessment";
import {
  Certificate,
  type CertificateDoc,
  type CertificateHistoryEntry,
} from "../../models/certificate";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { Tenant, type TenantDoc } from "../../models/tenant";
import { User } from "../../models/user";
import { connectDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { translate, type Locale } from "~/i18n";
import {
  DEFAULT_NUMBER_PATTERN,
  DEFAULT_REMINDER_DAYS,
  DEFAULT_RENEWAL_MONTHS,
  DEFAULT_REVOCATION_BLOCK_MONTHS,
  DEFAULT_VALID_YEARS,
  VERIFY_CODE_PATTERN,
  addDays,
  addMonths,
  csvCell,
  effectiveStatus,
  formatCertificateNumber,
  patternProblems,
  sequenceYear,
  shanghaiDay,
  validUntilFor,
  verificationState,
  type CertificateHistoryAction,
  type CertificateStatus,
  type VerificationState,
} from "~/lib/certificate";
import { CREDIT_CODE_ALPHABET, normalizeCreditCode } from "~/lib/credit-code";
import { formatDate } from "~/lib/datetime";
import type { IndustryKey } from "~/lib/domain";
import type { Permission } from "~/lib/permissions";
import { logger } from "~/logger.server";
import { startAssessment, type AssessmentActor, type StartError } from "./assessments.server";
import { recordAudit } from "./audit.server";
import { casUpdate } from "./cas.server";
import { toObjectId, type TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import type { EmailTemplateName } from "../../emails/names";
import { enqueueEmail } from "./outbox.server";
import { hitRateLimit, type RateLimitState } from "./rate-limit.server";
import { getRubricVersion } from "./rubrics.server";

export type CertificateRecord = CertificateDoc;
export type CertificateActor = { id: Types.ObjectId; email: string };

/** Application states (the `state` column written by Step 4) that carry a certificate. */
export const CERTIFIED_STATES = ["certified", "certifiedLowerLevel"] as const;

const MAX_NUMBER_ATTEMPTS = 200;

function newVerifyCode(): string {
  return randomBytes(16).toString("base64url");
}

function oid(id: string | Types.ObjectId): Types.ObjectId | null {
  return typeof id === "string" ? toObjectId(id) : id;
}

// ---------------------------------------------------------------------------------------------
// Tenant settings with their defaults

type CertificateSettings = {
  pattern: string;
  validYears: number;
  reminderDays: number[];
  revocationBlockMonths: number;
  renewalMonths: number;
};

export function certificateSettings(
  settings: Partial<TenantDoc["settings"]> | undefined,
): CertificateSettings {
  const pattern = settings?.certificateNumberPattern ?? "";
  const reminders = (settings?.certificateReminderDays ?? [...DEFAULT_REMINDER_DAYS]).filter(
    (d) => Number.isInteger(d) && d > 0 && d <= 3650,
  );
  return {
    // A broken pattern must not stop a certification; the default keeps numbers unique and readable.
    pattern: pattern && patternProblems(pattern).length === 0 ? pattern : DEFAULT_NUMBER_PATTERN,
    validYears:
      settings?.certificateValidYears && settings.certificateValidYears >= 1
        ? settings.certificateValidYears
        : DEFAULT_VALID_YEARS,
    reminderDays: [...new Set(reminders)].sort((a, b) => b - a),
    revocationBlockMonths: settings?.revocationBlockMonths ?? DEFAULT_REVOCATION_BLOCK_MONTHS,
    renewalMonths: settings?.certificateRenewalMonths ?? DEFAULT_RENEWAL_MONTHS,
  };
}

type TenantForCertificates = Pick<
  TenantDoc,
  "_id" | "slug" | "name" | "authority" | "regionCode" | "districts" | "settings"
>;

async function loadTenant(tenantId: Types.ObjectId): Promise<TenantForCertificates | null> {
  return Tenant.findOne({ _id: tenantId })
    .select({ slug: 1, name: 1, authority: 1, regionCode: 1, districts: 1, settings: 1 })
    .lean<TenantForCertificates>();
}

/** The tenant's seal image (PNG) for certificates, or null. Kept out of ordinary tenant reads. */
export async function loadCertificateSeal({ tenantId }: TenantScope): Promise<Buffer | null> {
  const doc = await Tenant.findOne({ _id: tenantId })
    .select("+settings.certificateSealPng")
    .lean<{ settings?: { certificateSealPng?: unknown } }>();
  const seal: unknown = doc?.settings?.certificateSealPng;
  if (Buffer.isBuffer(seal) && seal.length > 0) return seal;
  // The driver may hand back a BSON Binary.
  if (
    seal &&
    typeof seal === "object" &&
    "buffer" in seal &&
    seal.buffer instanceof Uint8Array &&
    seal.buffer.length > 0
  ) {
    return Buffer.from(seal.buffer);
  }
  return null;
}

export function verificationUrl(code: string): string {
  return `${getEnv().APP_URL.replace(/\/+$/, "")}/verify/${code}`;
}

// ---------------------------------------------------------------------------------------------
// Issue

/** The Step 4 marker (models/assessment.ts `PendingCertificate`), read defensively. */
function pendingOf(
  app: Pick<AssessmentDoc, "pendingCertificate" | "workflow">,
): { level: string; issuedAt: Date | null; certifiedBy: Types.ObjectId | null } | null {
  const marker = app.pendingCertificate;
  if (marker && typeof marker.level === "string" && marker.level) {
    const issuedAt = marker.issuedAt ? new Date(marker.issuedAt) : null;
    return {
      level: marker.level,
      issuedAt: issuedAt && !Number.isNaN(issuedAt.getTime()) ? issuedAt : null,
      certifiedBy: marker.certifiedBy ?? null,
    };
  }
  // A certified application without the marker (older data): the level is in the workflow snapshot.
  const context: unknown =
    app.workflow && typeof app.workflow === "object" ? app.workflow.context : null;
  if (
    context &&
    typeof context === "object" &&
    "reportedLevel" in context &&
    typeof context.reportedLevel === "string"
  ) {
    return { level: context.reportedLevel, issuedAt: null, certifiedBy: null };
  }
  return null;
}

function isCertifiedState(state: string): boolean {
  return CERTIFIED_STATES.some((s) => s === state);
}

export type IssueError =
  "applicationNotFound" | "notCertified" | "enterpriseNotFound" | "tenantNotFound";
export type IssueResult =
  { ok: true; certificate: CertificateRecord; created: boolean } | { ok: false; error: IssueError };

/**
 * Issues the certificate of a certified application; idempotent (a second or concurrent call
 * returns the same certificate). Step 4 calls it right after CERTIFY; the
 * "issue-pending-certificates" job calls it for any certified application still without one.
 */
export async function issueCertificateForApplication({
  tenantId,
  applicationId,
  now = new Date(),
}: TenantScope & { applicationId: string | Types.ObjectId; now?: Date }): Promise<IssueResult> {
  const appId = oid(applicationId);
  if (!appId) return { ok: false, error: "applicationNotFound" };
  const existing = await Certificate.findOne({
    tenantId,
    applicationId: appId,
  }).lean<CertificateRecord>();
  if (existing) return { ok: true, certificate: existing, created: false };
  const app = await Assessment.findOne({ tenantId, _id: appId }).lean<AssessmentDoc>();
  if (!app) return { ok: false, error: "applicationNotFound" };
  const pending = pendingOf(app);
  if (!isCertifiedState(app.state) || !pending) return { ok: false, error: "notCertified" };

  const [tenant, enterprise, rubric] = await Promise.all([
    loadTenant(tenantId),
    Enterprise.findOne({ tenantId, _id: app.enterpriseId }).lean(),
    getRubricVersion({ tenantId, id: app.rubricVersionId }),
  ]);
  if (!tenant) return { ok: false, error: "tenantNotFound" };
  if (!enterprise) return { ok: false, error: "enterpriseNotFound" };

  const settings = certificateSettings(tenant.settings);
  const issuedAt = pending.issuedAt ?? now;
  const year = shanghaiDay(issuedAt).year;
  const scope = sequenceYear(settings.pattern, year);
  const level = rubric?.rubric.levels.find((l) => l.key === pending.level);
  const districtName = tenant.districts.find((d) => d.code === enterprise.districtCode)?.name ?? "";
  const base = {
    tenantId,
    applicationId: appId,
    enterpriseId: enterprise._id,
    year: scope,
    level: pending.level,
    levelName: {
      zh: level?.name.zh ?? pending.level,
      en: level?.name.en ?? level?.name.zh ?? pending.level,
    },
    enterprise: {
      name: enterprise.name,
      creditCode: enterprise.creditCode,
      industry: enterprise.industry,
      districtCode: enterprise.districtCode,
      districtName,
    },
    issuer: { zh: tenant.authority.zh, en: tenant.authority.en },
    tenantName: { zh: tenant.name.zh, en: tenant.name.en },
    issuedAt,
    validUntil: validUntilFor(issuedAt, settings.validYears),
    status: "active" as const,
    history: [{ at: now, actorId: pending.certifiedBy, action: "issued" as const, reason: "" }],
    version: 0,
  };

  const last = await Certificate.findOne({ tenantId, year: scope })
    .sort({ seq: -1 })
    .select({ seq: 1 })
    .lean<{ seq: number }>();
  let seq = (last?.seq ?? 0) + 1;
  for (let attempt = 0; attempt < MAX_NUMBER_ATTEMPTS; attempt++) {
    const seqKey = `certno:${String(tenantId)}:${scope}:${seq}`;
    const number = formatCertificateNumber(settings.pattern, {
      year,
      seq,
      region: tenant.regionCode,
    });
    let created: CertificateRecord;
    try {
      const doc = await Certificate.create({
        ...base,
        seq,
        seqKey,
        number,
        verifyCode: newVerifyCode(),
      });
      created = doc.toObject<CertificateRecord>();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Which unique key refused us? The application (someone issued it first), the sequence
      // position (someone took this number: try the next), or — practically never — the code.
      const mine = await Certificate.findOne({
        tenantId,
        applicationId: appId,
      }).lean<CertificateRecord>();
      if (mine) return { ok: true, certificate: mine, created: false };
      const taken =
        (await Certificate.exists({ seqKey }).setOptions({ crossTenant: true })) !== null ||
        (await Certificate.exists({ tenantId, number })) !== null;
      if (taken) seq += 1;
      continue;
    }
    await recordAudit({
      tenantId,
      action: "certificate.issued",
      actor: null,
      target: { type: "certificate", id: String(created._id), label: created.number },
      details: {
        applicationId: String(appId),
        level: created.level,
        enterpriseId: String(created.enterpriseId),
      },
      at: now,
    });
    return { ok: true, certificate: created, created: true };
  }
  throw new Error(
    `no free certificate number after ${MAX_NUMBER_ATTEMPTS} attempts (tenant ${String(tenantId)}, year ${scope})`,
  );
}

/** How far back the crash-safety job looks: a certification it missed for longer is not a crash. */
export const PENDING_LOOKBACK_DAYS = 90;

/**
 * Crash safety for Step 4's "CERTIFY, then issue": issues for recently certified applications that
 * have no certificate. The application document is only read (its `pendingCertificate` marker
 * stays as Step 4 wrote it), so issuing never races a workflow write.
 */
export async function issuePendingCertificates({
  now = new Date(),
  limit = 500,
}: { now?: Date; limit?: number } = {}): Promise<{ issued: number; failed: number }> {
  await connectDb();
  const since = addDays(now, -PENDING_LOOKBACK_DAYS);
  const apps = await Assessment.find({
    state: { $in: [...CERTIFIED_STATES] },
    "pendingCertificate.issuedAt": { $gte: since },
  })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1 })
    .limit(limit)
    .lean<Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId }>>();
  if (apps.length === 0) return { issued: 0, failed: 0 };
  const tenantIds = [...new Map(apps.map((a) => [String(a.tenantId), a.tenantId])).values()];
  const have = await Certificate.find({ tenantId: { $in: tenantIds }, applicationId: { $in: apps.map((a) => a._id) } })
    .setOptions({ crossTenant: true })
    .select({ applicationId: 1 })
    .lean<Array<{ applicationId: Types.ObjectId }>>();
  const done = new Set(have.map((c) => String(c.applicationId)));
  let issued = 0;
  let failed = 0;
  for (const app of apps) {
    if (done.has(String(app._id))) continue;
    try {
      const result = await issueCertificateForApplication({
        tenantId: app.tenantId,
        applicationId: app._id,
        now,
      });
      if (result.ok && result.created) issued += 1;
      if (!result.ok) {
        failed += 1;
        logger.warn(
          { applicationId: String(app._id), error: result.error },
          "pending certificate not issued",
        );
      }
    } catch (error) {
      failed += 1;
      logger.error(
        { err: error, applicationId: String(app._id) },
        "issuing a pending certificate failed",
      );
    }
  }
  return { issued, failed };
}

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
};

export function canSeeCertificate(
  viewer: CertificateViewer,
  cert: Pick<CertificateDoc, "enterpriseId">,
): boolean {
  if (viewer.permissions.includes("read:certificate:any")) return true;
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
};

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Status filters use the status a reader sees: an active certificate past its end date counts as expired. */
function statusClause(status: CertificateStatus, now: Date): Record<string, unknown> {
  switch (status) {
    case "active":
      return { status: "active", validUntil: { $gte: now } };
    case "suspended":
      return { status: "suspended", validUntil: { $gte: now } };
    case "revoked":
      return { status: "revoked" };
    case "expired":
      return {
        $or: [
          { status: "expired" },
          { status: { $in: ["active", "suspended"] }, validUntil: { $lt: now } },
        ],
      };
  }
}

function filterOf(
  tenantId: Types.ObjectId,
  f: CertificateFilters,
  now: Date,
): Record<string, unknown> & TenantScope {
  const filter: Record<string, unknown> & TenantScope = { tenantId };
  const and: Array<Record<string, unknown>> = [];
  if (f.enterpriseId) filter.enterpriseId = f.enterpriseId;
  if (f.level) filter.level = f.level;
  if (f.industry) filter["enterprise.industry"] = f.industry;
  if (f.district) filter["enterprise.districtCode"] = f.district;
  if (f.status) and.push(statusClause(f.status, now));
  if (f.expiring) {
    const days = Number(f.expiring);
    and.push({ status: "active", validUntil: { $gte: now, $lte: new Date(now.getTime() + days * 86_400_000) } });
  }
  const issued = /^(\d{4})(?:-(\d{2}))?$/.exec(f.issued ?? "");
  if (issued) {
    const y = Number(issued[1]);
    const m = issued[2] ? Number(issued[2]) - 1 : null;
    const offset = 8 * 3_600_000; // China time, no daylight saving
    const from = Date.UTC(y, m ?? 0, 1) - offset;
    const to = (m === null ? Date.UTC(y + 1, 0, 1) : Date.UTC(y, m + 1, 1)) - offset;
    and.push({ issuedAt: { $gte: new Date(from), $lt: new Date(to) } });
  }
  const text = f.q?.trim() ?? "";
  if (text) {
    const or: Array<Record<string, unknown>> = [
      { "enterprise.name": { $regex: escapeRegex(text), $options: "i" } },
      { number: { $regex: `^${escapeRegex(text)}`, $options: "i" } },
    ];
    const code = normalizeCreditCode(text);
    if (code && [...code].every((ch) => CREDIT_CODE_ALPHABET.includes(ch))) {
      or.push({ "enterprise.creditCode": { $regex: `^${code}` } });
    }
    and.push({ $or: or });
  }
  if (and.length === 1 && and[0]) Object.assign(filter, and[0]);
  else if (and.length > 1) filter.$and = and;
  return filter;
}

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
};

const LIST_FIELDS = {
  number: 1,
  enterpriseId: 1,
  enterprise: 1,
  level: 1,
  levelName: 1,
  issuedAt: 1,
  validUntil: 1,
  status: 1,
} as const;

type ListDoc = Pick<
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
>;

function listItem(doc: ListDoc, now: Date): CertificateListItem {
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
  const size = Math.min(Math.max(1, Math.floor(pageSize)), MAX_PAGE_SIZE);
  const current = Math.max(1, Math.floor(page));
  const filter = filterOf(tenantId, filters, now);
  const [docs, total] = await Promise.all([
    Certificate.find(filter)
      .sort({ issuedAt: -1, _id: -1 })
      .skip((current - 1) * size)
      .limit(size)
      .select(LIST_FIELDS)
      .lean<ListDoc[]>(),
    Certificate.countDocuments(filter),
  ]);
  return { items: docs.map((d) => listItem(d, now)), total, page: current, pageSize: size };
}

/** The levels that occur on this tenant's certificates, for the level filter. */
export async function listCertificateLevels({
  tenantId,
}: TenantScope): Promise<Array<{ key: string; name: { zh: string; en: string } }>> {
  const keys = (await Certificate.distinct("level", { tenantId }))
    .filter((k): k is string => typeof k === "string")
    .sort();
  const named = await Promise.all(
    keys.map(async (key) => {
      const one = await Certificate.findOne({ tenantId, level: key })
        .select({ levelName: 1 })
        .lean<{ levelName: { zh: string; en: string } }>();
      return { key, name: one?.levelName ?? { zh: key, en: key } };
    }),
  );
  return named;
}

export const CSV_MAX_ROWS = 10_000;

/** The public registry as CSV (UTF-8 with BOM so Excel opens Chinese text correctly). */
export async function registryCsv({
  tenantId,
  filters,
  locale,
  now = new Date(),
}: TenantScope & { filters: CertificateFilters; locale: Locale; now?: Date }): Promise<string> {
  const docs = await Certificate.find(filterOf(tenantId, filters, now))
    .sort({ issuedAt: -1, _id: -1 })
    .limit(CSV_MAX_ROWS)
    .select(LIST_FIELDS)
    .lean<ListDoc[]>();
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
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// Public verification

export type PublicCertificate = {
  state: VerificationState;
  status: CertificateStatus;
  code: string;
  number: string;
  level: string;
  levelName: { zh: string; en: string };
  enterprise: { name: string; creditCode: string };
  industry: IndustryKey;
  issuer: { zh: string; en: string };
  issuedAt: string;
  validUntil: string;
  suspendedAt: string | null;
  revokedAt: string | null;
  /** The regulator's reason, shown publicly while suspended or revoked. */
  reason: string | null;
};

/** Cross-tenant by design: the code alone identifies a certificate. Unknown or malformed → null. */
export async function verifyCertificate({
  code,
  now = new Date(),
}: {
  code: string;
  now?: Date;
}): Promise<PublicCertificate | null> {
  if (!VERIFY_CODE_PATTERN.test(code)) return null;
  await connectDb();
  const doc = await Certificate.findOne({ verifyCode: code })
    .setOptions({ crossTenant: true })
    .lean<CertificateRecord>();
  if (!doc) return null;
  const status = effectiveStatus(doc, now);
  return {
    state: verificationState(status),
    status,
    code,
    number: doc.number,
    level: doc.level,
    levelName: doc.levelName,
    enterprise: { name: doc.enterprise.name, creditCode: doc.enterprise.creditCode },
    industry: doc.enterprise.industry,
    issuer: doc.issuer,
    issuedAt: doc.issuedAt.toISOString(),
    validUntil: doc.validUntil.toISOString(),
    suspendedAt: status === "suspended" && doc.suspendedAt ? doc.suspendedAt.toISOString() : null,
    revokedAt: status === "revoked" && doc.revokedAt ? doc.revokedAt.toISOString() : null,
    reason:
      status === "revoked"
        ? doc.revokedReason
        : status === "suspended"
          ? doc.suspendedReason
          : null,
  };
}

/** The certificate behind a public code (for the public PDF). */
export async function findCertificateByCode({
  code,
}: {
  code: string;
}): Promise<CertificateRecord | null> {
  if (!VERIFY_CODE_PATTERN.test(code)) return null;
  await connectDb();
  return Certificate.findOne({ verifyCode: code })
    .setOptions({ crossTenant: true })
    .lean<CertificateRecord>();
}

/** Public endpoints: per client IP, verification page + JSON + PDF together. */
export const VERIFY_RATE_LIMIT = { limit: 60, windowMs: 60_000 } as const;

export async function hitVerifyRateLimit(ip: string, now = Date.now()): Promise<RateLimitState> {
  const key = `verify:ip:${ip}`;
  try {
    return await hitRateLimit(key, VERIFY_RATE_LIMIT.limit, VERIFY_RATE_LIMIT.windowMs, now);
  } catch (error) {
    // Two first hits in the same window may race on the upsert (FerretDB reports the loser as a
    // duplicate key); the window's counter exists now, so counting again succeeds.
    if (!isDuplicateKeyError(error)) throw error;
    return hitRateLimit(key, VERIFY_RATE_LIMIT.limit, VERIFY_RATE_LIMIT.windowMs, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Suspend / reinstate / revoke

export const STATUS_CHANGES = ["suspend", "reinstate", "revoke"] as const;
export type StatusChange = (typeof STATUS_CHANGES)[number];

const CHANGES: Record<
  StatusChange,
  {
    from: readonly CertificateStatus[];
    to: CertificateStatus;
    action: CertificateHistoryAction;
    template: EmailTemplateName;
  }
> = {
  suspend: {
    from: ["active"],
    to: "suspended",
    action: "suspended",
    template: "certificate-suspended",
  },
  reinstate: {
    from: ["suspended"],
    to: "active",
    action: "reinstated",
    template: "certificate-reinstated",
  },
  // An expired certificate can still be revoked (e.g. fraud found later): the block on new applications matters.
  revoke: {
    from: ["active", "suspended", "expired"],
    to: "revoked",
    action: "revoked",
    template: "certificate-revoked",
  },
};

export type StatusChangeError = "notFound" | "reasonRequired" | "invalidState" | "conflict";
export type StatusChangeResult =
  { ok: true; certificate: CertificateRecord } | { ok: false; error: StatusChangeError };

export const REASON_MAX = 2000;

export async function changeCertificateStatus({
  tenantId,
  id,
  change,
  reason,
  actor,
  ip,
  expectedVersion,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  change: StatusChange;
  reason: string;
  actor: CertificateActor;
  ip?: string;
  /** The version the regulator saw; omitted = the current one. */
  expectedVersion?: number;
  now?: Date;
}): Promise<StatusChangeResult> {
  const text = reason.trim();
  if (!text || text.length > REASON_MAX) return { ok: false, error: "reasonRequired" };
  const cert = await getCertificate({ tenantId, id });
  if (!cert) return { ok: false, error: "notFound" };
  if (expectedVersion !== undefined && expectedVersion !== cert.version)
    return { ok: false, error: "conflict" };
  const rule = CHANGES[change];
  if (!rule.from.includes(effectiveStatus(cert, now))) return { ok: false, error: "invalidState" };

  const set: Record<string, unknown> = { status: rule.to };
  if (change === "suspend") Object.assign(set, { suspendedAt: now, suspendedReason: text });
  if (change === "reinstate") Object.assign(set, { suspendedAt: null, suspendedReason: "" });
  if (change === "revoke") {
    const months = certificateSettings(
      (await loadTenant(tenantId))?.settings,
    ).revocationBlockMonths;
    Object.assign(set, {
      revokedAt: now,
      revokedReason: text,
      blockedUntil: months > 0 ? addMonths(now, months) : null,
    });
  }
  const entry: CertificateHistoryEntry = {
    at: now,
    actorId: actor.id,
    action: rule.action,
    reason: text,
  };
  const won = await casUpdate(
    Certificate,
    { _id: cert._id, tenantId, expectedVersion: cert.version, extra: { status: cert.status } },
    { $set: set, $push: { history: entry } },
  );
  if (!won) return { ok: false, error: "conflict" };
  const updated = await getCertificate({ tenantId, id: cert._id });
  if (!updated) return { ok: false, error: "notFound" };

  await recordAudit({
    tenantId,
    action: `certificate.${rule.action}`,
    actor,
    ip,
    target: { type: "certificate", id: String(cert._id), label: cert.number },
    details: { reason: text, from: cert.status, to: rule.to, version: updated.version },
    at: now,
  });
  await notifyEnterprise({
    certificate: updated,
    template: rule.template,
    // One mail per change: the version makes a later suspension of the same certificate a new mail.
    key: `${rule.action}:v${updated.version}`,
    data: {
      reason: text,
      blockedUntil: updated.blockedUntil ? updated.blockedUntil.toISOString() : null,
    },
    now,
  });
  return { ok: true, certificate: updated };
}

export const suspendCertificate = (
  input: Omit<Parameters<typeof changeCertificateStatus>[0], "change">,
) => changeCertificateStatus({ ...input, change: "suspend" });
export const reinstateCertificate = (
  input: Omit<Parameters<typeof changeCertificateStatus>[0], "change">,
) => changeCertificateStatus({ ...input, change: "reinstate" });
export const revokeCertificate = (
  input: Omit<Parameters<typeof changeCertificateStatus>[0], "change">,
) => changeCertificateStatus({ ...input, change: "revoke" });

/** Which changes the current state allows (for the detail page's forms). */
export function allowedChanges(
  cert: Pick<CertificateDoc, "status" | "validUntil">,
  now = new Date(),
): StatusChange[] {
  const status = effectiveStatus(cert, now);
  return STATUS_CHANGES.filter((c) => CHANGES[c].from.includes(status));
}

// ---------------------------------------------------------------------------------------------
// Block after revocation (Step 4's SUBMIT asks this)

export type ApplicationBlock =
  | { blocked: false }
  | { blocked: true; until: Date; certificateId: string; number: string; reason: string };

/**
 * Whether a revocation still keeps the enterprise from applying (DOMAIN.md §6: no new application
 * for a configurable period, default 1 year). The period is fixed at revocation time.
 */
export async function isBlockedFromApplying({
  tenantId,
  enterpriseId,
  now = new Date(),
}: TenantScope & { enterpriseId: Types.ObjectId; now?: Date }): Promise<ApplicationBlock> {
  // One enterprise has a handful of certificates: the longest block is picked here, so the query
  // needs only the (tenantId, enterpriseId) index (decision 011).
  const docs = await Certificate.find({
    tenantId,
    enterpriseId,
    status: "revoked",
    blockedUntil: { $gt: now },
  })
    .select({ blockedUntil: 1, number: 1, revokedReason: 1 })
    .limit(100)
    .lean<Array<{ _id: Types.ObjectId; blockedUntil: Date; number: string; revokedReason: string }>>();
  const doc = docs.reduce<(typeof docs)[number] | undefined>(
    (best, d) => (!best || d.blockedUntil.getTime() > best.blockedUntil.getTime() ? d : best),
    undefined,
  );
  if (!doc) return { blocked: false };
  return {
    blocked: true,
    until: doc.blockedUntil,
    certificateId: String(doc._id),
    number: doc.number,
    reason: doc.revokedReason,
  };
}

// ---------------------------------------------------------------------------------------------
// Renewal

export type RenewalError =
  "notFound" | "revoked" | "tooEarly" | "blocked" | "renewalExists" | StartError;
export type RenewalResult =
  | { ok: true; applicationId: string; created: boolean }
  | { ok: false; error: RenewalError; listing?: { recordId: string; name: string } };

/** From when a renewal may start: `certificateRenewalMonths` before the end of validity. */
export function renewalOpensAt(
  cert: Pick<CertificateDoc, "validUntil">,
  renewalMonths: number,
): Date {
  return addMonths(cert.validUntil, -renewalMonths);
}

/**
 * Starts the next grading cycle from this certificate's application (answers and evidence carried
 * over by Step 3's `startAssessment`, marked for confirmation). Allowed from the renewal window on,
 * also after expiry; never for a revoked certificate or while a revocation blocks the enterprise.
 */
export async function startRenewal({
  tenantId,
  certificateId,
  enterpriseId,
  actor,
  ip,
  now = new Date(),
}: TenantScope & {
  certificateId: string;
  enterpriseId: Types.ObjectId;
  actor: AssessmentActor;
  ip?: string;
  now?: Date;
}): Promise<RenewalResult> {
  const cert = await getCertificate({ tenantId, id: certificateId });
  if (!cert || !cert.enterpriseId.equals(enterpriseId)) return { ok: false, error: "notFound" };
  if (cert.renewalApplicationId)
    return { ok: true, applicationId: String(cert.renewalApplicationId), created: false };
  const status = effectiveStatus(cert, now);
  if (status === "revoked") return { ok: false, error: "revoked" };
  const settings = certificateSettings((await loadTenant(tenantId))?.settings);
  if (now < renewalOpensAt(cert, settings.renewalMonths)) return { ok: false, error: "tooEarly" };
  if ((await isBlockedFromApplying({ tenantId, enterpriseId, now })).blocked)
    return { ok: false, error: "blocked" };

  const started = await startAssessment({
    tenantId,
    enterpriseId,
    actor,
    cycle: String(shanghaiDay(now).year),
    fromPrevious: cert.applicationId,
    ip,
  });
  let applicationId: Types.ObjectId;
  let created = true;
  if (started.ok) applicationId = started.assessment._id;
  else if (started.error === "exists" && started.existingId) {
    // This year's cycle was already started by hand: link it rather than refuse.
    applicationId = new Types.ObjectId(started.existingId);
    created = false;
  } else return { ok: false, error: started.error, listing: started.listing };

  const entry: CertificateHistoryEntry = {
    at: now,
    actorId: actor.id,
    action: "renewalStarted",
    reason: "",
    details: { applicationId: String(applicationId) },
  };
  await casUpdate(
    Certificate,
    {
      _id: cert._id,
      tenantId,
      expectedVersion: cert.version,
      extra: { renewalApplicationId: null },
    },
    { $set: { renewalApplicationId: applicationId }, $push: { history: entry } },
  );
  await recordAudit({
    tenantId,
    action: "certificate.renewalStarted",
    actor,
    ip,
    target: { type: "certificate", id: String(cert._id), label: cert.number },
    details: { applicationId: String(applicationId) },
    at: now,
  });
  return { ok: true, applicationId: String(applicationId), created };
}

// ---------------------------------------------------------------------------------------------
// Emails

async function enterpriseAdmins({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }) {
  const memberships = await Membership.find({ tenantId, enterpriseId, role: "enterprise_admin" })
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  if (memberships.length === 0) return [];
  return User.find({ _id: { $in: memberships.map((m) => m.userId) }, disabled: false })
    .select({ email: 1, locale: 1 })
    .lean<Array<{ _id: Types.ObjectId; email: string; locale: Locale }>>();
}

async function notifyEnterprise({
  certificate,
  template,
  key,
  data,
  now,
}: {
  certificate: CertificateRecord;
  template: EmailTemplateName;
  key: string;
  data: Record<string, unknown>;
  now: Date;
}): Promise<number> {
  const tenantId = certificate.tenantId;
  const [admins, tenant] = await Promise.all([
    enterpriseAdmins({ tenantId, enterpriseId: certificate.enterpriseId }),
    Tenant.findOne({ _id: tenantId }).select({ slug: 1 }).lean<{ slug: string }>(),
  ]);
  for (const admin of admins) {
    await enqueueEmail({
      tenantId,
      idempotencyKey: `certificate:${String(certificate._id)}:${key}:${String(admin._id)}`,
      template,
      to: admin.email,
      locale: admin.locale,
      data: {
        certificateId: String(certificate._id),
        number: certificate.number,
        enterpriseName: certificate.enterprise.name,
        level: certificate.levelName,
        validUntil: certificate.validUntil.toISOString(),
        path: tenant ? `/t/${tenant.slug}/certificates/${String(certificate._id)}` : "",
        verifyUrl: verificationUrl(certificate.verifyCode),
        ...data,
      },
      now,
    });
  }
  return admins.length;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle job: expiry and reminders

export type LifecycleRun = { expired: number; reminders: number };

/**
 * Expires certificates at the end of validity and sends the reminders before it. Idempotent and
 * safe with several runners: each change is a compare-and-set (one runner wins), and every email
 * has an idempotency key per certificate, threshold and recipient.
 */
export async function runCertificateLifecycle({
  now = new Date(),
}: { now?: Date } = {}): Promise<LifecycleRun> {
  await connectDb();
  const run: LifecycleRun = { expired: 0, reminders: 0 };
  const tenants = await Tenant.find({})
    .select({ settings: 1 })
    .lean<Array<Pick<TenantDoc, "_id" | "settings">>>();
  for (const tenant of tenants) {
    const tenantId = tenant._id;
    const due = await Certificate.find({
      tenantId,
      status: { $in: ["active", "suspended"] },
      validUntil: { $lt: now },
    })
      .limit(1000)
      .lean<CertificateRecord[]>();
    for (const cert of due) if (await expireOne(cert, now)) run.expired += 1;

    const thresholds = certificateSettings(tenant.settings).reminderDays;
    const widest = thresholds[0];
    if (widest === undefined) continue;
    const soon = await Certificate.find({
      tenantId,
      status: "active",
      validUntil: { $gte: now, $lte: addDays(now, widest) },
    })
      .limit(5000)
      .lean<CertificateRecord[]>();
    for (const cert of soon) if (await remindOne(cert, thresholds, now)) run.reminders += 1;
  }
  return run;
}

async function expireOne(cert: CertificateRecord, now: Date): Promise<boolean> {
  const entry: CertificateHistoryEntry = { at: now, actorId: null, action: "expired", reason: "" };
  const won = await casUpdate(
    Certificate,
    {
      _id: cert._id,
      tenantId: cert.tenantId,
      expectedVersion: cert.version,
      extra: { status: cert.status },
    },
    { $set: { status: "expired", expiredAt: now }, $push: { history: entry } },
  );
  if (!won) return false;
  await recordAudit({
    tenantId: cert.tenantId,
    action: "certificate.expired",
    target: { type: "certificate", id: String(cert._id), label: cert.number },
    details: { validUntil: cert.validUntil.toISOString() },
    at: now,
  });
  await notifyEnterprise({
    certificate: cert,
    template: "certificate-expired",
    key: "expired",
    data: {},
    now,
  });
  return true;
}

/**
 * Sends the reminder of the nearest threshold crossed and not yet sent. Thresholds crossed while
 * the job was down are marked as sent with it, so a late run sends one mail, not several.
 */
async function remindOne(
  cert: CertificateRecord,
  thresholds: readonly number[],
  now: Date,
): Promise<boolean> {
  const msLeft = cert.validUntil.getTime() - now.getTime();
  const crossed = thresholds.filter((d) => msLeft <= d * 24 * 60 * 60 * 1000);
  const unsent = crossed.filter((d) => !cert.remindersSent.includes(d));
  const nearest = Math.min(...unsent);
  if (unsent.length === 0 || !Number.isFinite(nearest)) return false;
  // Email first (idempotent), then the mark: a crash in between re-sends nothing, the key dedups.
  await notifyEnterprise({
    certificate: cert,
    template: "certificate-expiry-reminder",
    key: `reminder:${nearest}`,
    data: { daysBefore: nearest, renewalPath: `/certificates/${String(cert._id)}` },
    now,
  });
  const entry: CertificateHistoryEntry = {
    at: now,
    actorId: null,
    action: "reminder",
    reason: "",
    details: { daysBefore: nearest },
  };
  const won = await casUpdate(
    Certificate,
    {
      _id: cert._id,
      tenantId: cert.tenantId,
      expectedVersion: cert.version,
      extra: { status: "active" },
    },
    {
      $set: {
        remindersSent: [...new Set([...cert.remindersSent, ...crossed])].sort((a, b) => b - a),
      },
      $push: { history: entry },
    },
  );
  return won;
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
    ? await User.find({ _id: { $in: actorIds.map((id) => new Types.ObjectId(id)) } })
        .select({ name: 1 })
        .lean<Array<{ _id: Types.ObjectId; name: string }>>()
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
