import mongoose, { Schema, Types, type Model } from "mongoose";

/**
 * Change stamps of the public read sides (decision 029): one document per scope (`_id`, e.g.
 * "certificates"), whose `stamp` gets a new random value after every write to the scope's
 * collection. Public pages cache their query results per process and re-use one only while the
 * stamp read (by `_id`) is unchanged, so a cache is correct across instances.
 */
export type PublicStampDoc = { _id: string; stamp: string; at: Date };

const schema = new Schema<PublicStampDoc>(
  {
    _id: { type: String, required: true },
    stamp: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const PublicStamp: Model<PublicStampDoc> =
  mongoose.models.PublicStamp ?? mongoose.model<PublicStampDoc>("PublicStamp", schema, "public_stamps");

export type PublicStampScope = "certificates" | "credit-publications";

/**
 * Gives the scope a new stamp. Any new value invalidates, so racing writers need no
 * compare-and-set: whichever stamp lands last differs from what every cache holds.
 */
export async function bumpPublicStamp(scope: PublicStampScope): Promise<void> {
  const set = { stamp: new Types.ObjectId().toHexString(), at: new Date() };
  try {
    await PublicStamp.updateOne({ _id: scope }, { $set: set }, { upsert: true });
  } catch {
    // Two first upserts may race on the `_id` (duplicate key): the other one's new stamp stands,
    // which invalidates as well. Any other failure leaves the caches to their time limit.
  }
}

const WRITE_QUERIES = [
  "updateOne",
  "updateMany",
  "findOneAndUpdate",
  "findOneAndReplace",
  "findOneAndDelete",
  "replaceOne",
  "deleteOne",
  "deleteMany",
] as const;

/**
 * Schema plugin: every write through the model (queries, `save`, `insertMany`, `bulkWrite`)
 * gives the scope a new stamp afterwards, so no writer can forget to.
 */
export function stampOnWrite(schema: Schema, options: { scope: PublicStampScope }): void {
  const bump = async () => bumpPublicStamp(options.scope);
  for (const op of WRITE_QUERIES) schema.post(op, bump);
  schema.post("save", bump);
  schema.post("insertMany", bump);
  schema.post("bulkWrite", bump);
}
