import mongoose, { Schema, type Model, type Types } from "mongoose";
import { INDUSTRY_KEYS, SIZE_CLASSES, type IndustryKey, type SizeClass } from "../app/lib/domain";
import { isValidCreditCode } from "../app/lib/credit-code";
import { tenantScoped } from "./tenant-scoped";

export type EnterpriseDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  creditCode: string;
  industry: IndustryKey;
  sizeClass: SizeClass;
  districtCode: string;
  address: string;
  contactName: string;
  contactPhone: string;
  status: "active" | "suspended";
  /** Compare-and-set counter for concurrent edits. */
  version: number;
  /**
   * Set while master data must not change (DOMAIN.md §5: from submission of a grading application
   * until its review ends). Null when editable. Written by the grading workflow, not by edit forms.
   */
  lockedReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<EnterpriseDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    creditCode: { type: String, required: true, validate: { validator: isValidCreditCode } },
    industry: { type: String, enum: INDUSTRY_KEYS, required: true },
    sizeClass: { type: String, enum: SIZE_CLASSES, required: true },
    districtCode: { type: String, required: true },
    address: { type: String, default: "", maxlength: 200 },
    contactName: { type: String, default: "", maxlength: 100 },
    contactPhone: { type: String, default: "", maxlength: 30 },
    status: { type: String, enum: ["active", "suspended"], default: "active" },
    version: { type: Number, default: 0 },
    lockedReason: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ tenantId: 1, creditCode: 1 }, { unique: true });
schema.index({ tenantId: 1, name: 1, _id: 1 });
schema.index({ tenantId: 1, districtCode: 1, industry: 1 });
// Which enterprises a rubric applies to (the rubric publish dialog counts them).
schema.index({ tenantId: 1, industry: 1, sizeClass: 1 });
schema.plugin(tenantScoped);

export const Enterprise: Model<EnterpriseDoc> =
  mongoose.models.Enterprise ?? mongoose.model<EnterpriseDoc>("Enterprise", schema, "enterprises");
