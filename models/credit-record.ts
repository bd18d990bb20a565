import mongoose, { Schema, type Model, type Types } from "mongoose";
import {
  CREDIT_LIST_TYPES,
  CREDIT_REMOVAL_REASONS,
  CREDIT_STATUSES,
  CREDIT_SUBJECT_TYPES,
  creditSearchFields,
  type CreditListType,
  type CreditRemovalReason,
  type CreditStatus,
  type CreditSubjectType,
} from "../app/lib/credit";
import { stampOnWrite } from "./public-stamp";
import { tenantScoped } from "./tenant-scoped";

/**
 * A work-safety credit-list record (失信/黑名单, DOMAIN.md §7). Its lifecycle is the pure machine in
 * `app/workflows/credit.machine.ts`; `state` is the persisted machine state, `status` its first
 * segment (for indexes). Every change is a compare-and-set write on `version`
 * (docs/decisions/001) and appends to `history`.
 */
export type CreditFile = {
  fileId: Types.ObjectId;
  name: string;
  size: number;
  contentType: string;
};

export type CreditHistoryEntry = {
  at: Date;
  event: string;
  from: string;
  to: string;
  actor: { kind: "user" | "system"; userId: Types.ObjectId | null; name: string };
  note: string;
  details?: Record<string, unknown>;
};

export type CreditRecordDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  subjectName: string;
  /** Unified social credit code (GB 32100, checksum-validated), upper case. */
  creditCode: string;
  subjectType: CreditSubjectType;
  /** Full ID number stored; shown masked (`maskIdNumber`) everywhere but the regulator's edit form. */
  responsiblePerson: { name: string; idNumber: string };
  listType: CreditListType;
  /** Key from CREDIT_CONDITIONS. */
  conditionKey: string;
  facts: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  authority: string;
  noticeAt: Date | null;
  defenceDeadline: Date | null;
  decidedAt: Date | null;
  decisionText: string;
  listedAt: Date | null;
  endsAt: Date | null;
  removedAt: Date | null;
  removalReason: CreditRemovalReason | null;
  /** Persisted machine state value, e.g. "published" or "published.repairRequested". */
  state: string;
  status: CreditStatus;
  /** The registered enterprise with this credit code in the tenant, linked now or later. */
  enterpriseId: Types.ObjectId | null;
  defence: { statement: string; submittedAt: Date | null; files: CreditFile[] } | null;
  repair: {
    appliedAt: Date | null;
    statement: string;
    files: CreditFile[];
    decidedAt: Date | null;
    granted: boolean | null;
    reasons: string;
    /** Early removal: the conditions the regulator ticked, each with its evidence (DOMAIN.md §10). */
    checklist?: Array<{ key: string; evidence: string }>;
  } | null;
  /**
   * Normalised copies for the public search: `creditSearchFields(subjectName, creditCode)`
   * (app/lib/credit.ts); filled in on validate whenever a document is saved through mongoose.
   */
  search: { name: string; code: string };
  /** Year of listing (for the registry's year filter); null until published. */
  listedYear: number | null;
  history: CreditHistoryEntry[];
  /**
   * Effects of the latest transition (data from the machine), written with the state in the same
   * compare-and-set. `effectsPending` stays true until they were carried out; the
   * `credit-lifecycle` job redelivers pending ones (every effect is idempotent).
   */
  effects: {
    version: number;
    at: Date;
    event: string;
    items: unknown[];
    actorId: Types.ObjectId | null;
    actorEmail: string;
  } | null;
  effectsPending: boolean;
  /**
   * The public read model (`credit_publications`) still has to follow this record: set in the
   * compare-and-set of a transition into or out of `published` (with `effectsPending`, whose run
   * syncs first), cleared with `effectsPending` once synced.
   */
  publicationPending: boolean;
  version: number;
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
};

const fileSchema = {
  _id: false,
  fileId: { type: Schema.Types.ObjectId, required: true },
  name: { type: String, required: true },
  size: { type: Number, required: true },
  contentType: { type: String, required: true },
};

