import mongoose, { Schema, type Model, type Types } from "mongoose";
import { ROLES, type Role } from "../app/lib/domain";
import { tenantScoped } from "./tenant-scoped";

export type InvitationDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  email: string;
  role: Role;
  enterpriseId: Types.ObjectId | null;
  /** SHA-256 of the token in the link; the token itself is never stored. */
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  usedBy: Types.ObjectId | null;
  revokedAt: Date | null;
  invitedBy: Types.ObjectId;
  createdAt: Date;
};

const schema = new Schema<InvitationDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true, lowercase: true, trim: true },
    role: { type: String, enum: ROLES, required: true },
    enterpriseId: { type: Schema.Types.ObjectId, default: null },
    tokenHash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    usedBy: { type: Schema.Types.ObjectId, default: null },
    revokedAt: { type: Date, default: null },
    invitedBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
schema.index({ tenantId: 1, createdAt: -1, _id: -1 });
schema.index({ tenantId: 1, tokenHash: 1 }, { unique: true });
schema.index({ tenantId: 1, email: 1 });
schema.plugin(tenantScoped);

export const Invitation: Model<InvitationDoc> =
  mongoose.models.Invitation ?? mongoose.model<InvitationDoc>("Invitation", schema, "invitations");
