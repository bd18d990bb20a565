import mongoose, { Schema, type Model, type Types } from "mongoose";
import { isValidCreditCode } from "../app/lib/credit-code";
import { tenantScoped } from "./tenant-scoped";

/** A review body (评审单位) engaged by the tenant's authority; it forms review panels (DOMAIN.md §10). */
export type ReviewBodyDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  creditCode: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  /** Free text: qualification / accreditation of the body. */
  qualificationNote: string;
  active: boolean;
  /** Users with the review_body_admin role who manage this body (its experts and panels). */
  adminUserIds: Types.ObjectId[];
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<ReviewBodyDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    creditCode: { type: String, required: true, validate: { validator: isValidCreditCode } },
    contactName: { type: String, default: "", maxlength: 100 },
    contactPhone: { type: String, default: "", maxlength: 30 },
    contactEmail: { type: String, default: "", maxlength: 254 },
    qualificationNote: { type: String, default: "", maxlength: 2000 },
    active: { type: Boolean, default: true },
    adminUserIds: { type: [Schema.Types.ObjectId], default: [] },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ tenantId: 1, creditCode: 1 }, { unique: true });
// The list page (bounded, by name) and "which body does this admin manage".
schema.index({ tenantId: 1, name: 1, _id: 1 });
schema.index({ tenantId: 1, adminUserIds: 1 });
schema.plugin(tenantScoped);

export const ReviewBody: Model<ReviewBodyDoc> =
  mongoose.models.ReviewBody ?? mongoose.model<ReviewBodyDoc>("ReviewBody", schema, "review_bodies");
