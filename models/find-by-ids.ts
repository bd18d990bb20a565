/**
 * Documents by a list of `_id`s as `_id` equality reads (decision 031).
 *
 * FerretDB 1.24 never pushes `$in` down: `User.find({ _id: { $in: ids } })` decodes every user
 * of the platform (20,000 at city scale: seconds per page under load, measured in the bench),
 * and `{ tenantId, _id: { $in } }` every document of the tenant. One `_id` equality read per id is
 * an index lookup on both engines, so a page of names costs the same at any size. Ids are
 * de-duplicated, read a few at a time, and missing documents are left out (as `$in` would).
 * Within a GET request each read is shared (app/request-scope.server.ts): callers must not
 * mutate what they get.
 */
import type { Model } from "mongoose";
import { oncePerRequest } from "../app/request-scope.server";

/** Reads in flight at once: a page's worth of names without flooding the pool. */
const PARALLEL = 16;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model's schema
type AnyModel = Model<any>;

export async function findByIds<T>(
  model: AnyModel,
  ids: ReadonlyArray<unknown>,
  {
    select,
    filter = {},
    crossTenant = false,
    parallel = PARALLEL,
  }: { select: Record<string, 0 | 1>; filter?: Record<string, unknown>; crossTenant?: boolean; parallel?: number },
): Promise<T[]> {
  const unique = new Map<string, unknown>();
  for (const id of ids) if (id !== null && id !== undefined) unique.set(String(id), id);
  const wanted = [...unique.values()];
  const found: T[] = [];
  for (let i = 0; i < wanted.length; i += parallel) {
    const docs = await Promise.all(
      wanted.slice(i, i + parallel).map((_id) =>
        // Once per GET request: several views of one page name the same people.
        oncePerRequest(`ids:${model.modelName}:${JSON.stringify([select, filter, crossTenant])}:${String(_id)}`, () => {
          const query = model.findOne({ ...filter, _id }).select(select);
          return (crossTenant ? query.setOptions({ crossTenant: true }) : query).lean<T>().exec();
        }),
      ),
    );
    for (const doc of docs) if (doc) found.push(doc);
  }
  return found;
}
