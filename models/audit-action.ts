import mongoose, { Schema, type Model, type Types } from "mongoose";
import { tenantScoped } from "./tenant-scoped";

/**
 * The actions that occur in a tenant's audit log, for its filter list (decision 034): one
 * document per tenant and action, `_id` = `<tenantId>:<action>`, upserted when an event is
 * recorded. Listing them reads a handful of documents instead of `distinct` over the whole log.
 */
export type AuditActionDoc = { _id: string; tenantId: Types.ObjectId; action: string };

const schema = new Schema<AuditActionDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    action: { type: String, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1 });
schema.plugin(tenantScoped);

export const AuditAction: Model<AuditActionDoc> =
  mongoose.models.AuditAction ?? mongoose.model<AuditActionDoc>("AuditAction", schema, "audit_actions");
