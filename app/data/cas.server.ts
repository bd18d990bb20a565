/**
 * Compare-and-set that holds on MongoDB AND on FerretDB 1.24.
 *
 * MongoDB applies `updateOne({ _id, version: n }, …)` atomically. FerretDB 1.24 (SQLite) reads
 * the matching documents and writes them back in separate steps, so two concurrent writers with
 * the same expected version can both "win" (measured: 7 of 10 parallel updates reported success).
 * Unique-key inserts, however, are atomic everywhere. So a writer first claims the transition
 * `<collection>:<id>:v<n+1>` by inserting a Claim; only the claim's owner performs the update.
 */
import { randomUUID } from "node:crypto";
import type { Model, Types, UpdateQuery } from "mongoose";
import { Claim } from "../../models/claim";

/** A claim older than this whose transition never happened belongs to a crashed writer. */
export const STALE_CLAIM_MS = 30_000;

function isDuplicateKey(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === 11000;
}

/** Inserts the claim; true for exactly one caller per key. */
export async function claimOnce(key: string, now = new Date(), owner: string = randomUUID()): Promise<boolean> {
  try {
    await Claim.create({ _id: key, at: now, owner });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export async function releaseClaim(key: string): Promise<void> {
  await Claim.deleteOne({ _id: key });
}

type Versioned = { _id: Types.ObjectId; version: number };

/**
 * Applies `update` to the document if it is still at `expectedVersion` (and matches `extra`),
 * incrementing `version`. Returns true when this caller's update was applied.
 */
export async function casUpdate<T extends Versioned>(
  model: Model<T>,
  filter: { _id: Types.ObjectId; tenantId?: Types.ObjectId | null; expectedVersion: number; extra?: Record<string, unknown> },
  update: UpdateQuery<T>,
): Promise<boolean> {
  const key = `${model.collection.collectionName}:${String(filter._id)}:v${filter.expectedVersion + 1}`;
  const now = new Date();
  if (!(await claimOnce(key, now))) {
    if (!(await recoverStaleClaim(model, filter, key, now))) return false;
  }
  const query: Record<string, unknown> = { _id: filter._id, version: filter.expectedVersion, ...filter.extra };
  if (filter.tenantId !== undefined) query.tenantId = filter.tenantId;
  const inc = { ...(update.$inc ?? {}), version: 1 };
  let modified = false;
  try {
    modified = (await model.updateOne(query, { ...update, $inc: inc })).modifiedCount === 1;
  } catch (error) {
    await releaseClaim(key);
    throw error;
  }
  if (modified) return true;
  // Our claim stands for a transition that did not happen (state guard failed): free it.
  await releaseClaim(key);
  return false;
}

/** If the claim is stale and the document never moved past the expected version, take it over. */
async function recoverStaleClaim<T extends Versioned>(
  model: Model<T>,
  filter: { _id: Types.ObjectId; tenantId?: Types.ObjectId | null; expectedVersion: number },
  key: string,
  now: Date,
): Promise<boolean> {
  const claim = await Claim.findById(key).lean();
  if (!claim || now.getTime() - claim.at.getTime() < STALE_CLAIM_MS) return false;
  const query: Record<string, unknown> = { _id: filter._id };
  if (filter.tenantId !== undefined) query.tenantId = filter.tenantId;
  const doc = await model.findOne(query, { version: 1 }).setOptions({ crossTenant: true }).lean<{ version: number } | null>();
  if (!doc || doc.version !== filter.expectedVersion) return false;
  await Claim.deleteOne({ _id: key, at: claim.at });
  return claimOnce(key, now);
}

/** Claims older than a day are never needed again (their transitions are done or abandoned). */
export async function purgeOldClaims(now = new Date()): Promise<number> {
  const result = await Claim.deleteMany({ at: { $lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } });
  return result.deletedCount;
}
