import mongoose, { Schema, type Model, type Types } from "mongoose";
import { INDUSTRY_KEYS, SIZE_CLASSES, type IndustryKey, type SizeClass } from "../app/lib/domain";
import { tenantScoped } from "./tenant-scoped";

export const REGISTRATION_STATUSES = ["pending", "approving", "approved", "refused"] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/**
 * An enterprise's self-registration, waiting for a regulator's decision.
 * `approving` is held by an approval in progress (there are no transactions): the move to it fixes
 * the ids of the enterprise and user to create, so a retried approval finishes the same records
 * instead of creating new ones, and a refusal cannot slip in while it holds.
 */
export type RegistrationDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  status: RegistrationStatus;
  enterprise: {
    name: string;
    creditCode: string;
    industry: IndustryKey;
    sizeClass: SizeClass;
    districtCode: string;
    /** GB/T 4754 division and 规上/规下 (Step 12); "" = not given. Carried to the enterprise on approval. */
    industryDivision?: string;
    scale?: "" | "above" | "below";
    address: string;
    contactName: string;
    contactPhone: string;
  };
  /** `passwordHash` is cleared once the registration is decided (the user keeps its own copy). */
  admin: { email: string; name: string; passwordHash: string; locale: "zh-CN" | "en" };
  decidedBy: Types.ObjectId | null;
  decidedAt: Date | null;
  reason: string;
  enterpriseId: Types.ObjectId | null;
  userId: Types.ObjectId | null;
  /** Compare-and-set counter: every status change goes through `casUpdate` (app/data/cas.server.ts). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<RegistrationDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: REGISTRATION_STATUSES, default: "pending" },
    enterprise: {
      name: { type: String, required: true, maxlength: 100 },
      creditCode: { type: String, required: true },
      industry: { type: String, enum: INDUSTRY_KEYS, required: true },
      sizeClass: { type: String, enum: SIZE_CLASSES, required: true },
      districtCode: { type: String, required: true },
      industryDivision: { type: String, default: "" },
      scale: { type: String, enum: ["", "above", "below"], default: "" },
      address: { type: String, default: "" },
      contactName: { type: String, default: "" },
      contactPhone: { type: String, default: "" },
    },
    admin: {
      email: { type: String, required: true, lowercase: true },
      name: { type: String, required: true },
      passwordHash: { type: String, default: "" },
      locale: { type: String, enum: ["zh-CN", "en"], default: "zh-CN" },
    },
    decidedBy: { type: Schema.Types.ObjectId, default: null },
    decidedAt: { type: Date, default: null },
    reason: { type: String, default: "" },
    enterpriseId: { type: Schema.Types.ObjectId, default: null },
    userId: { type: Schema.Types.ObjectId, default: null },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ tenantId: 1, status: 1, createdAt: -1, _id: -1 });
schema.index({ tenantId: 1, status: 1, decidedAt: -1, _id: -1 });
schema.index({ tenantId: 1, "enterprise.creditCode": 1, status: 1 });
schema.index({ "admin.email": 1, status: 1 });
schema.plugin(tenantScoped);

export const Registration: Model<RegistrationDoc> =
  mongoose.models.Registration ??
  mongoose.model<RegistrationDoc>("Registration", schema, "registrations");
