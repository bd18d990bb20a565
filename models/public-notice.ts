import mongoose, { Schema, type Model, type Types } from "mongoose";
import { stampOnWrite } from "./public-stamp";
import { INDUSTRY_KEYS, type IndustryKey } from "../app/lib/domain";
import { tenantScoped } from "./tenant-scoped";

/**
 * The public read model of the notices page (公示, decision 029): one slim document per
 * application currently under public notice (`_id` = the application's `_id`), holding only what
 * the public page shows. Written only by `syncPublicNotice`
 * (app/data/grading/public-notices.server.ts) after every transition of that application, so the
 * page never reads the large application documents (all their answers) at all.
 */
export type PublicNoticeDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  enterpriseName: string;
  creditCode: string;
  industry: IndustryKey;
  districtCode: string;
  levelName: { zh: string; en?: string } | null;
  startedAt: Date | null;
  endsAt: Date | null;
  /** The application's version this row was built from. */
  version: number;
};

const schema = new Schema<PublicNoticeDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    enterpriseName: { type: String, required: true },
    creditCode: { type: String, default: "" },
    industry: { type: String, enum: INDUSTRY_KEYS, required: true },
    districtCode: { type: String, default: "" },
    levelName: { type: Schema.Types.Mixed, default: null },
    startedAt: { type: Date, default: null },
    endsAt: { type: Date, default: null },
    version: { type: Number, required: true },
  },
  { versionKey: false, minimize: false },
);
// The notices page: one tenant's rows, the soonest end first.
schema.index({ tenantId: 1, endsAt: 1, _id: 1 });
schema.plugin(tenantScoped);
// The public page caches its pages per process under this stamp (decision 029).
schema.plugin(stampOnWrite, { scope: "public-notices" });

export const PublicNotice: Model<PublicNoticeDoc> =
  mongoose.models.PublicNotice ??
  mongoose.model<PublicNoticeDoc>("PublicNotice", schema, "public_notices");
