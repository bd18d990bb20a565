import mongoose, { Schema, type Model, type Types } from "mongoose";
import { ROLES, type Role } from "../app/lib/domain";
import { isDuplicateKeyError } from "../app/data/mongo-errors.server";
import { MemberAccess, memberAccessId } from "./member-access";
import { tenantScoped } from "./tenant-scoped";

export type MembershipDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  userId: Types.ObjectId;
  role: Role;
  /** Set for enterprise roles only. */
  enterpriseId: Types.ObjectId | null;
  /**
   * GB/T 2260 county codes a regulator membership is limited to (Step 12); empty = the whole
   * tenant (a city-level regulator). Mirrored into member_access so the request path stays `_id`-only.
   */
  districtCodes: string[];
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<MembershipDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ROLES, required: true },
    enterpriseId: { type: Schema.Types.ObjectId, default: null },
    districtCodes: { type: [String], default: [] },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false },
);
schema.index({ tenantId: 1, userId: 1, role: 1, enterpriseId: 1 }, { unique: true });
schema.index({ tenantId: 1, enterpriseId: 1, createdAt: 1, _id: 1 });
schema.index({ tenantId: 1, role: 1, createdAt: 1 });
schema.index({ tenantId: 1, createdAt: -1, _id: -1 });
schema.index({ userId: 1 });
// rebuildMemberAccess reads one user's memberships in a tenant in `_id` order.
schema.index({ tenantId: 1, userId: 1, _id: 1 });
schema.plugin(tenantScoped);

type AccessKey = { tenantId: Types.ObjectId; userId: Types.ObjectId };
type AccessView = { roles: Role[]; enterpriseIds: Types.ObjectId[]; districtCodes: string[] };

/**
 * The districts a user's tenant-wide roles are limited to: the union over their regulator
 * memberships, or none (= all) when any regulator membership is unlimited or they are a tenant admin.
 */
export function districtScopeOf(rows: Array<Pick<MembershipDoc, "role"> & { districtCodes?: string[] }>): string[] {
  if (rows.some((r) => r.role === "tenant_admin")) return [];
  const regulator = rows.filter((r) => r.role === "regulator");
  if (regulator.length === 0 || regulator.some((r) => (r.districtCodes ?? []).length === 0)) return [];
  return [...new Set(regulator.flatMap((r) => r.districtCodes ?? []))].sort();
}

/** Roles, enterprises and district scope of one user's memberships in one tenant, in the order of the rows. */
export function accessFrom(rows: Array<Pick<MembershipDoc, "role" | "enterpriseId"> & { districtCodes?: string[] }>): AccessView {
  const roles = [...new Set(rows.map((r) => r.role))];
  const enterpriseIds = [...new Map(rows.flatMap((r) => (r.enterpriseId ? [[String(r.enterpriseId), r.enterpriseId] as const] : []))).values()];
  return { roles, enterpriseIds, districtCodes: districtScopeOf(rows) };
}

/** Creation order; `_id` breaks ties (an upsert's `_id` is made by the server, so not by `_id` alone). */
export function oldestFirst(a: Pick<MembershipDoc, "_id" | "createdAt">, b: Pick<MembershipDoc, "_id" | "createdAt">): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || String(a._id).localeCompare(String(b._id));
}

const sameAccess = (a: AccessView, b: AccessView) =>
  a.roles.join() === b.roles.join() &&
  a.enterpriseIds.map(String).join() === b.enterpriseIds.map(String).join() &&
  a.districtCodes.join() === b.districtCodes.join();

/**
 * Rewrites the user's access document in this tenant from their memberships (decision 010).
 * Read → write → read again until the memberships did not move in between, so of two concurrent
 * rebuilds the one that writes last also saw the last membership write.
 */
export async function rebuildMemberAccess({ tenantId, userId }: AccessKey): Promise<void> {
  const _id = memberAccessId(tenantId, userId);
  const read = async () =>
    accessFrom(
      // Sorted here: the query stays on the { tenantId, userId, … } index.
      (
        await Membership.find({ tenantId, userId })
          .select({ role: 1, enterpriseId: 1, districtCodes: 1, createdAt: 1 })
          .lean<Array<Pick<MembershipDoc, "_id" | "role" | "enterpriseId" | "districtCodes" | "createdAt">>>()
      ).sort(oldestFirst),
    );
  let next = await read();
  for (let round = 0; round < 5; round++) {
    if (next.roles.length === 0) await MemberAccess.deleteOne({ _id });
    else {
      try {
        await MemberAccess.replaceOne(
          { _id },
          { _id, tenantId, userId, ...next, updatedAt: new Date() },
          { upsert: true },
        );
      } catch (error) {
        // Two first upserts at once: the other one inserted it. Mark this round unfinished (an
        // access no read can equal) so the next round replaces the document.
        if (!isDuplicateKeyError(error)) throw error;
        next = { roles: [], enterpriseIds: [new mongoose.Types.ObjectId()], districtCodes: [] };
      }
    }
    const after = await read();
    if (sameAccess(after, next)) return;
    next = after;
  }
  throw new Error(`member access ${_id} kept changing while it was rebuilt`);
}

async function rebuildAll(keys: AccessKey[]): Promise<void> {
  const unique = new Map(keys.map((k) => [memberAccessId(k.tenantId, k.userId), k]));
  for (const key of unique.values()) await rebuildMemberAccess(key);
}

function asObjectId(value: unknown): Types.ObjectId | null {
  if (value instanceof mongoose.Types.ObjectId) return value;
  return typeof value === "string" && mongoose.Types.ObjectId.isValid(value) ? new mongoose.Types.ObjectId(value) : null;
}

// Every write through the model keeps the access documents in step: the memberships a query will
// touch are noted before it runs (plus the one an upsert may create) and rebuilt after it.
const WRITE_QUERIES = [
  "updateOne",
  "updateMany",
  "findOneAndUpdate",
  "findOneAndDelete",
  "findOneAndReplace",
  "replaceOne",
  "deleteOne",
  "deleteMany",
] as const;
const touched = new WeakMap<object, AccessKey[]>();
for (const op of WRITE_QUERIES) {
  schema.pre(op, async function () {
    const filter = this.getFilter();
    const rows = await Membership.find(filter)
      .setOptions({ crossTenant: true })
      .select({ tenantId: 1, userId: 1 })
      .lean<AccessKey[]>();
    const keys = rows.map((r) => ({ tenantId: r.tenantId, userId: r.userId }));
    const tenantId = asObjectId(filter.tenantId);
    const userId = asObjectId(filter.userId);
    if (tenantId && userId) keys.push({ tenantId, userId });
    touched.set(this, keys);
  });
  schema.post(op, async function () {
    await rebuildAll(touched.get(this) ?? []);
  });
}
schema.post("save", async function (doc: MembershipDoc) {
  await rebuildMemberAccess(doc);
});
// mongoose types the result of insertMany as the model; it is the inserted documents.
schema.post("insertMany", async function (docs: unknown) {
  await rebuildAll(docs as MembershipDoc[]);
});

export const Membership: Model<MembershipDoc> =
  mongoose.models.Membership ?? mongoose.model<MembershipDoc>("Membership", schema, "memberships");