const schema = new Schema<CreditRecordDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    subjectName: { type: String, required: true, trim: true, maxlength: 200 },
    creditCode: { type: String, required: true, uppercase: true, trim: true },
    subjectType: { type: String, enum: CREDIT_SUBJECT_TYPES, required: true },
    responsiblePerson: {
      name: { type: String, default: "", maxlength: 50 },
      idNumber: { type: String, default: "", maxlength: 30 },
    },
    listType: { type: String, enum: CREDIT_LIST_TYPES, required: true },
    conditionKey: { type: String, required: true },
    facts: { type: String, default: "", maxlength: 5000 },
    legalBasis: { type: String, default: "", maxlength: 2000 },
    penaltyDecisionNo: { type: String, default: "", maxlength: 100 },
    authority: { type: String, default: "", maxlength: 200 },
    noticeAt: { type: Date, default: null },
    defenceDeadline: { type: Date, default: null },
    decidedAt: { type: Date, default: null },
    decisionText: { type: String, default: "", maxlength: 5000 },
    listedAt: { type: Date, default: null },
    endsAt: { type: Date, default: null },
    removedAt: { type: Date, default: null },
    removalReason: { type: String, enum: [...CREDIT_REMOVAL_REASONS, null], default: null },
    state: { type: String, required: true, default: "draft" },
    status: { type: String, enum: CREDIT_STATUSES, required: true, default: "draft" },
    enterpriseId: { type: Schema.Types.ObjectId, default: null },
    defence: {
      type: new Schema(
        { statement: { type: String, default: "" }, submittedAt: { type: Date, default: null }, files: [fileSchema] },
        { _id: false },
      ),
      default: null,
    },
    repair: {
      type: new Schema(
        {
          appliedAt: { type: Date, default: null },
          statement: { type: String, default: "" },
          files: [fileSchema],
          decidedAt: { type: Date, default: null },
          granted: { type: Boolean, default: null },
          reasons: { type: String, default: "" },
          checklist: {
            type: [new Schema({ key: { type: String, required: true }, evidence: { type: String, default: "" } }, { _id: false })],
            default: undefined,
          },
        },
        { _id: false },
      ),
      default: null,
    },
    search: {
      name: { type: String, required: true },
      code: { type: String, required: true },
    },
    listedYear: { type: Number, default: null },
    history: [
      {
        _id: false,
        at: { type: Date, required: true },
        event: { type: String, required: true },
        from: { type: String, default: "" },
        to: { type: String, default: "" },
        actor: {
          kind: { type: String, enum: ["user", "system"], required: true },
          userId: { type: Schema.Types.ObjectId, default: null },
          name: { type: String, default: "" },
        },
        note: { type: String, default: "" },
        details: Schema.Types.Mixed,
      },
    ],
    effects: { type: Schema.Types.Mixed, default: null },
    effectsPending: { type: Boolean, default: false },
    publicationPending: { type: Boolean, default: false },
    version: { type: Number, default: 0 },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// Query shapes and the index serving each: docs/scale-out.md (index coverage, decision 011).
// The public registry reads credit_publications, not this collection.
schema.index({ tenantId: 1, updatedAt: -1, _id: -1 });
schema.index({ tenantId: 1, enterpriseId: 1, updatedAt: -1, _id: -1 });
schema.index({ tenantId: 1, "search.code": 1, updatedAt: -1, _id: -1 });
// Platform jobs (across tenants): expiry, defence windows, redelivery, publication sync, orphan purge.
schema.index({ status: 1, endsAt: 1 });
schema.index({ state: 1, defenceDeadline: 1 });
schema.index({ effectsPending: 1 });
schema.index({ publicationPending: 1 });
schema.index({ "defence.files.fileId": 1 });
schema.index({ "repair.files.fileId": 1 });
// Documents saved through mongoose (create, save, insertMany) always carry current search fields;
// updates that change subjectName or creditCode must $set `search: creditSearchFields(...)`.
schema.pre("validate", function () {
  if (typeof this.subjectName === "string" && typeof this.creditCode === "string") {
    this.search = creditSearchFields(this.subjectName, this.creditCode);
  }
});
schema.plugin(tenantScoped);
// The credit list caches slim rows of this collection; every write renews the tenant's stamp (decision 031).
schema.plugin(stampOnWrite, { tenantScope: "credit-records" });

export const CreditRecord: Model<CreditRecordDoc> =
  mongoose.models.CreditRecord ??
  mongoose.model<CreditRecordDoc>("CreditRecord", schema, "credit_records");
