import mongoose, { Schema, type Model, type Types } from "mongoose";
import { Enterprise } from "./enterprise";
import { keepApplicationRowsInStep } from "./application-row-sync";
import { tenantScoped } from "./tenant-scoped";

/**
 * One grading application (定级申请) of one enterprise in one cycle: the self-assessment
 * (自评) answers, and — from Step 4 on — the workflow state and its history, all in ONE document,
 * so every change is a single-document compare-and-set on `version`. A returned application goes
 * back to draft in this same document; it is never re-created.
 */
export type StoredDeduction = { rule: string; count: number; note?: string };
export type StoredAnswer = {
  choice: "full" | "partial" | "none" | "na";
  deductions?: StoredDeduction[];
  naReason?: string;
  note?: string;
  /** Set when the answer was copied from the previous cycle and not yet confirmed. */
  carriedOver?: boolean;
  updatedAt?: Date;
  updatedBy?: Types.ObjectId;
  /** The document `version` this answer was written at: a client based on an older version has not seen it. */
  rev?: number;
};

export type EvidenceRef = {
  fileId: Types.ObjectId;
  itemId: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedBy: Types.ObjectId;
  uploadedAt: Date;
  carriedOver?: boolean;
};

export type HistoryEntry = {
  at: Date;
  actorId: Types.ObjectId | null;
  actorRole: string;
  event: string;
  from: string;
  to: string;
  reason?: string;
  details?: Record<string, unknown>;
};

/** The grading workflow's running deadlines as Dates (mirrors `workflow.context.deadlines`, for queries). */
export type ApplicationDeadlines = { acceptBy?: Date; reviewBy?: Date; rectifyBy?: Date; noticeEndsAt?: Date };

/** One reviewer's own item-by-item scoring (same answer shape as the self-assessment). */
export type ReviewerAnswer = StoredAnswer & { itemId: string; evidenceComment?: string };

/**
 * The panel's one consolidated review sheet (Step 10): every item scored once, by the member the
 * lead gave its element to (an element nobody was given belongs to the lead). Saving an item of a
 * member's part withdraws that member's confirmation; the report needs every member's.
 */
export type ReviewSheet = {
  /** Consolidated answers in rubric order; `updatedBy`/`rev` say who wrote each and at which version. */
  answers: ReviewerAnswer[];
  /** Element id → panel member (user id hex). Kept as a list: ids are rubric data. */
  assignments: Array<{ elementId: string; userId: string }>;
  confirmations: Array<{ userId: string; at: Date; version: number }>;
  summary: { score: number | null; level: string | null; answered: number; items: number; savedAt: Date } | null;
};

export type ApplicationReview = {
  /** Before Step 10: reviewer user id (hex) → that reviewer's own answers. Read-only now (see `sheet`). */
  byReviewer: Record<string, ReviewerAnswer[]>;
  summaries: Record<string, { score: number | null; level: string | null; answered: number; items: number; savedAt: Date }>;
  rectifications: Array<{ at: Date; by: Types.ObjectId | null; reason: string; days: number; rectifyBy: Date | null }>;
  report: {
    at: Date;
    by: Types.ObjectId | null;
    recommendedLevel: string | null;
    reason: string | null;
    score: number | null;
    /** The level the consolidated score gives (Step 10); a different recommendation carries `reason`. */
    scoreLevel?: string | null;
  } | null;
  /** The consolidated sheet (Step 10); absent on applications reviewed before it. */
  sheet?: ReviewSheet | null;
};

/** An objection raised during the public notice (公示). Contact data is for the regulator only. */
export type ApplicationObjection = { at: Date; name: string; contact: string; statement: string; ip: string };

/** The side effects of one workflow transition, written in the same update as the transition. */
export type ApplicationEffects = { version: number; at: Date; event: string; items: Array<Record<string, unknown>> };

/** Set by CERTIFY; Step 5 issues the certificate from it. */
export type PendingCertificate = {
  level: string;
  appliedLevel: string | null;
  lowerLevel: boolean;
  issuedAt: Date;
  certifiedBy: Types.ObjectId | null;
  version: number;
};

