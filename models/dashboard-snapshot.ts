import mongoose, { Schema, type Model, type Types } from "mongoose";
import { tenantScoped } from "./tenant-scoped";

/**
 * Precomputed dashboard counters of one tenant (Step 8). FerretDB is slow at aggregation over
 * 100k documents, so a job (and an on-demand refresh) counts everything once per tenant into
 * fine-grained counters keyed by enterprise segment (district × industry × size class); the
 * dashboard applies any filter combination to these counters in memory
 * (`app/data/dashboard.server.ts`).
 *
 * Two collections: a small HEAD per tenant (`dashboard_snapshots`: which data document is current
 * and when it was computed), read on every dashboard view, and the DATA (`dashboard_snapshot_data`:
 * gzip'd JSON of `SnapshotData`), read only when an instance sees a head it has not cached.
 * FerretDB reads whole documents even for a projection, so the head must not carry the data.
 * FerretDB 1.24 also refuses nested arrays, which the counters are made of: hence JSON text.
 */
export type DashboardSnapshotDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  format: number;
  computedAt: Date;
  /** Milliseconds the computation took (for logs and the benchmark). */
  tookMs: number;
  dataId: Types.ObjectId;
  /** Whole-tenant totals, for the platform admin's list of tenants (read without the data). */
  totals?: { enterprises: number; applications: number; certificates: number };
  createdAt: Date;
  updatedAt: Date;
};

export type DashboardSnapshotDataDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  /** gzip of the JSON text. */
  data: Buffer;
  createdAt: Date;
};

const headSchema = new Schema<DashboardSnapshotDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    format: { type: Number, required: true },
    computedAt: { type: Date, required: true },
    tookMs: { type: Number, default: 0 },
    dataId: { type: Schema.Types.ObjectId, required: true },
    totals: { enterprises: Number, applications: Number, certificates: Number },
  },
  { timestamps: true, versionKey: false },
);
headSchema.index({ tenantId: 1 }, { unique: true });
headSchema.plugin(tenantScoped);

const dataSchema = new Schema<DashboardSnapshotDataDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    data: { type: Buffer, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
dataSchema.index({ tenantId: 1, createdAt: 1 });
dataSchema.plugin(tenantScoped);

export const DashboardSnapshot: Model<DashboardSnapshotDoc> =
  mongoose.models.DashboardSnapshot ??
  mongoose.model<DashboardSnapshotDoc>("DashboardSnapshot", headSchema, "dashboard_snapshots");

export const DashboardSnapshotData: Model<DashboardSnapshotDataDoc> =
  mongoose.models.DashboardSnapshotData ??
  mongoose.model<DashboardSnapshotDataDoc>("DashboardSnapshotData", dataSchema, "dashboard_snapshot_data");
