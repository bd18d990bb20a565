import mongoose, { Schema, type Model, type Types } from "mongoose";
import { INDUSTRY_KEYS, SIZE_CLASSES, type IndustryKey, type SizeClass } from "../app/lib/domain";
import { isValidCreditCode } from "../app/lib/credit-code";
import {
  industryDivision,
  industryFitsDivision,
  LICENCE_TYPES,
  nextLicenceExpiry,
  SCALE_FLAGS,
  type Licence,
  type ScaleFlag,
} from "../app/lib/enterprise-master-data";
import { stampOnWrite } from "./public-stamp";
import { tenantScoped } from "./tenant-scoped";

export type EnterpriseDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  creditCode: string;
  industry: IndustryKey;
  sizeClass: SizeClass;
  districtCode: string;
  /** GB/T 4754-2017 division (2 digits) and its section letter (Step 12); "" = not given. */
  industryDivision: string;
  industrySection: string;
  /** 规上/规下 (statistical size threshold); "" = not given. 规下 proposes the small/micro rubric. */
  scale: "" | ScaleFlag;
  /** Licences (type, number, expiry); their expiry warns on the licence veto item and tasks the regulator. */
  licences: Licence[];
  /** The earliest licence expiry, for the regulator's task list (one indexed range query). */
  licenceNextExpiry: Date | null;
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

const licenceSchema = new Schema<Licence>(
  {
    type: { type: String, enum: LICENCE_TYPES, required: true },
    number: { type: String, required: true, maxlength: 60 },
    expiresAt: { type: Date, required: true },
  },
  { _id: false },
);

const schema = new Schema<EnterpriseDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    creditCode: { type: String, required: true, validate: { validator: isValidCreditCode } },
    industry: { type: String, enum: INDUSTRY_KEYS, required: true },
    sizeClass: { type: String, enum: SIZE_CLASSES, required: true },
    districtCode: { type: String, required: true },
    industryDivision: { type: String, default: "" },
    industrySection: { type: String, default: "" },
    scale: { type: String, enum: ["", ...SCALE_FLAGS], default: "" },
    licences: { type: [licenceSchema], default: [] },
    licenceNextExpiry: { type: Date, default: null },
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
schema.index({ tenantId: 1, licenceNextExpiry: 1, _id: 1 });
// The section follows the division, and the division must fit the rubric industry (GB/T 4754 → rubric).
schema.pre("validate", function () {
  this.industrySection = industryDivision(this.industryDivision)?.section ?? "";
  if (!industryFitsDivision(this.industry, this.industryDivision)) this.invalidate("industry", "industry does not fit the GB/T 4754 division");
  this.licenceNextExpiry = nextLicenceExpiry(this.licences);
});
// Which enterprises a rubric applies to (the rubric publish dialog counts them).
schema.index({ tenantId: 1, industry: 1, sizeClass: 1 });
schema.plugin(tenantScoped);
// The tenant lists cache slim rows of this collection; every write renews the tenant's stamp (decision 031).
schema.plugin(stampOnWrite, { tenantScope: "enterprises" });

export const Enterprise: Model<EnterpriseDoc> =
  mongoose.models.Enterprise ?? mongoose.model<EnterpriseDoc>("Enterprise", schema, "enterprises");
