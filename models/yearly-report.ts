import mongoose, { Schema, type Model, type Types } from "mongoose";
import { ACCIDENT_CLASSES, type AccidentClass } from "../app/lib/yearly-report";
import { REVOCATION_GROUND_KEYS, type RevocationGroundKey } from "../app/lib/revocation-grounds";
import { tenantScoped } from "./tenant-scoped";

/**
 * A yearly self-assessment report (年度自评报告) owed by a certified enterprise for one year of a
 * certificate's validity (app/lib/yearly-report.ts). Created by the yearly-report job with the
 * unique key (tenantId, certificateId, year) as its claim; edits and submission are
 * compare-and-set writes on `version` (decision 001). What the lists need sits at the top level.
 */
export type YearlyReportAccident = {
  occurredOn: string;
  accidentClass: AccidentClass;
  deaths: number;
  seriousInjuries: number;
  directLoss: number;
  summary: string;
};
type Change = { changed: boolean; detail: string };

export type YearlyReportDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  certificateId: Types.ObjectId;
  /** The certificate's application: its rubric version is the pinned rubric, its answers carry over. */
  applicationId: Types.ObjectId;
  year: number;
  periodStart: Date;
  periodEnd: Date;
  dueAt: Date;
  enterpriseName: string;
  certificateNumber: string;
  level: string;
  districtCode: string;
  /** The self-assessment run for this report (the wizard on the pinned rubric), once started. */
  assessmentId: Types.ObjectId | null;
  accidents: YearlyReportAccident[];
  hazards: { found: number; fixed: number; overdue: number };
  changes: { name: Change; address: Change; scope: Change; principal: Change };
  note: string;
  submittedAt: Date | null;
  submittedBy: Types.ObjectId | null;
  score: number | null;
  minScore: number | null;
  belowBand: boolean;
  grounds: RevocationGroundKey[];
  /** "open" while a flagged report waits for the regulator; "done" once decided; "none" otherwise. */
  review: "none" | "open" | "done";
  reviewNote: string;
  reviewedAt: Date | null;
  reviewedBy: Types.ObjectId | null;
  remindersSent: number[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

const change = { changed: { type: Boolean, default: false }, detail: { type: String, default: "" } };

const schema = new Schema<YearlyReportDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    enterpriseId: { type: Schema.Types.ObjectId, required: true },
    certificateId: { type: Schema.Types.ObjectId, required: true },
    applicationId: { type: Schema.Types.ObjectId, required: true },
    year: { type: Number, required: true, min: 1 },
    periodStart: { type: Date, required: true },
    periodEnd: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    enterpriseName: { type: String, required: true },
    certificateNumber: { type: String, required: true },
    level: { type: String, required: true },
    districtCode: { type: String, default: "" },
    assessmentId: { type: Schema.Types.ObjectId, default: null },
    accidents: [
      {
        _id: false,
        occurredOn: { type: String, required: true },
        accidentClass: { type: String, enum: ACCIDENT_CLASSES, required: true },
        deaths: { type: Number, min: 0, default: 0 },
        seriousInjuries: { type: Number, min: 0, default: 0 },
        directLoss: { type: Number, min: 0, default: 0 },
        summary: { type: String, default: "" },
      },
    ],
    hazards: {
      found: { type: Number, min: 0, default: 0 },
      fixed: { type: Number, min: 0, default: 0 },
      overdue: { type: Number, min: 0, default: 0 },
    },
    changes: { name: change, address: change, scope: change, principal: change },
    note: { type: String, default: "" },
    submittedAt: { type: Date, default: null },
    submittedBy: { type: Schema.Types.ObjectId, default: null },
    score: { type: Number, default: null },
    minScore: { type: Number, default: null },
    belowBand: { type: Boolean, default: false },
    grounds: { type: [{ type: String, enum: REVOCATION_GROUND_KEYS }], default: [] },
    review: { type: String, enum: ["none", "open", "done"], default: "none" },
    reviewNote: { type: String, default: "" },
    reviewedAt: { type: Date, default: null },
    reviewedBy: { type: Schema.Types.ObjectId, default: null },
    remindersSent: { type: [Number], default: [] },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
schema.index({ tenantId: 1, certificateId: 1, year: 1 }, { unique: true });
// Lists: the regulator's by due date, the enterprise's own, open revocation reviews.
schema.index({ tenantId: 1, dueAt: 1, _id: 1 });
schema.index({ tenantId: 1, enterpriseId: 1, dueAt: 1 });
schema.index({ tenantId: 1, review: 1, dueAt: 1, _id: 1 });
schema.index({ tenantId: 1, submittedAt: 1, dueAt: 1, _id: 1 });
schema.plugin(tenantScoped);

export const YearlyReport: Model<YearlyReportDoc> =
  mongoose.models.YearlyReport ??
  mongoose.model<YearlyReportDoc>("YearlyReport", schema, "yearly_reports");
