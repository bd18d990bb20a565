import mongoose, { Schema, type Model, type Types } from "mongoose";

/** Append-only security log. No update or delete path exists in the app; retention is unlimited. */
export type AuditEventDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId | null;
  at: Date;
  /** YYYYMM of `at` in China time: the bucket the log is read by, newest first (decision 034). */
  month: number | null;
  action: string;
  actorId: Types.ObjectId | null;
  actorEmail: string;
  ip: string;
  targetType: string;
  targetId: string;
  targetLabel: string;
  details: Record<string, unknown>;
};

const schema = new Schema<AuditEventDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, default: null },
    at: { type: Date, required: true },
    month: { type: Number, default: null },
    action: { type: String, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    actorEmail: { type: String, default: "" },
    ip: { type: String, default: "" },
    targetType: { type: String, default: "" },
    targetId: { type: String, default: "" },
    targetLabel: { type: String, default: "" },
    details: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, at: -1, _id: -1 });
schema.index({ tenantId: 1, action: 1, at: -1, _id: -1 });
// The month walk (decision 034): `{ tenantId, month }` and `{ tenantId, month, action }`.
schema.index({ tenantId: 1, month: 1, action: 1 });

export const AuditEvent: Model<AuditEventDoc> =
  mongoose.models.AuditEvent ?? mongoose.model<AuditEventDoc>("AuditEvent", schema, "audit_events");
