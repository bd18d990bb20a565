import mongoose, { Schema, type Model, type Types } from "mongoose";
import {
  CREDIT_LIST_TYPES,
  CREDIT_SUBJECT_TYPES,
  type CreditListType,
  type CreditSubjectType,
} from "../app/lib/credit";
import { stampOnWrite } from "./public-stamp";
import { tenantScoped } from "./tenant-scoped";

/**
 * The public read model of the credit registry: one document per currently PUBLISHED credit
 * record (`_id` = the record's `_id`), holding only the publishable fields (never facts, decision
 * text, defence, repair, history or the full ID number). Written only by
 * `syncCreditPublication` (app/data/credit-publication.server.ts), which re-reads the record each
 * time; the record's `publicationPending` flag marks a sync still owed after a crash.
 */
export type CreditPublicationDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  subjectName: string;
  creditCode: string;
  subjectType: CreditSubjectType;
  /** The ID number is stored masked (`maskIdNumber`) only. */
  responsiblePerson: { name: string; idNumberMasked: string };
  listType: CreditListType;
  conditionKey: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  authority: string;
  listedAt: Date | null;
  listedYear: number | null;
  /**
   * `listedAt`'s month in China time as YYYYMM (e.g. 202612): the buckets the unfiltered pages and
   * the CSV walk newest first (decision 033), since FerretDB sorts only after decoding every match.
   */
  listedMonth: number | null;
  endsAt: Date | null;
  /** `creditSearchFields(subjectName, creditCode)` (app/lib/credit.ts). */
  search: { name: string; code: string };
  /**
   * Top-level copies the registry's search filters by (decision 012): FerretDB on PostgreSQL pushes
   * down only top-level equality. `searchCode` = `search.code`; `grams` = `creditGrams(search.name)`
   * and `codePrefixes` = `creditCodePrefixes(search.code)` (app/lib/credit-grams.ts), matched by
   * containment / the multikey indexes.
   */
  searchCode: string;
  grams: string[];
  codePrefixes: string[];
  /** The record's version this content was built from (a no-op sync does not rewrite it). */
  version: number;
};

const schema = new Schema<CreditPublicationDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    subjectName: { type: String, required: true },
    creditCode: { type: String, required: true },
    subjectType: { type: String, enum: CREDIT_SUBJECT_TYPES, required: true },
    responsiblePerson: {
      name: { type: String, default: "" },
      idNumberMasked: { type: String, default: "" },
    },
    listType: { type: String, enum: CREDIT_LIST_TYPES, required: true },
    conditionKey: { type: String, required: true },
    legalBasis: { type: String, default: "" },
    penaltyDecisionNo: { type: String, default: "" },
    authority: { type: String, default: "" },
    listedAt: { type: Date, default: null },
    listedYear: { type: Number, default: null },
    listedMonth: { type: Number, default: null },
    endsAt: { type: Date, default: null },
    search: {
      name: { type: String, required: true },
      code: { type: String, required: true },
    },
    searchCode: { type: String, default: "" },
    grams: { type: [String], default: [] },
    codePrefixes: { type: [String], default: [] },
    version: { type: Number, required: true },
  },
  { versionKey: false, minimize: false },
);
// The registry's queries (app/data/credit-registry.server.ts): by the whole code, by a code prefix
// or one gram of the name (multikey), by month bucket, newest first, per tenant or across tenants
// (every document here is published, so no status prefix).
schema.index({ searchCode: 1, listedAt: -1, _id: -1 });
schema.index({ tenantId: 1, searchCode: 1, listedAt: -1, _id: -1 });
schema.index({ grams: 1 });
schema.index({ tenantId: 1, grams: 1 });
schema.index({ codePrefixes: 1 });
schema.index({ tenantId: 1, codePrefixes: 1 });
schema.index({ listedMonth: 1, listedAt: -1, _id: -1 });
schema.index({ tenantId: 1, listedMonth: 1, listedAt: -1, _id: -1 });
schema.index({ listedAt: -1, _id: -1 });
// The registry's filters across tenants (one list type, year or condition), newest first.
schema.index({ listType: 1, listedAt: -1, _id: -1 });
schema.index({ listedYear: 1, listedAt: -1, _id: -1 });
schema.index({ conditionKey: 1, listedAt: -1, _id: -1 });
schema.index({ tenantId: 1, listedAt: -1, _id: -1 });
schema.plugin(tenantScoped);
// Public pages cache what they read from here; every write gives them a new stamp (decision 029).
schema.plugin(stampOnWrite, { scope: "credit-publications" });

export const CreditPublication: Model<CreditPublicationDoc> =
  mongoose.models.CreditPublication ??
  mongoose.model<CreditPublicationDoc>("CreditPublication", schema, "credit_publications");
