import mongoose, { Schema, type Model, type Types } from "mongoose";

/** A person. Users are global (one email, one password); roles live in per-tenant memberships. */
export type UserDoc = {
  _id: Types.ObjectId;
  email: string;
  name: string;
  passwordHash: string;
  locale: "zh-CN" | "en";
  platformAdmin: boolean;
  disabled: boolean;
  passwordChangedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<UserDoc>(
  {
    email: { type: String, required: true, unique: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    passwordHash: { type: String, required: true },
    locale: { type: String, enum: ["zh-CN", "en"], default: "zh-CN" },
    platformAdmin: { type: Boolean, default: false },
    disabled: { type: Boolean, default: false },
    passwordChangedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);

export const User: Model<UserDoc> = mongoose.models.User ?? mongoose.model<UserDoc>("User", schema, "users");
