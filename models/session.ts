import mongoose, { Schema, type Model, type Types } from "mongoose";

/**
 * A login session. `_id` is the SHA-256 of the random token held in the cookie, so a copy of
 * this collection cannot be replayed as cookies. Expiry is checked after the `_id` read (FerretDB has no
 * TTL indexes) and old rows are removed by the cleanup job.
 */
export type SessionDoc = {
  _id: string;
  userId: Types.ObjectId;
  createdAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
};

const schema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true, index: true },
    ip: { type: String, default: "" },
    userAgent: { type: String, default: "", maxlength: 300 },
  },
  { versionKey: false },
);

export const Session: Model<SessionDoc> = mongoose.models.Session ?? mongoose.model<SessionDoc>("Session", schema, "sessions");
