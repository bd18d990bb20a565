import mongoose, { Schema, type Model } from "mongoose";

/** Fixed-window counters shared by all app instances. `_id` = `<key>|<window start ms>`. */
export type RateLimitDoc = { _id: string; key: string; count: number; expiresAt: Date };

const schema = new Schema<RateLimitDoc>(
  {
    _id: { type: String, required: true },
    // clearSlotGroup deletes by `key` (every login counter of an account after a reset).
    key: { type: String, required: true, index: true },
    count: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true, index: true },
  },
  { versionKey: false },
);

export const RateLimit: Model<RateLimitDoc> =
  mongoose.models.RateLimit ?? mongoose.model<RateLimitDoc>("RateLimit", schema, "rate_limits");
