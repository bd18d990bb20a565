/**
 * An enterprise's unified social credit code, read once per GET request (the enterprise's home
 * asks for it twice: the application bar's credit check and its credit records panel).
 */
import type { Types } from "mongoose";
import { Enterprise } from "../../../models/enterprise";
import { oncePerRequest } from "~/request-scope.server";
import type { TenantScope } from "../ids.server";

export async function enterpriseCreditCode({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<string | null> {
  return oncePerRequest(`enterprise-credit-code:${String(tenantId)}:${String(enterpriseId)}`, async () => {
    const doc = await Enterprise.findOne({ tenantId, _id: enterpriseId }).select({ creditCode: 1 }).lean<{ creditCode: string }>();
    return doc?.creditCode ?? null;
  });
}
