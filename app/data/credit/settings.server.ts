/** Credit lists: the tenant's credit settings (defence window, periods, repair, certificate effect, offered conditions). */
import { type Types } from "mongoose";
import { type CreditRecordDoc } from "../../../models/credit-record";
import { Tenant, type TenantSettings } from "../../../models/tenant";
import { addMonths } from "~/lib/certificate";
import { CREDIT_CONDITIONS, CREDIT_DEFAULTS, type CreditListType } from "~/lib/credit";
import { type TenantScope } from "../ids.server";

// ---------------------------------------------------------------------------------------------
// Settings and who is acting

export type CreditSettings = {
  defenceDays: number;
  periodMonths: Record<CreditListType, number>;
  repairAfterMonths: number;
  certificateEffect: "suspend" | "revoke";
  /** Offered condition keys (all when the tenant did not restrict them). */
  conditions: string[];
};

export function creditSettings(settings: Pick<TenantSettings, "credit"> | null | undefined): CreditSettings {
  const own = settings?.credit ?? {};
  const positive = (v: number | undefined, fallback: number, min = 1) =>
    typeof v === "number" && Number.isInteger(v) && v >= min ? v : fallback;
  const offered = (own.conditions ?? []).filter((k) => CREDIT_CONDITIONS.some((c) => c.key === k));
  return {
    defenceDays: positive(own.defenceDays, CREDIT_DEFAULTS.defenceDays),
    periodMonths: {
      serious2023: positive(own.periodMonths?.serious2023, CREDIT_DEFAULTS.periodMonths.serious2023),
      dishonest2017: positive(own.periodMonths?.dishonest2017, CREDIT_DEFAULTS.periodMonths.dishonest2017),
    },
    repairAfterMonths: positive(own.repairAfterMonths, CREDIT_DEFAULTS.repairAfterMonths, 0),
    certificateEffect: own.certificateEffect ?? CREDIT_DEFAULTS.certificateEffect,
    conditions: offered.length > 0 ? offered : CREDIT_CONDITIONS.map((c) => c.key),
  };
}


export async function loadTenantSettings(tenantId: Types.ObjectId) {
  return Tenant.findOne({ _id: tenantId })
    .select({ slug: 1, settings: 1 })
    .lean<{ _id: Types.ObjectId; slug: string; settings: TenantSettings }>();
}


/** From when the subject may apply for credit repair (listing + repairAfterMonths); null before listing. */
export function repairAllowedFrom(
  doc: Pick<CreditRecordDoc, "listedAt">,
  settings: Pick<CreditSettings, "repairAfterMonths">,
): Date | null {
  return doc.listedAt ? addMonths(doc.listedAt, settings.repairAfterMonths) : null;
}


export async function getCreditSettings({ tenantId }: TenantScope): Promise<CreditSettings> {
  return creditSettings((await loadTenantSettings(tenantId))?.settings);
}
