import { findByIds } from "../../models/find-by-ids";
import type { Types } from "mongoose";
import { Enterprise } from "../../models/enterprise";
import { Membership, type MembershipDoc } from "../../models/membership";
import { User } from "../../models/user";
import { isEnterpriseRole, type Role } from "~/lib/domain";
import { recordAudit } from "./audit.server";
import type { TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";

export type Actor = { id: Types.ObjectId; email: string };

export type MemberRow = {
  membershipId: Types.ObjectId;
  userId: Types.ObjectId;
  email: string;
  name: string;
  disabled: boolean;
  role: Role;
  enterpriseId: Types.ObjectId | null;
  enterpriseName: string | null;
  createdAt: Date;
};

export async function enterpriseNamesById({
  tenantId,
  ids,
}: TenantScope & { ids: Array<Types.ObjectId | null> }): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is Types.ObjectId => id !== null).map(String))];
  if (wanted.length === 0) return new Map();
  const rows = await findByIds<{ _id: Types.ObjectId; name: string }>(Enterprise, wanted, { filter: { tenantId }, select: { name: 1 } });
  return new Map(rows.map((r) => [String(r._id), r.name]));
}

/** Enterprises to pick from when inviting; capped because a select list of thousands helps nobody. */
export async function listEnterpriseChoices({
  tenantId,
  limit = 500,
}: TenantScope & { limit?: number }): Promise<Array<{ _id: Types.ObjectId; name: string }>> {
  return Enterprise.find({ tenantId, status: "active" })
    .sort({ name: 1 })
    .limit(limit)
    .select({ name: 1 })
    .lean<Array<{ _id: Types.ObjectId; name: string }>>();
}

export async function enterpriseBelongsToTenant({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }) {
  return (await Enterprise.exists({ tenantId, _id: enterpriseId })) !== null;
}

/** The enterprises this user administers (the scope of `invite:user:own`). */
export async function enterprisesAdministeredBy({
  tenantId,
  userId,
}: TenantScope & { userId: Types.ObjectId }): Promise<Types.ObjectId[]> {
  const rows = await Membership.find({ tenantId, userId, role: "enterprise_admin" })
    .select({ enterpriseId: 1 })
    .lean<Array<Pick<MembershipDoc, "enterpriseId">>>();
  return rows.map((r) => r.enterpriseId).filter((id): id is Types.ObjectId => id !== null);
}

/** `enterpriseIds` limits the list to those enterprises' members (an enterprise admin's view). */
export async function listMembers({
  tenantId,
  enterpriseIds,
  page,
  pageSize = 50,
}: TenantScope & { enterpriseIds?: Types.ObjectId[]; page: number; pageSize?: number }): Promise<{
  items: MemberRow[];
  total: number;
}> {
  const filter = { tenantId, ...(enterpriseIds ? { enterpriseId: { $in: enterpriseIds } } : {}) };
  const [memberships, total] = await Promise.all([
    Membership.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .skip((page - 1) * pageSize)
      .limit(pageSize)
      .lean<MembershipDoc[]>(),
    Membership.countDocuments(filter),
  ]);
  const [users, enterprises] = await Promise.all([
    findByIds<{ _id: Types.ObjectId; email: string; name: string; disabled: boolean }>(User, memberships.map((m) => m.userId), {
      select: { email: 1, name: 1, disabled: 1 },
    }),
    enterpriseNamesById({ tenantId, ids: memberships.map((m) => m.enterpriseId) }),
  ]);
  const usersById = new Map(users.map((u) => [String(u._id), u]));
  const items = memberships.map((m): MemberRow => {
    const user = usersById.get(String(m.userId));
    return {
      membershipId: m._id,
      userId: m.userId,
      email: user?.email ?? "",
      name: user?.name ?? "",
      disabled: user?.disabled ?? true,
      role: m.role,
      enterpriseId: m.enterpriseId,
      enterpriseName: m.enterpriseId ? (enterprises.get(String(m.enterpriseId)) ?? null) : null,
      createdAt: m.createdAt,
    };
  });
  return { items, total };
}

