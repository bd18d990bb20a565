import mongoose, { Schema, type Model } from "mongoose";

/**
 * Write claims: a document whose unique `_id` names one state transition ("assessments:<id>:v7",
 * "job:purge:<slot>", "invitation:<id>:use"). Inserting it is the one operation that is atomic on
 * every MongoDB-compatible server we run on — FerretDB 1.24 evaluates an update's filter and
 * applies the update in separate steps, so a filter on `version` alone does not stop two writers.
 * See docs/decisions/001-compare-and-set.md.
 */
export type ClaimDoc = { _id: string; at: Date; owner: string };

const schema = new Schema<ClaimDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true, index: true },
    owner: { type: String, default: "" },
  },
  { versionKey: false },
);

export const Claim: Model<ClaimDoc> = mongoose.models.Claim ?? mongoose.model<ClaimDoc>("Claim", schema, "claims");
