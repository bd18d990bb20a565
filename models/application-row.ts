import mongoose, { Schema, type Model, type Types } from "mongoose";
import { stampOnWrite } from "./public-stamp";
import { tenantScoped } from "./tenant-scoped";

/**
 * The list view of one application (decision 027): a slim copy of the fields the application
 * lists, queues, counts and to-do homes filter, sort and show. An assessment carries every answer,
 * its history and review (tens of KB); FerretDB decodes a whole document before it projects, so
 * a list over assessments costs the size of all their answers. Same `_id` as the assessment.
 * Derived: every write through the Assessment model rewrites it (models/application-row-sync.ts),
 * and a database from before it is filled at start-up (`fillApplicationRows`).
 * Field names are the assessment's, so a row is also a slim assessment for the list code.
 */
export type ApplicationRowDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  districtCode: string;
  cycle: string;
  state: string;
  appliedLevel: string | null;
  /** Only the score of the assessment's summary. */
  scoreSummary: { score: number | null } | null;
  /** Only the workflow's state value (a returned draft is told apart by it). */
  workflow: { value: unknown } | null;
  submittedAt: Date | null;
  updatedAt: Date;
  deadlines: Record<string, Date | string | null> | null;
  reviewerIds: Types.ObjectId[];
  reviewBodyId: Types.ObjectId | null;
  rubricVersionId: Types.ObjectId;
  objectionCount: number;
  /** The assessment's `version` and `updatedAt` this row was built from (to see it moved). */
  sourceVersion: number;
  sourceUpdatedAt: Date;
};

const schema = new Schema<ApplicationRowDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    enterpriseId: { type: Schema.Types.ObjectId, required: true },
    districtCode: { type: String, default: "" },
    cycle: { type: String, required: true },
    state: { type: String, required: true },
    appliedLevel: { type: String, default: null },
    scoreSummary: { type: Schema.Types.Mixed, default: null },
    workflow: { type: Schema.Types.Mixed, default: null },
    submittedAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
    deadlines: { type: Schema.Types.Mixed, default: null },
    reviewerIds: { type: [Schema.Types.ObjectId], default: [] },
    reviewBodyId: { type: Schema.Types.ObjectId, default: null },
    rubricVersionId: { type: Schema.Types.ObjectId, required: true },
    objectionCount: { type: Number, default: 0 },
    sourceVersion: { type: Number, default: 0 },
    sourceUpdatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// The same list shapes the assessments served before (decision 012), now on slim documents.
schema.index({ tenantId: 1, submittedAt: 1 });
schema.index({ tenantId: 1, state: 1, submittedAt: 1, _id: 1 });
schema.index({ tenantId: 1, state: 1, updatedAt: -1, _id: 1 });
schema.index({ tenantId: 1, districtCode: 1, state: 1, submittedAt: 1, _id: 1 });
schema.index({ tenantId: 1, cycle: -1, updatedAt: -1, _id: 1 });
schema.index({ tenantId: 1, enterpriseId: 1, cycle: -1, _id: 1 });
schema.index({ tenantId: 1, reviewerIds: 1, updatedAt: -1, _id: 1 });
schema.index({ tenantId: 1, reviewBodyId: 1, updatedAt: -1, _id: 1 });
// Overdue queues (dashboard links, to-do home): one $or branch per deadline, each on its index.
schema.index({ tenantId: 1, state: 1, submittedAt: 1, _id: 1, "deadlines.acceptBy": 1 });
schema.index({ tenantId: 1, state: 1, "deadlines.acceptBy": 1 });
schema.index({ tenantId: 1, state: 1, submittedAt: 1, _id: 1, "deadlines.reviewBy": 1 });
schema.index({ tenantId: 1, state: 1, "deadlines.reviewBy": 1 });
schema.index({
  tenantId: 1,
  districtCode: 1,
  state: 1,
  submittedAt: 1,
  _id: 1,
  "deadlines.acceptBy": 1,
});
schema.index({ tenantId: 1, districtCode: 1, state: 1, "deadlines.acceptBy": 1 });
schema.index({
  tenantId: 1,
  districtCode: 1,
  state: 1,
  submittedAt: 1,
  _id: 1,
  "deadlines.reviewBy": 1,
});
schema.index({ tenantId: 1, districtCode: 1, state: 1, "deadlines.reviewBy": 1 });
// Public notices ending soon (regulator's to-do home).
schema.index({ tenantId: 1, state: 1, "deadlines.noticeEndsAt": 1, _id: 1 });
// One cycle's queues (dashboard links).
schema.index({ tenantId: 1, cycle: 1, state: 1, submittedAt: 1, _id: 1 });
schema.index({ tenantId: 1, cycle: 1, state: 1 });
schema.plugin(tenantScoped);
// The regulator's queues read the tenant's rows from a per-process cache (decision 031).
schema.plugin(stampOnWrite, { tenantScope: "application-rows" });

export const ApplicationRow: Model<ApplicationRowDoc> =
  mongoose.models.ApplicationRow ??
  mongoose.model<ApplicationRowDoc>("ApplicationRow", schema, "application_rows");
