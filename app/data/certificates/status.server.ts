/** Certificates — status changes (suspend, reinstate, revoke) by compare-and-set, and the bar on applying after a revocation. Concurrency and numbering: ../certificates.server.ts. */
import { type Types } from "mongoose";
import {
  Certificate,
  type CertificateDoc,
  type CertificateHistoryEntry,
} from "../../../models/certificate";
import {
  addMonths,
  effectiveStatus,
  startOfShanghaiDay,
  type CertificateHistoryAction,
  type CertificateStatus,
} from "~/lib/certificate";
import { normalizeGrounds, type RevocationGroundKey } from "~/lib/revocation-grounds";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { type TenantScope } from "../ids.server";
import type { EmailTemplateName } from "../../../emails/names";
import { notifyEnterprise } from "./notify.server";
import { getCertificate } from "./queries.server";
import {
  type CertificateActor,
  type CertificateRecord,
  certificateSettings,
  loadTenant,
} from "./settings.server";

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

export type StatusChangeError =
  "notFound" | "reasonRequired" | "groundsRequired" | "invalidState" | "conflict";
export type StatusChangeResult =
  { ok: true; certificate: CertificateRecord } | { ok: false; error: StatusChangeError };

export const REASON_MAX = 2000;

export async function changeCertificateStatus({
  tenantId,
  id,
  change,
  reason,
  grounds = [],
  actor,
  ip,
  expectedVersion,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  change: StatusChange;
  /** The facts (revoke) or the reason (suspend, reinstate). */
  reason: string;
  /** Revoke only: one or more stated grounds (app/lib/revocation-grounds.ts). */
  grounds?: readonly RevocationGroundKey[];
  actor: CertificateActor;
  ip?: string;
  /** The version the regulator saw; omitted = the current one. */
  expectedVersion?: number;
  now?: Date;
}): Promise<StatusChangeResult> {
  const text = reason.trim();
  if (!text || text.length > REASON_MAX) return { ok: false, error: "reasonRequired" };
  const stated = change === "revoke" ? normalizeGrounds(grounds) : [];
  if (change === "revoke" && stated.length === 0) return { ok: false, error: "groundsRequired" };
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
      revokedGrounds: stated,
      // The bar ends at the start of the anniversary day, so "may apply again from <date>" is exact.
      blockedUntil: months > 0 ? startOfShanghaiDay(addMonths(now, months)) : null,
    });
  }
  const entry: CertificateHistoryEntry = {
    at: now,
    actorId: actor.id,
    action: rule.action,
    reason: text,
    ...(stated.length > 0 ? { details: { grounds: stated } } : {}),
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
    details: {
      reason: text,
      from: cert.status,
      to: rule.to,
      version: updated.version,
      ...(stated.length > 0 ? { grounds: stated } : {}),
    },
    at: now,
  });
  await notifyEnterprise({
    certificate: updated,
    template: rule.template,
    // One mail per change: the version makes a later suspension of the same certificate a new mail.
    key: `${rule.action}:v${updated.version}`,
    data: {
      reason: text,
      ...(stated.length > 0 ? { grounds: stated } : {}),
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
  | {
      blocked: true;
      /** The first day the enterprise may apply again (the bar ends at this instant). */
      until: Date;
      certificateId: string;
      number: string;
      reason: string;
      grounds: RevocationGroundKey[];
    };

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
    .select({ blockedUntil: 1, number: 1, revokedReason: 1, revokedGrounds: 1 })
    .limit(100)
    .lean<
      Array<{
        _id: Types.ObjectId;
        blockedUntil: Date;
        number: string;
        revokedReason: string;
        revokedGrounds?: RevocationGroundKey[];
      }>
    >();
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
    grounds: doc.revokedGrounds ?? [],
  };
}