function countTenantAdmins({ tenantId }: TenantScope): Promise<number> {
  return Membership.countDocuments({ tenantId, role: "tenant_admin" });
}

async function userLabel(userId: Types.ObjectId): Promise<string> {
  const user = await User.findOne({ _id: userId }).select({ email: 1 }).lean<{ email: string }>();
  return user?.email ?? String(userId);
}

export type MembershipChangeError =
  "notFound" | "lastAdmin" | "alreadyMember" | "enterpriseMismatch" | "conflict";

/**
 * Changes the role of one membership. Enterprise roles swap only with enterprise roles (the
 * membership keeps its enterprise); moving someone between a company and the authority is a
 * remove + invite, so it leaves a clear trail.
 */
export async function changeMemberRole({
  tenantId,
  membershipId,
  role,
  actor,
  ip,
}: TenantScope & { membershipId: Types.ObjectId; role: Role; actor: Actor; ip: string }): Promise<
  { ok: true; changed: boolean } | { ok: false; error: MembershipChangeError }
> {
  const current = await Membership.findOne({ tenantId, _id: membershipId }).lean<MembershipDoc>();
  if (!current) return { ok: false, error: "notFound" };
  if (current.role === role) return { ok: true, changed: false };
  if (isEnterpriseRole(current.role) !== isEnterpriseRole(role))
    return { ok: false, error: "enterpriseMismatch" };
  const demotesAdmin = current.role === "tenant_admin";
  if (demotesAdmin && (await countTenantAdmins({ tenantId })) <= 1)
    return { ok: false, error: "lastAdmin" };

  let updated: MembershipDoc | null;
  try {
    updated = await Membership.findOneAndUpdate(
      { tenantId, _id: membershipId, role: current.role },
      { $set: { role } },
      { returnDocument: "after" },
    ).lean<MembershipDoc>();
  } catch (error) {
    if (isDuplicateKeyError(error)) return { ok: false, error: "alreadyMember" };
    throw error;
  }
  if (!updated) return { ok: false, error: "conflict" };
  // No transactions: two admins demoting each other at once could both pass the count above.
  // Re-check after the write and undo ours if it left the tenant without an admin.
  if (demotesAdmin && (await countTenantAdmins({ tenantId })) === 0) {
    await Membership.updateOne({ tenantId, _id: membershipId }, { $set: { role: current.role } });
    return { ok: false, error: "lastAdmin" };
  }
  await recordAudit({
    tenantId,
    action: "membership.roleChanged",
    ip,
    actor,
    target: { type: "user", id: String(current.userId), label: await userLabel(current.userId) },
    details: { membershipId: String(membershipId), from: current.role, to: role },
  });
  return { ok: true, changed: true };
}

export async function removeMembership({
  tenantId,
  membershipId,
  actor,
  ip,
}: TenantScope & { membershipId: Types.ObjectId; actor: Actor; ip: string }): Promise<
  { ok: true } | { ok: false; error: "notFound" | "lastAdmin" }
> {
  const current = await Membership.findOne({ tenantId, _id: membershipId }).lean<MembershipDoc>();
  if (!current) return { ok: false, error: "notFound" };
  const isAdmin = current.role === "tenant_admin";
  if (isAdmin && (await countTenantAdmins({ tenantId })) <= 1)
    return { ok: false, error: "lastAdmin" };
  const deleted = await Membership.findOneAndDelete({
    tenantId,
    _id: membershipId,
  }).lean<MembershipDoc>();
  if (!deleted) return { ok: false, error: "notFound" };
  // Same race guard as in changeMemberRole: put it back if we removed the last admin.
  if (isAdmin && (await countTenantAdmins({ tenantId })) === 0) {
    await Membership.create(deleted);
    return { ok: false, error: "lastAdmin" };
  }
  await recordAudit({
    tenantId,
    action: "membership.removed",
    ip,
    actor,
    target: { type: "user", id: String(current.userId), label: await userLabel(current.userId) },
    details: {
      membershipId: String(membershipId),
      role: current.role,
      enterpriseId: current.enterpriseId ? String(current.enterpriseId) : null,
    },
  });
  return { ok: true };
}
