import { Types } from "mongoose";

export type TenantId = Types.ObjectId;
/** Every tenant-owned data function takes at least this; leaving it out does not compile. */
export type TenantScope = { tenantId: TenantId };

export function toObjectId(value: string | null | undefined): Types.ObjectId | null {
  if (!value || !Types.ObjectId.isValid(value) || String(new Types.ObjectId(value)) !== value) return null;
  return new Types.ObjectId(value);
}
