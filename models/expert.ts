import mongoose, { Schema, type Model, type Types } from "mongoose";
import { INDUSTRY_KEYS, type IndustryKey } from "../app/lib/domain";
import { tenantScoped } from "./tenant-scoped";

/**
 * An expert (评审员) of one review body: a user account with the reviewer role in this tenant.
 * One expert record per user and tenant; the certificate number is unique in the tenant.
 */
export type ExpertDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  reviewBodyId: Types.ObjectId;
  userId: Types.ObjectId;
  name: string;
  certificateNo: string;
  /** Industry keys (app/lib/domain.ts INDUSTRIES) the expert may review. */
  specialties: IndustryKey[];
  employer: string;
  phone: string;
  email: string;
  active: boolean;
  /** Enterprises the expert declared a conflict of interest with (worked for, advised). */
  conflictEnterpriseIds: Types.ObjectId[];
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<ExpertDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    reviewBodyId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    certificateNo: { type: String, required: true, trim: true, maxlength: 50 },
    specialties: { type: [{ type: String, enum: INDUSTRY_KEYS }], default: [] },
    employer: { type: String, default: "", maxlength: 100 },
    phone: { type: String, default: "", maxlength: 30 },
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    active: { type: Boolean, default: true },
    conflictEnterpriseIds: { type: [Schema.Types.ObjectId], default: [] },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ tenantId: 1, userId: 1 }, { unique: true });
schema.index({ tenantId: 1, certificateNo: 1 }, { unique: true });
// A body's experts page (bounded, by name); experts who declared a conflict with an enterprise.
schema.index({ tenantId: 1, reviewBodyId: 1, name: 1, _id: 1 });
schema.index({ tenantId: 1, conflictEnterpriseIds: 1 });
schema.plugin(tenantScoped);

export const Expert: Model<ExpertDoc> =
  mongoose.models.Expert ?? mongoose.model<ExpertDoc>("Expert", schema, "experts");
