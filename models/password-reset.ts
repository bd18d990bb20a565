import mongoose, { Schema, type Model, type Types } from "mongoose";

/**
 * A password-reset link. `_id` is the SHA-256 of the token (the token itself is only in the email);
 * single use is arbitrated by a claim (`password-reset:<hash>:use`), not by `usedAt` in a filter
 * (FerretDB filtered updates are not atomic, docs/decisions/001-compare-and-set.md).
 */
export type PasswordResetDoc = {
  _id: string;
  userId: Types.ObjectId;
  /** The tenant whose login page asked for it (the link goes back there). */
  tenantId: Types.ObjectId;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  ip: string;
};

const schema = new Schema<PasswordResetDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true, index: true },
    usedAt: { type: Date, default: null },
    ip: { type: String, default: "" },
  },
  { versionKey: false },
);

export const PasswordReset: Model<PasswordResetDoc> =
  mongoose.models.PasswordReset ?? mongoose.model<PasswordResetDoc>("PasswordReset", schema, "password_resets");
