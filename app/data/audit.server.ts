import type { Types } from "mongoose";
import { AuditEvent, type AuditEventDoc } from "../../models/audit-event";
import type { TenantScope } from "./ids.server";

export type AuditInput = {
  tenantId: Types.ObjectId | null;
  action: string;
  actor?: { id: Types.ObjectId; email: string } | null;
  ip?: string;
  target?: { type: string; id: string; label?: string };
  details?: Record<string, unknown>;
  at?: Date;
};

export async function recordAudit(input: AuditInput): Promise<void> {
  await AuditEvent.create({
    tenantId: input.tenantId,
    at: input.at ?? new Date(),
    action: input.action,
    actorId: input.actor?.id ?? null,
    actorEmail: input.actor?.email ?? "",
    ip: input.ip ?? "",
    targetType: input.target?.type ?? "",
    targetId: input.target?.id ?? "",
    targetLabel: input.target?.label ?? "",
    details: input.details ?? {},
  });
}

export type AuditListItem = Pick<
  AuditEventDoc,
  "_id" | "at" | "action" | "actorEmail" | "ip" | "targetType" | "targetId" | "targetLabel" | "details"
>;

export async function listAuditEvents({
  tenantId,
  action,
  page,
  pageSize = 50,
}: TenantScope & { action?: string; page: number; pageSize?: number }): Promise<{
  items: AuditListItem[];
  total: number;
}> {
  const filter: Record<string, unknown> = { tenantId };
  if (action) filter.action = action;
  const [items, total] = await Promise.all([
    AuditEvent.find(filter)
      .sort({ at: -1, _id: -1 })
      .skip((page - 1) * pageSize)
      .limit(pageSize)
      .lean<AuditListItem[]>(),
    AuditEvent.countDocuments(filter),
  ]);
  return { items, total };
}

/** The actions that occur in this tenant's log, for the filter list. */
export async function listAuditActions({ tenantId }: TenantScope): Promise<string[]> {
  const actions: unknown[] = await AuditEvent.distinct("action", { tenantId });
  return actions.filter((a): a is string => typeof a === "string").sort();
}
