import mongoose, { Schema, type Model, type Types } from "mongoose";
import { tenantScoped } from "./tenant-scoped";

/**
 * One version of a grading rubric. `tenantId: null` = shipped with the product (imported from
 * rubrics/*.json at start) and visible to every tenant; otherwise a tenant's own clone.
 * Published versions are immutable: assessments pin `_id` and keep scoring against it forever.
 * The rubric itself is stored as canonical JSON text (its `$schemaVersion` key is not a legal
 * field name for every MongoDB-compatible server, and the document is always read whole).
 */
export type RubricVersionDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId | null;
  key: string;
  version: string;
  title: { zh: string; en: string };
  standard: string;
  status: "draft" | "published" | "archived";
  source: "file" | "tenant";
  parentId: Types.ObjectId | null;
  contentJson: string;
  contentHash: string;
  itemCount: number;
  totalPoints: number;
  industries: string[];
  sizeClasses: string[];
  createdBy: Types.ObjectId | null;
  publishedAt: Date | null;
  publishedBy: Types.ObjectId | null;
  /** Compare-and-set counter for draft edits. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<RubricVersionDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, default: null },
    key: { type: String, required: true },
    version: { type: String, required: true },
    title: { zh: { type: String, required: true }, en: { type: String, default: "" } },
    standard: { type: String, default: "" },
    status: { type: String, enum: ["draft", "published", "archived"], required: true },
    source: { type: String, enum: ["file", "tenant"], required: true },
    parentId: { type: Schema.Types.ObjectId, default: null },
    contentJson: { type: String, required: true },
    contentHash: { type: String, required: true },
    itemCount: { type: Number, required: true },
    totalPoints: { type: Number, required: true },
    industries: { type: [String], default: [] },
    sizeClasses: { type: [String], default: [] },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    publishedAt: { type: Date, default: null },
    publishedBy: { type: Schema.Types.ObjectId, default: null },
    revision: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ tenantId: 1, key: 1, version: 1 }, { unique: true });
schema.index({ tenantId: 1, key: 1, createdAt: -1 });
schema.plugin(tenantScoped);

export const RubricVersion: Model<RubricVersionDoc> =
  mongoose.models.RubricVersion ?? mongoose.model<RubricVersionDoc>("RubricVersion", schema, "rubric_versions");
