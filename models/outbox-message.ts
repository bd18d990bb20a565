import mongoose, { Schema, type Model, type Types } from "mongoose";
import { OUTBOX_STATUSES, type OutboxStatus } from "../app/lib/outbox";
import { tenantScoped } from "./tenant-scoped";

/** One delivery attempt, as the worker recorded it. */
export type OutboxAttempt = {
  at: Date;
  /** sent; retry = temporary failure (connection, 4xx); failed = permanent (5xx, bad data); interrupted = the worker's lease ran out (it died). */
  outcome: "sent" | "retry" | "failed" | "interrupted";
  /** The SMTP server's reply or the error text. */
  response: string;
  worker: string;
};

export { OUTBOX_STATUSES, type OutboxStatus } from "../app/lib/outbox";

/**
 * An email to send. Written together with (or idempotently after) the change it reports;
 * `idempotencyKey` makes retries harmless. The worker (app/data/outbox-worker.server.ts) moves it
 * pending/retry → sending → sent/retry/failed by compare-and-set on `version`
 * (docs/decisions/008-outbox.md).
 */
export type OutboxMessageDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  idempotencyKey: string;
  template: string;
  to: string;
  locale: "zh-CN" | "en";
  data: Record<string, unknown>;
  status: OutboxStatus;
  attempts: OutboxAttempt[];
  /** Attempts before this index do not count toward the limit (an admin retried a failed message). */
  countFrom: number;
  nextAttemptAt: Date;
  /** While `sending`: after this instant the claim is considered abandoned (worker died). */
  leaseUntil: Date | null;
  claimedBy: string;
  lastError: string;
  sentAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

const attemptSchema = new Schema<OutboxAttempt>(
  {
    at: { type: Date, required: true },
    outcome: { type: String, enum: ["sent", "retry", "failed", "interrupted"], required: true },
    response: { type: String, default: "" },
    worker: { type: String, default: "" },
  },
  { _id: false },
);

const schema = new Schema<OutboxMessageDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    idempotencyKey: { type: String, required: true },
    template: { type: String, required: true },
    to: { type: String, required: true },
    locale: { type: String, enum: ["zh-CN", "en"], default: "zh-CN" },
    data: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: OUTBOX_STATUSES, default: "pending" },
    attempts: { type: [attemptSchema], default: [] },
    countFrom: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    leaseUntil: { type: Date, default: null },
    claimedBy: { type: String, default: "" },
    lastError: { type: String, default: "" },
    sentAt: { type: Date, default: null },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ status: 1, nextAttemptAt: 1, leaseUntil: 1 });
schema.index({ status: 1, updatedAt: 1 });
schema.index({ tenantId: 1, createdAt: -1, _id: -1 });
schema.index({ tenantId: 1, status: 1, createdAt: -1, _id: -1 });
// Keys are built from ids of tenant-owned documents: unique per tenant is the same rule, and a
// tenantId-prefixed unique index is what sharding on tenantId allows (docs/scale-out.md).
schema.index({ tenantId: 1, idempotencyKey: 1 }, { unique: true });
schema.plugin(tenantScoped);

export const OutboxMessage: Model<OutboxMessageDoc> =
  mongoose.models.OutboxMessage ?? mongoose.model<OutboxMessageDoc>("OutboxMessage", schema, "outbox_messages");

/** The Message-ID every delivery of this message carries: receivers drop the duplicates. */
export function outboxMessageId(id: Types.ObjectId | string): string {
  return `<${String(id)}@safegrade>`;
}
