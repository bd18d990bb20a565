import mongoose, { Schema, type Model, type Types } from "mongoose";
import { tenantScoped } from "./tenant-scoped";

/**
 * An email to send. Written together with (or idempotently after) the change it reports;
 * delivery by the worker comes in the email step. `idempotencyKey` makes retries harmless.
 */
export type OutboxMessageDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  idempotencyKey: string;
  template: string;
  to: string;
  locale: "zh-CN" | "en";
  data: Record<string, unknown>;
  status: "pending" | "sending" | "sent" | "failed" | "cancelled";
  attempts: number;
  nextAttemptAt: Date;
  lastError: string;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<OutboxMessageDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    idempotencyKey: { type: String, required: true, unique: true },
    template: { type: String, required: true },
    to: { type: String, required: true },
    locale: { type: String, enum: ["zh-CN", "en"], default: "zh-CN" },
    data: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: ["pending", "sending", "sent", "failed", "cancelled"], default: "pending" },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, default: "" },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ status: 1, nextAttemptAt: 1 });
schema.index({ tenantId: 1, createdAt: -1 });
schema.plugin(tenantScoped);

export const OutboxMessage: Model<OutboxMessageDoc> =
  mongoose.models.OutboxMessage ?? mongoose.model<OutboxMessageDoc>("OutboxMessage", schema, "outbox_messages");
