/**
 * Applications carry their enterprise's district (Step 12). A database from before that gets it
 * once at start-up (scripts/lib/boot.ts), marked in `app_migrations`; safe to repeat.
 */
import type { Types } from "mongoose";
import { AppMigration } from "../../../models/app-migration";
import { Assessment } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { connectDb } from "~/db.server";

const MARK = "assessments:districtCode-1";

export async function fillApplicationDistricts(): Promise<number> {
  await connectDb();
  if (await AppMigration.exists({ _id: MARK })) return 0;
  const missing = await Assessment.find({ districtCode: { $in: [null, ""] } })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, enterpriseId: 1 })
    .lean<Array<{ tenantId: Types.ObjectId; enterpriseId: Types.ObjectId }>>();
  const pairs = new Map(missing.map((a) => [`${String(a.tenantId)}:${String(a.enterpriseId)}`, a]));
  let updated = 0;
  for (const { tenantId, enterpriseId } of pairs.values()) {
    const enterprise = await Enterprise.findOne({ tenantId, _id: enterpriseId }).select({ districtCode: 1 }).lean<{ districtCode: string }>();
    if (!enterprise) continue;
    const result = await Assessment.updateMany({ tenantId, enterpriseId }, { $set: { districtCode: enterprise.districtCode } });
    updated += result.modifiedCount;
  }
  await AppMigration.updateOne({ _id: MARK }, { $set: { at: new Date() } }, { upsert: true });
  return updated;
}