export type AssessmentDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  /**
   * The enterprise's GB/T 2260 county code, copied at creation and kept in step with the enterprise
   * (Step 12): lists and the district limit of regulators filter on it by top-level equality.
   */
  districtCode?: string;
  /** Grading cycle, e.g. "2026". One open assessment per enterprise per cycle. */
  cycle: string;
  rubricVersionId: Types.ObjectId;
  rubricKey: string;
  rubricVersion: string;
  weightProfileKey: string | null;
  /** Level applied for (a rubric level key). */
  appliedLevel: string | null;
  /** itemId → answer. Item ids contain dots, so they are stored as an array, not as object keys. */
  answers: Array<StoredAnswer & { itemId: string }>;
  performance: Array<{ conditionId: string; passed: boolean; note?: string }>;
  /**
   * Accident record backing the performance declaration (app/lib/assessment/accidents.ts):
   * `{ none, accidents[], rev, updatedBy, updatedAt }`, validated by the shared checker; null = not declared.
   */
  accidentRecord: Record<string, unknown> | null;
  evidence: EvidenceRef[];
  /** Last computed score summary (denormalised for lists and dashboards). */
  scoreSummary: { score: number | null; level: string | null; eligible: boolean; answered: number; items: number } | null;
  previousAssessmentId: Types.ObjectId | null;
  /** Workflow state (Step 4 owns the machine); "draft" = editable by the enterprise. */
  state: string;
  workflow: Record<string, unknown> | null;
  history: HistoryEntry[];
  /** Who saved answers last, and when (a cleared answer leaves no trace of its own). */
  lastSavedBy: Types.ObjectId | null;
  lastSavedAt: Date | null;
  /** Compare-and-set counter: every write is `{ _id, version: expected }` → `$inc: { version: 1 }`. */
  version: number;
  createdBy: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
  // Grading workflow (Step 4). All written by app/data/grading.server.ts in the transition's CAS.
  /** Running deadlines of the workflow; {} when none runs. */
  deadlines?: ApplicationDeadlines | null;
  /** Assigned reviewers (mirrors `workflow.context.reviewers`, for "my assignments"). */
  reviewerIds?: Types.ObjectId[];
  /** Review body and panel lead (mirror `workflow.context`; the body's queue, rotation). */
  reviewBodyId?: Types.ObjectId | null;
  leadReviewerId?: Types.ObjectId | null;
  /** Last submission. */
  submittedAt?: Date | null;
  /** When the authority rejected the application (it bars reapplying for a while, Step 10). */
  rejectedAt?: Date | null;
  review?: ApplicationReview | null;
  objections?: ApplicationObjection[];
  effects?: ApplicationEffects[];
  pendingCertificate?: PendingCertificate | null;
  /** A renewal application (复评/延期): the certificate it renews, set by startRenewal (issue 16 item 4). */
  renewalOf?: Types.ObjectId | null;
};

const answerSchema = new Schema(
  {
    itemId: { type: String, required: true },
    choice: { type: String, enum: ["full", "partial", "none", "na"], required: true },
    deductions: [{ _id: false, rule: String, count: Number, note: String }],
    naReason: String,
    note: String,
    carriedOver: Boolean,
    updatedAt: Date,
    updatedBy: Schema.Types.ObjectId,
    rev: Number,
  },
  { _id: false },
);

