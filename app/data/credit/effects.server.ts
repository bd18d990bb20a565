/** Credit records: carrying out a transition's effects (emails, joint punishment, the public read model), idempotently. */
import { findByIds } from "../../../models/find-by-ids";
import { Types } from "mongoose";
import { Assessment } from "../../../models/assessment";
import { Certificate } from "../../../models/certificate";
import { CreditRecord, type CreditHistoryEntry, type CreditRecordDoc } from "../../../models/credit-record";
import { Membership } from "../../../models/membership";
import { User } from "../../../models/user";
import { translate, type Locale } from "~/i18n";
import { logger } from "~/logger.server";
import { creditEffectSchema, type CreditEffect } from "~/workflows/credit.machine";
import { activeStates } from "~/workflows/grading.machine";
import { casUpdate } from "../cas.server";
import { changeCertificateStatus } from "../certificates.server";
import { creditListingName } from "../credit-check.server";
import { syncCreditPublication } from "../credit-publication.server";
import { applyApplicationEvent } from "../grading.server";
import { type TenantScope } from "../ids.server";
import { enqueueEmail } from "../outbox.server";
import { enterpriseIdForCode, findRecord } from "./record-helpers.server";
import { creditSettings, loadTenantSettings } from "./settings.server";

// ---------------------------------------------------------------------------------------------
// Effects

type Recipient = { userId: string; email: string; locale: Locale };

