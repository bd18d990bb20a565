/** District limits of regulator memberships (Step 12, item 7). */
import type { Types } from "mongoose";
import { Membership } from "../../../models/membership";
import { User } from "../../../models/user";
import { recordAudit } from "../audit.server";
import { districtOptions } from "../enterprises.server";
import type { TenantScope } from "../ids.server";
import type { Actor } from "../memberships.server";
import type { TenantView } from "../tenants.server";

export type RegulatorDistricts = {
  membershipId: Types.ObjectId;
  name: string;
  email: string;
  districtCodes: string[];
};

/** A regulator membership with its districts; null for another role or another tenant's id. */
export async function getRegulatorDistricts({
  tenantId,
  membershipId,
}: TenantScope & { membershipId: Types.ObjectId }): Promise<RegulatorDistricts | null> {
  const m = await Membership.findOne({ tenantId, _id: membershipId })
    .select({ role: 1, userId: 1, districtCodes: 1 })
    .lean<{ _id: Types.ObjectId; role: string; userId: Types.ObjectId; districtCodes?: string[] }>();
  if (!m || m.role !== "regulator") return null;
  const user = await User.findOne({ _id: m.userId }).select({ name: 1, email: 1 }).lean<{ name: string; email: string }>();
  return { membershipId: m._id, name: user?.name ?? "", email: user?.email ?? "", districtCodes: m.districtCodes ?? [] };
}

/**
 * Limits a regulator membership to districts of the tenant ([] = the whole tenant). The Membership
 * model's write hook rebuilds the user's access document, so the next request sees the limit.
 */
export async function setRegulatorDistricts({
  tenant,
  membershipId,
  districtCodes,
  actor,
  ip,
}: {
  tenant: Pick<TenantView, "_id" | "districts" | "regionCode" | "name">;
  membershipId: Types.ObjectId;
  districtCodes: readonly string[];
  actor: Actor;
  ip: string;
}): Promise<{ ok: true } | { ok: false; error: "notFound" | "invalidDistrict" }> {
  const current = await getRegulatorDistricts({ tenantId: tenant._id, membershipId });
  if (!current) return { ok: false, error: "notFound" };
  const known = new Set(districtOptions(tenant).map((d) => d.code));
  const codes = [...new Set(districtCodes)].sort();
  if (codes.some((c) => !known.has(c))) return { ok: false, error: "invalidDistrict" };
  await Membership.updateOne({ tenantId: tenant._id, _id: membershipId }, { $set: { districtCodes: codes } });
  await recordAudit({
    tenantId: tenant._id,
    action: "membership.districts",
    ip,
    actor,
    target: { type: "membership", id: String(membershipId), label: current.email },
    details: { from: current.districtCodes, to: codes },
  });
  return { ok: true };
}
