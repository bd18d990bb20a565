/** Certificates — the scheduled job: expiry and reminders. Concurrency and numbering: ../certificates.server.ts. */
import { Certificate, type CertificateHistoryEntry } from "../../../models/certificate";
import { Tenant, type TenantDoc } from "../../../models/tenant";
import { connectDb } from "~/db.server";
import { addDays } from "~/lib/certificate";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { notifyEnterprise } from "./notify.server";
import { type CertificateRecord, certificateSettings } from "./settings.server";

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
