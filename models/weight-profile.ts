import mongoose, { Schema, type Model, type Types } from "mongoose";

/** A named weight profile (rubrics/weights/*.json), applicable to any rubric. Shared by all tenants. */
export type WeightProfileDoc = {
  _id: Types.ObjectId;
  key: string;
  title: { zh: string; en: string };
  contentJson: string;
  contentHash: string;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<WeightProfileDoc>(
  {
    key: { type: String, required: true, unique: true },
    title: { zh: { type: String, required: true }, en: { type: String, default: "" } },
    contentJson: { type: String, required: true },
    contentHash: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);

export const WeightProfileModel: Model<WeightProfileDoc> =
  mongoose.models.WeightProfile ?? mongoose.model<WeightProfileDoc>("WeightProfile", schema, "weight_profiles");
