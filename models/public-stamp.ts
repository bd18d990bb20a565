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
 * stamp `<collection>:<tenantId>`, plus one `<collection>:*` for writes whose tenant the hook
 * cannot tell (cross-tenant jobs, `bulkWrite`); a list checks both.
 */
export type TenantStampCollection = "enterprises" | "certificates" | "credit-records" | "application-rows";

export function tenantStampId(collection: TenantStampCollection, tenantId: string): string {
  return `${collection}:${tenantId}`;
}

export function anyTenantStampId(collection: TenantStampCollection): string {
  return `${collection}:*`;
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

/** The stamps a write renews: the public scope, and the tenant's stamp (or `*` when unknown). */
export function stampsFor(options: StampOptions, tenantIds: ReadonlyArray<string | null>): string[] {
  const ids: string[] = options.scope ? [options.scope] : [];
  const collection = options.tenantScope;
  if (collection) {
    const known = tenantIds.length > 0 && tenantIds.every((t) => t !== null);
    if (known) for (const t of new Set(tenantIds)) ids.push(tenantStampId(collection, t ?? ""));
    else ids.push(anyTenantStampId(collection));
  }
  return ids;
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
      await bumpStamps(stampsFor(options, [tenantOf(tenantId)]));
    });
  }
  schema.post("save", async function (this: unknown) {
    const tenantId = typeof this === "object" && this !== null && "tenantId" in this ? this.tenantId : null;
    await bumpStamps(stampsFor(options, [tenantOf(tenantId)]));
  });
  schema.post("insertMany", async function (docs: unknown) {
    const list = Array.isArray(docs) ? docs : [docs];
    const tenants = list.map((d: unknown) => (typeof d === "object" && d !== null && "tenantId" in d ? tenantOf(d.tenantId) : null));
    await bumpStamps(stampsFor(options, tenants));
  });
  schema.post("bulkWrite", async () => bumpStamps(stampsFor(options, [null])));
}
