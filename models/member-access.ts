import mongoose, { Schema, type Model, type Types } from "mongoose";
import { ROLES, type Role } from "../app/lib/domain";

/**
 * What one user may do in one tenant, read on every request by `_id` alone (decision 010).
 * `_id` is `${tenantId}:${userId}`, so the tenant is part of the key: a lookup can never cross
 * tenants and needs no `tenantId` filter (FerretDB's SQLite backend pushes down only a filter that
 * is exactly `{ _id }`). Derived from the memberships collection, which stays the source of truth:
 * every write through the Membership model rebuilds it (models/membership.ts).
 */
export type MemberAccessDoc = {
  _id: string;
  tenantId: Types.ObjectId;
  userId: Types.ObjectId;
  roles: Role[];
  /** Enterprises of the user's enterprise roles, oldest membership first. */
  enterpriseIds: Types.ObjectId[];
  /** Districts the user's regulator role is limited to; empty = the whole tenant (models/membership.ts). */
  districtCodes?: string[];
  updatedAt: Date;
};

const schema = new Schema<MemberAccessDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    roles: { type: [String], enum: ROLES, default: [] },
    enterpriseIds: { type: [Schema.Types.ObjectId], default: [] },
    districtCodes: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export function memberAccessId(tenantId: Types.ObjectId | string, userId: Types.ObjectId | string): string {
  return `${String(tenantId)}:${String(userId)}`;
}

export const MemberAccess: Model<MemberAccessDoc> =
  mongoose.models.MemberAccess ?? mongoose.model<MemberAccessDoc>("MemberAccess", schema, "member_access");
