import mongoose, { Schema, type Model, type Types } from "mongoose";

/**
 * A named weight profile, applicable to any rubric. `tenantId: null` = shipped with the product
 * (rubrics/weights/*.json, read-only, visible to every tenant); otherwise a tenant's own profile,
 * edited in the UI with compare-and-set on `revision`.
 */
export type WeightProfileDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId | null;
  key: string;
  title: { zh: string; en: string };
  contentJson: string;
  contentHash: string;
  /** The shipped profile a tenant profile was cloned from (null for shipped ones). */
  parentKey: string | null;
  /** Incremented by every edit of a tenant profile (compare-and-set). */
  revision: number;
  /**
   * A tenant profile is a draft (edited, used only in previews) until published, then immutable,
   * like a rubric version. Shipped profiles and ones stored before this field are published.
   */
  status?: "draft" | "published";
  publishedAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<WeightProfileDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, default: null },
    key: { type: String, required: true },
    title: { zh: { type: String, required: true }, en: { type: String, default: "" } },
    contentJson: { type: String, required: true },
    contentHash: { type: String, required: true },
    parentKey: { type: String, default: null },
    revision: { type: Number, default: 0 },
    status: { type: String, enum: ["draft", "published"], default: "published" },
    publishedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);

// FerretDB ignores sparse/partial indexes, so uniqueness is on the pair (shipped ones have tenantId null).
schema.index({ tenantId: 1, key: 1 }, { unique: true });
schema.index({ key: 1, tenantId: 1 });

export const WeightProfileModel: Model<WeightProfileDoc> =
  mongoose.models.WeightProfile ??
  mongoose.model<WeightProfileDoc>("WeightProfile", schema, "weight_profiles");

/** Databases created before tenant profiles carry a unique index on `key` alone; it must go. */
export async function dropLegacyWeightProfileIndex(): Promise<void> {
  await WeightProfileModel.collection.dropIndex("key_1").catch(() => {});
}