async function enterpriseAdmins(tenantId: Types.ObjectId, enterpriseId: Types.ObjectId | null): Promise<Recipient[]> {
  if (!enterpriseId) return [];
  const memberships = await Membership.find({ tenantId, enterpriseId, role: "enterprise_admin" })
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  if (memberships.length === 0) return [];
  const users = await findByIds<{ _id: Types.ObjectId; email: string; locale: Locale }>(User, memberships.map((m) => m.userId), {
    filter: { disabled: false },
    select: { email: 1, locale: 1 },
  });
  return users
    .map((u) => ({ userId: String(u._id), email: u.email, locale: u.locale }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

function emailData(doc: CreditRecordDoc, effect: Extract<CreditEffect, { type: "email" }>): Record<string, unknown> {
  const recordId = String(doc._id);
  switch (effect.template) {
    case "credit-notice":
      return {
        recordId,
        subjectName: doc.subjectName,
        creditCode: doc.creditCode,
        conditionKey: doc.conditionKey,
        defenceDeadline: doc.defenceDeadline?.toISOString() ?? null,
      };
    case "credit-listed":
      return {
        recordId,
        subjectName: doc.subjectName,
        creditCode: doc.creditCode,
        conditionKey: doc.conditionKey,
        listedAt: doc.listedAt?.toISOString() ?? null,
        endsAt: doc.endsAt?.toISOString() ?? null,
      };
    case "credit-repair-decided":
      return { recordId, subjectName: doc.subjectName, granted: effect.granted ?? false, reasons: effect.reasons ?? "" };
    case "credit-removed":
      return { recordId, subjectName: doc.subjectName, removalReason: doc.removalReason };
  }
}

export type EffectsRun = { done: boolean; emails: number; applications: string[]; certificates: string[] };

/**
 * Carries out the pending effects of the record's latest transition; a no-op when none are pending.
 * Safe to run twice or concurrently (see the module comment).
 */
export async function carryOutCreditEffects({
  tenantId,
  id,
  now = new Date(),
}: TenantScope & { id: Types.ObjectId; now?: Date }): Promise<EffectsRun> {
  const run: EffectsRun = { done: false, emails: 0, applications: [], certificates: [] };
  const doc = await findRecord(tenantId, id);
  if (!doc || !doc.effectsPending || !doc.effects) return run;
  const batch = doc.effects;
  // The public registry first: it re-reads the record, so a repeated run is harmless.
  if (doc.publicationPending) await syncCreditPublication({ tenantId, recordId: doc._id });
  const effects = batch.items.flatMap((item) => {
    const parsed = creditEffectSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const enterpriseId = doc.enterpriseId ?? (await enterpriseIdForCode(tenantId, doc.creditCode));
  for (const effect of effects) {
    if (effect.type === "email") {
      for (const r of await enterpriseAdmins(tenantId, enterpriseId)) {
        await enqueueEmail({
          tenantId,
          idempotencyKey: `credit:${String(doc._id)}:v${batch.version}:${effect.template}:${r.userId}`,
          template: effect.template,
          to: r.email,
          locale: r.locale,
          data: emailData(doc, effect),
          now,
        });
        run.emails += 1;
      }
    } else if (effect.type === "applyListing" && enterpriseId && doc.status === "published") {
      const tenant = await loadTenantSettings(tenantId);
      const settings = creditSettings(tenant?.settings);
      const name = creditListingName(doc);
      run.applications = await stopRunningApplications({ tenantId, enterpriseId, recordId: String(doc._id), name, now });
      run.certificates = await punishCertificates({
        tenantId,
        enterpriseId,
        change: settings.certificateEffect,
        reason: translate("zh-CN", "credit.effects.certificateReason", { name, id: String(doc._id) }),
        actor: batch.actorId ? { id: batch.actorId, email: batch.actorEmail } : null,
        fallbackActor: doc.createdBy,
        now,
      });
    }
    // liftListing: the block follows the status; certificates stay as they are (the regulator decides).
  }

  // Mark the batch done, once, with what it changed.
  let current: CreditRecordDoc | null = doc;
  for (let attempt = 0; attempt < 5 && current; attempt++) {
    if (!current.effectsPending || current.effects?.version !== batch.version) return run;
    const entry: CreditHistoryEntry = {
      at: now,
      event: "EFFECTS_APPLIED",
      from: current.state,
      to: current.state,
      actor: { kind: "system", userId: null, name: "" },
      note: "",
      details: { event: batch.event, emails: run.emails, applications: run.applications, certificates: run.certificates },
    };
    const won = await casUpdate(
      CreditRecord,
      { _id: current._id, tenantId, expectedVersion: current.version, extra: { effectsPending: true } },
      { $set: { effectsPending: false, publicationPending: false }, $push: { history: entry } },
    );
    if (won) {
      run.done = true;
      return run;
    }
    current = await findRecord(tenantId, doc._id);
  }
  return run;
}

async function stopRunningApplications({
  tenantId,
  enterpriseId,
  recordId,
  name,
  now,
}: TenantScope & { enterpriseId: Types.ObjectId; recordId: string; name: string; now: Date }): Promise<string[]> {
  const stopped: string[] = [];
  const apps = await Assessment.find({ tenantId, enterpriseId })
    .select({ state: 1 })
    .lean<Array<{ _id: Types.ObjectId; state: string }>>();
  for (const app of apps) {
    if (!activeStates.some((s) => s === (app.state.split(".")[0] ?? ""))) continue;
    // A concurrent transition may win the compare-and-set: try again on the fresh state.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await applyApplicationEvent({
        tenantId,
        applicationId: app._id,
        event: { type: "CREDIT_LISTED", recordId, name },
        actor: { kind: "system" },
        now,
      });
      if (result.ok) stopped.push(String(app._id));
      if (result.ok || result.error !== "conflict") {
        if (!result.ok && result.error !== "blocked")
          logger.warn({ applicationId: String(app._id), result }, "credit listing did not stop the application");
        break;
      }
    }
  }
  return stopped;
}

async function punishCertificates({
  tenantId,
  enterpriseId,
  change,
  reason,
  actor,
  fallbackActor,
  now,
}: TenantScope & {
  enterpriseId: Types.ObjectId;
  change: "suspend" | "revoke";
  reason: string;
  actor: { id: Types.ObjectId; email: string } | null;
  fallbackActor: Types.ObjectId | null;
  now: Date;
}): Promise<string[]> {
  const changed: string[] = [];
  const certs = await Certificate.find({
    tenantId,
    enterpriseId,
    status: { $in: change === "revoke" ? ["active", "suspended"] : ["active"] },
  })
    .select({ _id: 1 })
    .lean<Array<{ _id: Types.ObjectId }>>();
  const by = actor ?? { id: fallbackActor ?? new Types.ObjectId("000000000000000000000000"), email: "" };
  for (const cert of certs) {
    for (let attempt = 0; attempt < 5; attempt++) {
      // A listing is itself a revocation ground (应急〔2021〕83号).
      const grounds = change === "revoke" ? (["seriousDishonest"] as const) : [];
      const result = await changeCertificateStatus({ tenantId, id: cert._id, change, reason, grounds, actor: by, now });
      if (result.ok) changed.push(String(cert._id));
      if (result.ok || result.error !== "conflict") break;
    }
  }
  return changed;
}
