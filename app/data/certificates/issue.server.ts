/** Certificates — issuing: gap-free numbering per tenant and year, one certificate per certified application. Concurrency and numbering: ../certificates.server.ts. */
import { type Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../../models/assessment";
import { Certificate } from "../../../models/certificate";
import { Enterprise } from "../../../models/enterprise";
import { connectDb } from "~/db.server";
import {
  addDays,
  formatCertificateNumber,
  sequenceYear,
  shanghaiDay,
  validUntilFor,
} from "~/lib/certificate";
import { logger } from "~/logger.server";
import { recordAudit } from "../audit.server";
import { type TenantScope } from "../ids.server";
import { isDuplicateKeyError } from "../mongo-errors.server";
import { getRubricVersion } from "../rubrics.server";
import { markRenewed } from "./renewal-link.server";
import {
  CERTIFIED_STATES,
  type CertificateRecord,
  MAX_NUMBER_ATTEMPTS,
  certificateSettings,
  loadTenant,
  newVerifyCode,
  oid,
} from "./settings.server";

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
    renewalOfCertificateId: app.renewalOf ?? null,
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
      industry: enterprise.industry,
      level: pending.level,
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
    // A renewal (复评/延期): the old certificate records that this one superseded it.
    if (app.renewalOf) await markRenewed({ tenantId, oldCertificateId: app.renewalOf, renewal: created, now });
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
