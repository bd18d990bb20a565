import { MemberAccess, memberAccessId } from "../../models/member-access";
import { bulkWriteInChunks } from "../../models/bulk-write";
import { accessFrom, Membership, oldestFirst, type MembershipDoc } from "../../models/membership";
import { connectDb } from "~/db.server";

type Row = Pick<MembershipDoc, "_id" | "tenantId" | "userId" | "role" | "enterpriseId" | "createdAt"> & { districtCodes?: string[] };

/** Groups memberships into access documents (roles and enterprises in membership order). */
export function accessDocuments(rows: Row[], now = new Date()) {
  const groups = new Map<string, Row[]>();
  for (const r of [...rows].sort(oldestFirst)) {
    const key = memberAccessId(r.tenantId, r.userId);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([_id, group]) => {
    const first = group[0] as Row;
    return { _id, tenantId: first.tenantId, userId: first.userId, ...accessFrom(group), updatedAt: now };
  });
}

/**
 * Fills `member_access` from the memberships when it is empty next to existing memberships (a
 * database from before decision 010). Start-up only; idempotent, so two instances may both run it.
 */
export async function fillMemberAccess(): Promise<number> {
  await connectDb();
  if ((await MemberAccess.estimatedDocumentCount()) > 0) return 0;
  if ((await Membership.estimatedDocumentCount()) === 0) return 0;
  const rows = await Membership.find({})
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, userId: 1, role: 1, enterpriseId: 1, districtCodes: 1, createdAt: 1 })
    .lean<Row[]>();
  const docs = accessDocuments(rows);
  await bulkWriteInChunks(
    MemberAccess,
    docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
  );
  return docs.length;
}
