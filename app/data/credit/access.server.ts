/** Credit records: who may see a record and in which machine role a member may act on it. */
import { type Types } from "mongoose";
import { type CreditRecordDoc } from "../../../models/credit-record";
import type { Member } from "~/auth.server";
import { can } from "~/lib/permissions";
import { enterpriseRows } from "../enterprise-rows.server";
import { CREDIT_EVENT_ROLES, type CreditActorRole, type CreditEventType } from "~/workflows/credit.machine";

/** The parts of a member this module looks at (tests can build one without a request). */
export type CreditMember = Pick<Member, "tenantId" | "roles" | "permissions" | "enterpriseId"> & {
  user: Pick<Member["user"], "_id" | "email"> & { name?: string };
  /** District limit (Step 12): only records of registered enterprises of these districts. */
  districtCodes?: readonly string[];
};

/** The enterprises of a district-limited regulator's districts (from the cached rows), or null when not limited. */
export async function enterprisesInScope(tenantId: Types.ObjectId, member: CreditMember): Promise<Types.ObjectId[] | null> {
  const codes = member.districtCodes ?? [];
  if (codes.length === 0) return null;
  return (await enterpriseRows(tenantId)).filter((r) => codes.includes(r.districtCode)).map((r) => r._id);
}

export type CreditEventActor = { kind: "member"; member: CreditMember } | { kind: "system" };

type Owned = Pick<CreditRecordDoc, "tenantId" | "enterpriseId" | "status">;

/**
 * Regulators and tenant admins see every record; enterprise users only their own (linked) ones,
 * from the notice on (a draft is the authority's internal work).
 */
export function canViewCreditRecord(member: CreditMember, doc: Owned): boolean {
  if (String(member.tenantId) !== String(doc.tenantId)) return false;
  if (can(member.permissions, "read:credit:any")) return true;
  return (
    doc.status !== "draft" &&
    can(member.permissions, "read:credit:own") &&
    member.enterpriseId !== null &&
    doc.enterpriseId !== null &&
    member.enterpriseId.equals(doc.enterpriseId)
  );
}

/** The member's machine role for this event, if they may send it on this record at all. */
export function creditRoleFor(
  member: CreditMember,
  type: CreditEventType,
  doc: Owned,
): CreditActorRole | null {
  const roles = CREDIT_EVENT_ROLES[type];
  if (roles.includes("regulator") && member.roles.includes("regulator") && can(member.permissions, "manage:credit:any"))
    return "regulator";
  if (
    roles.includes("enterprise_admin") &&
    member.roles.includes("enterprise_admin") &&
    can(member.permissions, "respond:credit:own") &&
    member.enterpriseId !== null &&
    doc.enterpriseId !== null &&
    member.enterpriseId.equals(doc.enterpriseId)
  )
    return "enterprise_admin";
  return null;
}
