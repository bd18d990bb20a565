import mongoose, { Schema, type Model, type Types } from "mongoose";
import { ROLES, type Role } from "../app/lib/domain";
import { tenantScoped } from "./tenant-scoped";

export type MembershipDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  userId: Types.ObjectId;
  role: Role;
  /** Set for enterprise roles only. */
  enterpriseId: Types.ObjectId | null;
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<MembershipDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ROLES, required: true },
    enterpriseId: { type: Schema.Types.ObjectId, default: null },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ tenantId: 1, userId: 1, role: 1, enterpriseId: 1 }, { unique: true });
schema.index({ tenantId: 1, enterpriseId: 1, createdAt: 1, _id: 1 });
schema.index({ tenantId: 1, role: 1, createdAt: 1 });
schema.index({ tenantId: 1, createdAt: -1, _id: -1 });
schema.index({ userId: 1 });
schema.plugin(tenantScoped);

export const Membership: Model<MembershipDoc> =
  mongoose.models.Membership ?? mongoose.model<MembershipDoc>("Membership", schema, "memberships");
