/** The tenant's organizing-unit setting (Step 10, decision 021): who accepts and checks reports. */
import type { Types } from "mongoose";
import { Tenant } from "../../../models/tenant";
import { connectDb } from "~/db.server";
import { recordAudit } from "../audit.server";
import type { TenantScope } from "../ids.server";

/**
 * Turns the organizing unit on or off for applications submitted from now on (running
 * applications keep the setting they were submitted under). A single-field write: the last
 * administrator's choice wins, nothing else of the tenant is touched.
 */
export async function setOrganizerEnabled({
  tenantId,
  enabled,
  actor,
  now = new Date(),
}: TenantScope & {
  enabled: boolean;
  actor: { id: Types.ObjectId; email: string };
  now?: Date;
}): Promise<void> {
  await connectDb();
  await Tenant.updateOne({ _id: tenantId }, { $set: { "settings.organizerEnabled": enabled } });
  await recordAudit({
    tenantId,
    action: "settings.organizer",
    actor,
    target: { type: "tenant", id: String(tenantId), label: "organizerEnabled" },
    details: { enabled },
    at: now,
  });
}
