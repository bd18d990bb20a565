/** Carrying out a transition's effects: emails to the right people, the enterprise lock, the certificate. */
import { findByIds } from "../../../models/find-by-ids";
import type { Types } from "mongoose";
import { Assessment } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { Membership } from "../../../models/membership";
import { ReviewBody } from "../../../models/review-body";
import { User } from "../../../models/user";
import { ENTERPRISE_ROLES } from "~/lib/domain";
import { logger } from "~/logger.server";
import { inDistrictScope } from "~/lib/district-scope";
import { lockedStates, type EmailRecipient, type PendingEffect } from "~/workflows/grading.machine";
import { casUpdate } from "../cas.server";
import { issueCertificateForApplication } from "../certificates.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { enqueueEmail } from "../outbox.server";
import type { TenantForGrading } from "./snapshot.server";

type Recipient = { userId: string; email: string; locale: "zh-CN" | "en" };

async function usersOf(userIds: Types.ObjectId[]): Promise<Recipient[]> {
  if (userIds.length === 0) return [];
  const users = await findByIds<{ _id: Types.ObjectId; email: string; locale: "zh-CN" | "en" }>(User, userIds, {
    filter: { disabled: false },
    select: { email: 1, locale: 1 },
  });
  return users
    .map((u) => ({ userId: String(u._id), email: u.email, locale: u.locale }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

/**
 * The tenant's users behind a recipient description (members of this tenant only). Regulators
 * limited to districts (Step 12) hear only about applications of their districts (`districtCode`).
 */
export async function resolveRecipients(
  tenantId: Types.ObjectId,
  to: EmailRecipient,
  districtCode?: string,
): Promise<Recipient[]> {
  let filter: Record<string, unknown>;
  if (to.kind === "reviewBodyAdmins") {
    const _id = toObjectId(to.reviewBodyId);
    const body = _id
      ? await ReviewBody.findOne({ tenantId, _id })
          .select({ adminUserIds: 1 })
          .lean<{ adminUserIds: Types.ObjectId[] }>()
      : null;
    filter = { tenantId, role: "review_body_admin", userId: { $in: body?.adminUserIds ?? [] } };
  } else if (to.kind === "regulators") filter = { tenantId, role: "regulator" };
  else if (to.kind === "organizers") filter = { tenantId, role: "organizer" };
  else if (to.kind === "enterprise") {
    const enterpriseId = toObjectId(to.enterpriseId);
    if (!enterpriseId) return [];
    filter = { tenantId, enterpriseId, role: { $in: ENTERPRISE_ROLES } };
  } else {
    const ids = to.userIds.flatMap((id) => {
      const oid = toObjectId(id);
      return oid ? [oid] : [];
    });
    filter = { tenantId, userId: { $in: ids } };
  }
  const memberships = (
    await Membership.find(filter)
      .select({ userId: 1, districtCodes: 1 })
      .lean<Array<{ userId: Types.ObjectId; districtCodes?: string[] }>>()
  ).filter((m) => to.kind !== "regulators" || districtCode === undefined || inDistrictScope({ districtCodes: m.districtCodes ?? [] }, districtCode));
  const unique = [...new Map(memberships.map((m) => [String(m.userId), m.userId])).values()];
  return usersOf(unique);
}

/** Locks the enterprise's master data while the application runs; unlocks when it no longer does. */
export async function reconcileEnterpriseLock({
  tenantId,
  applicationId,
}: TenantScope & { applicationId: Types.ObjectId }): Promise<void> {
  const reason = String(applicationId);
  for (let attempt = 0; attempt < 8; attempt++) {
    const app = await Assessment.findOne({ tenantId, _id: applicationId })
      .select({ state: 1, enterpriseId: 1 })
      .lean<{ state: string; enterpriseId: Types.ObjectId }>();
    if (!app) return;
    const top = app.state.split(".")[0] ?? "";
    const shouldLock = lockedStates.some((s) => s === top);
    const enterprise = await Enterprise.findOne({ tenantId, _id: app.enterpriseId })
      .select({ lockedReason: 1, version: 1 })
      .lean<{ _id: Types.ObjectId; lockedReason: string | null; version: number }>();
    if (!enterprise) return;
    let next: string | null;
    if (shouldLock) {
      // Another running application of the same enterprise keeps its own lock.
      if (enterprise.lockedReason !== null) return;
      next = reason;
    } else {
      if (enterprise.lockedReason !== reason) return;
      next = null;
    }
    const won = await casUpdate(
      Enterprise,
      {
        _id: enterprise._id,
        tenantId,
        expectedVersion: enterprise.version,
        extra: { lockedReason: enterprise.lockedReason },
      },
      { $set: { lockedReason: next } },
    );
    if (won) return;
  }
  logger.warn(
    { applicationId: String(applicationId) },
    "enterprise lock not reconciled after retries",
  );
}

/** Carries out one transition's effects; safe to repeat (deterministic idempotency keys). */
export async function carryOutEffects({
  tenant,
  applicationId,
  version,
  effects,
  now,
}: {
  tenant: Pick<TenantForGrading, "_id" | "slug">;
  applicationId: Types.ObjectId;
  version: number;
  effects: readonly PendingEffect[];
  now: Date;
}): Promise<{ emails: number }> {
  if (effects.length === 0) return { emails: 0 };
  const tenantId = tenant._id;
  const app = await Assessment.findOne({ tenantId, _id: applicationId })
    .select({ enterpriseId: 1, cycle: 1, districtCode: 1 })
    .lean<{ enterpriseId: Types.ObjectId; cycle: string; districtCode?: string }>();
  if (!app) return { emails: 0 };
  const enterprise = await Enterprise.findOne({ tenantId, _id: app.enterpriseId })
    .select({ name: 1 })
    .lean<{ name: string }>();
  let emails = 0;
  let lockTouched = false;
  for (const [n, effect] of effects.entries()) {
    if (effect.type === "email") {
      const recipients = await resolveRecipients(tenantId, effect.to, app.districtCode ?? "");
      const page =
        effect.to.kind === "users" ? "reviews" : effect.to.kind === "reviewBodyAdmins" ? "panels" : "applications";
      const path = `/t/${tenant.slug}/${page}/${String(applicationId)}`;
      for (const r of recipients) {
        await enqueueEmail({
          tenantId,
          idempotencyKey: `${String(applicationId)}:v${version}:${n}:${r.userId}`,
          template: effect.template,
          to: r.email,
          locale: r.locale,
          data: {
            applicationId: String(applicationId),
            enterpriseName: enterprise?.name ?? "",
            cycle: app.cycle,
            path,
            ...effect.data,
          },
          now,
        });
        emails += 1;
      }
    } else if (effect.type === "lockEnterprise" || effect.type === "unlockEnterprise") {
      lockTouched = true;
    } else if (effect.type === "certificate") {
      // Step 5 issues the certificate now (idempotent); the pendingCertificate marker written with
      // the transition lets the "issue-pending-certificates" job finish it if this fails.
      const issued = await issueCertificateForApplication({ tenantId, applicationId, now });
      if (!issued.ok)
        logger.warn(
          { applicationId: String(applicationId), error: issued.error },
          "certificate not issued",
        );
    }
  }
  if (lockTouched) await reconcileEnterpriseLock({ tenantId, applicationId });
  return { emails };
}
