import mongoose, { Schema, type Model, type Types } from "mongoose";
import type { PostingEntry } from "../app/lib/credit-postings";

/**
 * The credit registry's name index (decision 036), derived from `credit_publications` and written
 * only by the postings writer (app/data/credit/postings.server.ts), one instance at a time.
 * Every collection here is read and written by `_id` only.
 */

/**
 * One 3-character gram: the entries of every publication whose normalised name contains it,
 * packed into one string (`packEntries`: one value for FerretDB to decode, not thousands).
 */
export type CreditPostingDoc = { _id: string; d: string; over: boolean };

/** What one publication is posted under: its grams and entry as last written to the postings. */
export type CreditPostingRefDoc = { _id: Types.ObjectId; grams: string[]; entry: PostingEntry };

/**
 * A publication written since the postings were: inserted (never updated) by every publication
 * sync, deleted by `_id` once the writer has applied it. The search reads the pending ones
 * directly, so its answer is exact while the writer catches up.
 */
export type CreditPostingChangeDoc = { _id: string; publicationId: Types.ObjectId; at: Date };

export const CreditPosting: Model<CreditPostingDoc> =
  mongoose.models.CreditPosting ??
  mongoose.model<CreditPostingDoc>(
    "CreditPosting",
    new Schema<CreditPostingDoc>(
      { _id: { type: String, required: true }, d: { type: String, default: "" }, over: { type: Boolean, default: false } },
      { versionKey: false, minimize: false },
    ),
    "credit_postings",
  );

export const CreditPostingRef: Model<CreditPostingRefDoc> =
  mongoose.models.CreditPostingRef ??
  mongoose.model<CreditPostingRefDoc>(
    "CreditPostingRef",
    new Schema<CreditPostingRefDoc>(
      { grams: { type: [String], default: [] }, entry: { type: Schema.Types.Mixed, default: null } },
      { versionKey: false, minimize: false },
    ),
    "credit_posting_refs",
  );

export const CreditPostingChange: Model<CreditPostingChangeDoc> =
  mongoose.models.CreditPostingChange ??
  mongoose.model<CreditPostingChangeDoc>(
    "CreditPostingChange",
    new Schema<CreditPostingChangeDoc>(
      { _id: { type: String, required: true }, publicationId: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
      { versionKey: false },
    ),
    "credit_posting_changes",
  );
