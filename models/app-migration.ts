import mongoose, { Schema, type Model } from "mongoose";

/** One-off data migrations done for this database, keyed by name (read by `_id` only). */
export type AppMigrationDoc = { _id: string; at: Date };

const schema = new Schema<AppMigrationDoc>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

export const AppMigration: Model<AppMigrationDoc> =
  mongoose.models.AppMigration ??
  mongoose.model<AppMigrationDoc>("AppMigration", schema, "app_migrations");