const schema = new Schema<AssessmentDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    enterpriseId: { type: Schema.Types.ObjectId, required: true },
    districtCode: { type: String, default: "" },
    cycle: { type: String, required: true },
    rubricVersionId: { type: Schema.Types.ObjectId, required: true },
    rubricKey: { type: String, required: true },
    rubricVersion: { type: String, required: true },
    weightProfileKey: { type: String, default: null },
    appliedLevel: { type: String, default: null },
    answers: { type: [answerSchema], default: [] },
    performance: [{ _id: false, conditionId: String, passed: Boolean, note: String }],
    accidentRecord: { type: Schema.Types.Mixed, default: null },
    evidence: [
      {
        _id: false,
        fileId: Schema.Types.ObjectId,
        itemId: String,
        filename: String,
        contentType: String,
        size: Number,
        uploadedBy: Schema.Types.ObjectId,
        uploadedAt: Date,
        carriedOver: Boolean,
      },
    ],
    scoreSummary: { type: Schema.Types.Mixed, default: null },
    previousAssessmentId: { type: Schema.Types.ObjectId, default: null },
    state: { type: String, default: "draft" },
    workflow: { type: Schema.Types.Mixed, default: null },
    history: [
      {
        _id: false,
        at: Date,
        actorId: Schema.Types.ObjectId,
        actorRole: String,
        event: String,
        from: String,
        to: String,
        reason: String,
        details: Schema.Types.Mixed,
      },
    ],
    lastSavedBy: { type: Schema.Types.ObjectId, default: null },
    lastSavedAt: { type: Date, default: null },
    version: { type: Number, default: 0 },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    deadlines: { type: Schema.Types.Mixed, default: null },
    reviewerIds: { type: [Schema.Types.ObjectId], default: [] },
    reviewBodyId: { type: Schema.Types.ObjectId, default: null },
    leadReviewerId: { type: Schema.Types.ObjectId, default: null },
    submittedAt: { type: Date, default: null },
    rejectedAt: { type: Date, default: null },
    review: { type: Schema.Types.Mixed, default: null },
    objections: { type: [Schema.Types.Mixed], default: [] },
    effects: { type: [Schema.Types.Mixed], default: [] },
    pendingCertificate: { type: Schema.Types.Mixed, default: null },
    renewalOf: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// Query shapes and the index serving each: docs/scale-out.md (index coverage, decision 011).
schema.index({ tenantId: 1, enterpriseId: 1, cycle: 1 }, { unique: true });
schema.index({ tenantId: 1, cycle: -1, updatedAt: -1, _id: 1 });
schema.index({ tenantId: 1, state: 1, submittedAt: 1, _id: 1 });
// A new application takes its enterprise's district, whoever creates it (app, seed, tests).
schema.pre("validate", async function () {
  if (!this.isNew || this.districtCode) return;
  const enterprise = await Enterprise.findOne({ tenantId: this.tenantId, _id: this.enterpriseId })
    .select({ districtCode: 1 })
    .lean<{ districtCode: string }>();
  this.districtCode = enterprise?.districtCode ?? "";
});
// District-limited regulators' lists (Step 12).
schema.index({ tenantId: 1, districtCode: 1, state: 1, submittedAt: 1, _id: 1 });
schema.index({ tenantId: 1, state: 1, "deadlines.noticeEndsAt": 1, _id: 1 });
// The application queues other than acceptance (latest change first), e.g. the to-do home's approval queue.
schema.index({ tenantId: 1, state: 1, updatedAt: -1, _id: 1 });
schema.index({ tenantId: 1, reviewerIds: 1, updatedAt: -1, _id: 1 });
// An expert's open reviews (workload shown when a panel is formed).
schema.index({ tenantId: 1, reviewerIds: 1, state: 1 });
// A review body's applications (its admin's queue), newest first.
schema.index({ tenantId: 1, reviewBodyId: 1, updatedAt: -1, _id: 1 });
// The block after a rejection: an enterprise's rejected applications (Step 10).
schema.index({ tenantId: 1, enterpriseId: 1, state: 1 });
// The platform jobs look across tenants (they run for the whole installation).
schema.index({ state: 1, "deadlines.noticeEndsAt": 1 });
schema.index({ state: 1, "pendingCertificate.issuedAt": 1 });
schema.index({ updatedAt: 1 });
schema.index({ "evidence.fileId": 1 });
schema.plugin(tenantScoped);
// The slim list view of every application (decision 027).
keepApplicationRowsInStep(schema);

export const Assessment: Model<AssessmentDoc> =
  mongoose.models.Assessment ?? mongoose.model<AssessmentDoc>("Assessment", schema, "assessments");
