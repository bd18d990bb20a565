/** Public objections during the public notice (公示期间异议). */
import type { TenantScope } from "../ids.server";
import { hitRateLimit } from "../rate-limit.server";
import { applyApplicationEvent } from "./apply.server";
import type { ApplyEventResult } from "./results.server";

/** Objections per client address and hour: enough for a real objection, not for a flood. */
export const OBJECTION_LIMIT = { perIp: 5, windowMs: 60 * 60 * 1000 } as const;

export type ObjectionResult =
  ApplyEventResult | { ok: false; status: 429; error: "rateLimited"; retryAfterMinutes: number };

/** Anyone may object to an application under public notice; it goes back to review. */
export async function submitObjection({
  tenantId,
  applicationId,
  name,
  contact,
  statement,
  ip,
  now = new Date(),
}: TenantScope & {
  applicationId: string;
  name: string;
  contact: string;
  statement: string;
  ip: string;
  now?: Date;
}): Promise<ObjectionResult> {
  const limit = await hitRateLimit(
    `objection:ip:${ip}`,
    OBJECTION_LIMIT.perIp,
    OBJECTION_LIMIT.windowMs,
    now.getTime(),
  );
  if (limit.limited) {
    return {
      ok: false,
      status: 429,
      error: "rateLimited",
      retryAfterMinutes: Math.max(1, Math.ceil(limit.retryAfterSeconds / 60)),
    };
  }
  return applyApplicationEvent({
    tenantId,
    applicationId,
    event: { type: "OBJECTION", reason: statement },
    actor: { kind: "public", ip },
    objector: { name: name.trim(), contact: contact.trim() },
    now,
  });
}
