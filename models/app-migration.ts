import mongoose, { Schema, type Model } from "mongoose";

/**
 * One document per data migration or read-model backfill that has run on this database
 * (`_id` names it, e.g. "credit-publications:grams-1"); read by `_id` only. Several instances
 * starting together may each run an idempotent migration before the mark exists.
 */
export type AppMigrationDoc = { _id: string; at: Date };

const schema = new Schema<AppMigrationDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const AppMigration: Model<AppMigrationDoc> =
  mongoose.models.AppMigration ?? mongoose.model<AppMigrationDoc>("AppMigration", schema, "app_migrations");
