/** Certificates — renewal: when it opens and starting the renewal self-assessment. Concurrency and numbering: ../certificates.server.ts. */
import { Types } from "mongoose";
import { Assessment } from "../../../models/assessment";
import {
  Certificate,
  type CertificateDoc,
  type CertificateHistoryEntry,
} from "../../../models/certificate";
import { addMonths, effectiveStatus, shanghaiDay } from "~/lib/certificate";
import { startAssessment, type AssessmentActor, type StartError } from "../assessments.server";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { type TenantScope } from "../ids.server";
import { getCertificate } from "./queries.server";
import { certificateSettings, loadTenant } from "./settings.server";
import { isBlockedFromApplying } from "./status.server";

// ---------------------------------------------------------------------------------------------
// Renewal

export type RenewalError =
  "notFound" | "revoked" | "tooEarly" | "blocked" | "renewalExists" | StartError;
export type RenewalResult =
  | { ok: true; applicationId: string; created: boolean }
  | { ok: false; error: RenewalError; listing?: { recordId: string; name: string } };

/**
 * Flags the application as this certificate's renewal (issue 16 item 4): SUBMIT then sends it to
 * the renewal check. A draft only; compare-and-set on the application's version (decision 001).
 */
async function markAsRenewal({
  tenantId,
  applicationId,
  certificateId,
}: TenantScope & { applicationId: Types.ObjectId; certificateId: Types.ObjectId }): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const app = await Assessment.findOne({ tenantId, _id: applicationId })
      .select({ version: 1, state: 1, renewalOf: 1 })
      .lean<{ _id: Types.ObjectId; version: number; state: string; renewalOf?: Types.ObjectId | null }>();
    if (!app || app.state !== "draft" || app.renewalOf) return;
    const won = await casUpdate(
      Assessment,
      { _id: app._id, tenantId, expectedVersion: app.version, extra: { state: "draft" } },
      { $set: { renewalOf: certificateId } },
    );
    if (won) return;
  }
}

/** From when a renewal may start: `renewalWindowMonths` before the end of validity. */
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
  await markAsRenewal({ tenantId, applicationId, certificateId: cert._id });

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
