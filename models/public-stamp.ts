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

export type PublicStampScope = "certificates" | "credit-publications" | "public-notices";

/**
 * Collections whose tenant lists are cached per process (decision 031): each tenant has its own
 * stamp `<collection>:<tenantId>`, the one `_id` read a list makes. A write whose tenant the hook
 * cannot tell (cross-tenant jobs, `bulkWrite`) renews every tenant's stamp (tens of tenants).
 */
export type TenantStampCollection = "enterprises" | "certificates" | "credit-records" | "application-rows";

export function tenantStampId(collection: TenantStampCollection, tenantId: string): string {
  return `${collection}:${tenantId}`;
}

/**
 * Gives each stamp a new value. Any new value invalidates, so racing writers need no
 * compare-and-set: whichever stamp lands last differs from what every cache holds.
 */
export async function bumpStamps(ids: readonly string[]): Promise<void> {
  const set = { stamp: new Types.ObjectId().toHexString(), at: new Date() };
  await Promise.all(
    ids.map(async (_id) => {
      try {
        await PublicStamp.updateOne({ _id }, { $set: set }, { upsert: true });
      } catch {
        // Two first upserts may race on the `_id` (duplicate key): the other one's new stamp
        // stands, which invalidates as well. Any other failure leaves the caches to their time limit.
      }
    }),
  );
}

export async function bumpPublicStamp(scope: PublicStampScope): Promise<void> {
  await bumpStamps([scope]);
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

/** The tenant a value names (an ObjectId, its hex string, or `{ $eq: … }`); null when it names none or several. */
export function tenantOf(value: unknown): string | null {
  if (value instanceof Types.ObjectId) return value.toHexString();
  if (typeof value === "string" && /^[0-9a-f]{24}$/i.test(value)) return value.toLowerCase();
  if (typeof value === "object" && value !== null && "$eq" in value) return tenantOf(value.$eq);
  return null;
}

type StampOptions = { scope?: PublicStampScope; tenantScope?: TenantStampCollection };

/** Whether a write's tenants are all known (else every tenant's list stamp is renewed). */
export function tenantsKnown(tenantIds: ReadonlyArray<string | null>): boolean {
  return tenantIds.length > 0 && tenantIds.every((t) => t !== null);
}

/**
 * The stamps a write renews: the public scope, and the written tenants' stamps, or, when the
 * write does not name its tenants, the stamps of `everyTenant`.
 */
export function stampsFor(
  options: StampOptions,
  tenantIds: ReadonlyArray<string | null>,
  everyTenant: readonly string[] = [],
): string[] {
  const ids: string[] = options.scope ? [options.scope] : [];
  const collection = options.tenantScope;
  if (collection) {
    const tenants = tenantsKnown(tenantIds) ? tenantIds : everyTenant;
    for (const t of new Set(tenants)) ids.push(tenantStampId(collection, t ?? ""));
  }
  return ids;
}

/** Every tenant's id (tens: one per city programme), for a write that does not name its tenant. */
async function everyTenantId(): Promise<string[]> {
  const db = mongoose.connection.db;
  if (!db) return [];
  const docs = await db.collection<{ _id: Types.ObjectId }>("tenants").find({}, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => String(d._id));
}

async function bumpWritten(options: StampOptions, tenantIds: ReadonlyArray<string | null>): Promise<void> {
  const every = options.tenantScope && !tenantsKnown(tenantIds) ? await everyTenantId() : [];
  await bumpStamps(stampsFor(options, tenantIds, every));
}

/**
 * Schema plugin: every write through the model (queries, `save`, `insertMany`, `bulkWrite`)
 * gives the public scope (decision 029) and the written tenant's list stamp (decision 031) a new
 * value afterwards, so no writer can forget to.
 */
export function stampOnWrite(schema: Schema, options: StampOptions): void {
  for (const op of WRITE_QUERIES) {
    schema.post(op, async function (this: unknown) {
      const tenantId: unknown = this instanceof mongoose.Query ? this.getFilter().tenantId : null;
      await bumpWritten(options, [tenantOf(tenantId)]);
    });
  }
  schema.post("save", async function (this: unknown) {
    const tenantId = typeof this === "object" && this !== null && "tenantId" in this ? this.tenantId : null;
    await bumpWritten(options, [tenantOf(tenantId)]);
  });
  schema.post("insertMany", async function (docs: unknown) {
    const list = Array.isArray(docs) ? docs : [docs];
    const tenants = list.map((d: unknown) => (typeof d === "object" && d !== null && "tenantId" in d ? tenantOf(d.tenantId) : null));
    await bumpWritten(options, tenants);
  });
  schema.post("bulkWrite", async () => bumpWritten(options, [null]));
}
