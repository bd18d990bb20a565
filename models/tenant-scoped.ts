import type { Schema } from "mongoose";

/**
 * Tenant isolation backstop: every query on a tenant-owned model must name a tenantId in its
 * filter, or explicitly opt out with `.setOptions({ crossTenant: true })` (public verification,
 * platform jobs). The data functions in app/data already demand a tenantId by type; this makes a
 * forgotten filter a loud error instead of a data leak.
 */
const QUERY_OPS = [
  "countDocuments",
  "deleteMany",
  "deleteOne",
  "distinct",
  "find",
  "findOne",
  "findOneAndDelete",
  "findOneAndUpdate",
  "replaceOne",
  "updateMany",
  "updateOne",
] as const;

export class MissingTenantFilterError extends Error {
  constructor(model: string, op: string) {
    super(`${model}.${op} without tenantId in its filter`);
  }
}

const TENANT_SCOPED = new WeakSet<Schema>();

/** True for schemas that use the plugin (tenant-owned collections: indexes must lead with tenantId). */
export function isTenantScoped(schema: Schema): boolean {
  return TENANT_SCOPED.has(schema);
}

export function tenantScoped(schema: Schema): void {
  TENANT_SCOPED.add(schema);
  for (const op of QUERY_OPS) {
    schema.pre(op, function () {
      if (this.getOptions().crossTenant === true) return;
      const filter = this.getFilter();
      // `tenantId: null` is allowed on purpose: it selects shared records (e.g. shipped rubrics).
      if (!("tenantId" in filter) || filter.tenantId === undefined) {
        throw new MissingTenantFilterError(this.model.modelName, op);
      }
    });
  }
  schema.pre("aggregate", function () {
    if (this.options.crossTenant === true) return;
    const first = this.pipeline()[0];
    if (!first || !("$match" in first) || first.$match.tenantId === undefined) {
      throw new MissingTenantFilterError("aggregate", "aggregate");
    }
  });
}

declare module "mongoose" {
  interface QueryOptions {
    crossTenant?: boolean;
  }
  interface AggregateOptions {
    crossTenant?: boolean;
  }
}
