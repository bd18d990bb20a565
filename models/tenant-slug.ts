import mongoose, { Schema, type Model, type Types } from "mongoose";

/**
 * `slug → tenantId`, keyed by the slug, for tenants whose `_id` is not derived from their slug
 * (created before decision 010). Written when a tenant is saved and filled at start-up.
 */
export type TenantSlugDoc = { _id: string; tenantId: Types.ObjectId };

const schema = new Schema<TenantSlugDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false },
);

export const TenantSlug: Model<TenantSlugDoc> =
  mongoose.models.TenantSlug ?? mongoose.model<TenantSlugDoc>("TenantSlug", schema, "tenant_slugs");
