import mongoose, { Schema, type Model, type Types } from "mongoose";
import { tenantScoped } from "./tenant-scoped";

/**
 * One rectification item (整改项) of a review: a deducted rubric item the reviewer asked the
 * enterprise to rectify, the enterprise's answer (note + evidence files in the GridFS evidence
 * bucket) and the reviewer's decision. One document per (application, rubric item); every change
 * is a compare-and-set on `version` (docs/decisions/001, 021).
 */
export const RECTIFICATION_STATUSES = ["open", "answered", "accepted", "reopened"] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number];

export type RectificationFile = {
  fileId: Types.ObjectId;
  name: string;
  size: number;
  contentType: string;
  uploadedAt: Date;
  uploadedBy: Types.ObjectId;
};

export type RectificationDecision = {
  at: Date;
  by: Types.ObjectId;
  decision: "accept" | "reopen" | "leaveOpen";
  note: string;
};

export type RectificationItemDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  applicationId: Types.ObjectId;
  itemId: string;
  elementId: string;
  itemTitle: { zh: string; en?: string };
  /** The reviewer's request (the round's reason) and who asked. */
  requestNote: string;
  requestedAt: Date;
  requestedBy: Types.ObjectId | null;
  /** End of the working day the answer is due (the round's rectifyBy). */
  deadline: Date;
  /** How many times it was asked for (1 + re-opened rounds). */
  round: number;
  status: RectificationStatus;
  answer: { note: string; at: Date; by: Types.ObjectId } | null;
  files: RectificationFile[];
  decisions: RectificationDecision[];
  /** Accepted at; null while open. */
  closedAt: Date | null;
  /** The reviewer left it open (not rectified) with this reason; the report shows it. */
  leftOpenReason: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

const fileSchema = new Schema<RectificationFile>(
  {
    fileId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    size: { type: Number, required: true },
    contentType: { type: String, required: true },
    uploadedAt: { type: Date, required: true },
    uploadedBy: { type: Schema.Types.ObjectId, required: true },
  },
  { _id: false },
);

const decisionSchema = new Schema<RectificationDecision>(
  {
    at: { type: Date, required: true },
    by: { type: Schema.Types.ObjectId, required: true },
    decision: { type: String, enum: ["accept", "reopen", "leaveOpen"], required: true },
    note: { type: String, default: "" },
  },
  { _id: false },
);

const schema = new Schema<RectificationItemDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    applicationId: { type: Schema.Types.ObjectId, required: true },
    itemId: { type: String, required: true },
    elementId: { type: String, default: "" },
    itemTitle: { zh: { type: String, default: "" }, en: { type: String } },
    requestNote: { type: String, default: "" },
    requestedAt: { type: Date, required: true },
    requestedBy: { type: Schema.Types.ObjectId, default: null },
    deadline: { type: Date, required: true },
    round: { type: Number, default: 1 },
    status: { type: String, enum: RECTIFICATION_STATUSES, default: "open" },
    answer: { type: Schema.Types.Mixed, default: null },
    files: { type: [fileSchema], default: [] },
    decisions: { type: [decisionSchema], default: [] },
    closedAt: { type: Date, default: null },
    leftOpenReason: { type: String, default: null },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// The application's items, in rubric-id order (one per item: a second request is refused).
schema.index({ tenantId: 1, applicationId: 1, itemId: 1 }, { unique: true });
// Orphan purge of the evidence bucket (platform job, across tenants).
schema.index({ "files.fileId": 1 });
schema.plugin(tenantScoped);

export const RectificationItem: Model<RectificationItemDoc> =
  mongoose.models.RectificationItem ??
  mongoose.model<RectificationItemDoc>("RectificationItem", schema, "rectification_items");
