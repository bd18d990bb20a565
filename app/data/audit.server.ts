/**
 * The security log (`audit_events`): written by `recordAudit`, read by the tenant admin's audit page.
 *
 * At a city's size the log holds 100,000s of events per tenant, and FerretDB 1.x sorts (and counts)
 * only after decoding every match. So once the log is large and its month buckets are filled
 * (decision 034), a page is read month by month newest first (`readMonthsNewestFirst`), and tells
 * whether there is a next page instead of counting everything; the action filter's options come
 * from `audit_actions`, one small document per tenant and action, not from `distinct`.
 */
import type { Types } from "mongoose";
import { AppMigration } from "../../models/app-migration";
import { AuditAction } from "../../models/audit-action";
import { AuditEvent, type AuditEventDoc } from "../../models/audit-event";
import { bulkWriteInChunks } from "../../models/bulk-write";
import { collectionSize } from "../../models/collection-size";
import { connectDb } from "~/db.server";
import { chinaMonth, monthsNewestFirst } from "~/lib/month-buckets";
import type { TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import { newestAtFirst, readMonthsNewestFirst } from "./month-walk.server";

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
  const at = input.at ?? new Date();
  await AuditEvent.create({
    tenantId: input.tenantId,
    at,
    month: chinaMonth(at),
    action: input.action,
    actorId: input.actor?.id ?? null,
    actorEmail: input.actor?.email ?? "",
    ip: input.ip ?? "",
    targetType: input.target?.type ?? "",
    targetId: input.target?.id ?? "",
    targetLabel: input.target?.label ?? "",
    details: input.details ?? {},
  });
  if (input.tenantId) await noteAuditAction(input.tenantId, input.action);
}

const auditActionId = (tenantId: Types.ObjectId, action: string) => `${String(tenantId)}:${action}`;

/** Records that `action` occurs in the tenant's log (idempotent; a racing twin is a duplicate key). */
async function noteAuditAction(tenantId: Types.ObjectId, action: string): Promise<void> {
  const _id = auditActionId(tenantId, action);
  await AuditAction.updateOne({ _id, tenantId }, { $setOnInsert: { action } }, { upsert: true }).catch((error: unknown) => {
    if (!isDuplicateKeyError(error)) throw error;
  });
}

export type AuditListItem = Pick<
  AuditEventDoc,
  "_id" | "at" | "action" | "actorEmail" | "ip" | "targetType" | "targetId" | "targetLabel" | "details"
>;

const LIST_FIELDS = { at: 1, action: 1, actorEmail: 1, ip: 1, targetType: 1, targetId: 1, targetLabel: 1, details: 1 } as const;

/** The walk's first month (the 2017 regime; the app's log cannot be older). */
export const AUDIT_FIRST_MONTH = 201701;
/** Months after today still walked: events stamped by a clock running ahead. */
const AUDIT_MONTHS_AHEAD = 1;
/** From this many events in the database on (and once filled), pages walk the month buckets. */
export const AUDIT_WALK_FROM = 1000;

/** Raised whenever audit events gain a derived field that older events lack. */
const AUDIT_MARK = "audit-events:months-1";

const newestFirst = newestAtFirst<AuditListItem>((e) => e.at);

/**
 * One page of a tenant's log, newest first. `total` is exact when known without counting the
 * whole log (a small log, or the walk reached its end); otherwise null, with `hasMore` for the
 * next-page link.
 */
export async function listAuditEvents({
  tenantId,
  action,
  page,
  pageSize = 50,
  walkFrom = AUDIT_WALK_FROM,
  now = new Date(),
}: TenantScope & { action?: string; page: number; pageSize?: number; walkFrom?: number; now?: Date }): Promise<{
  items: AuditListItem[];
  total: number | null;
  hasMore: boolean;
}> {
  const filter: Record<string, unknown> = { tenantId };
  if (action) filter.action = action;
  const skip = (page - 1) * pageSize;
  if (await walksAuditMonths(walkFrom)) {
    const { docs, complete } = await readMonthsNewestFirst<AuditListItem>(
      monthsNewestFirst(now, AUDIT_FIRST_MONTH, AUDIT_MONTHS_AHEAD),
      (month) => AuditEvent.find({ ...filter, month }).select(LIST_FIELDS).lean<AuditListItem[]>(),
      newestFirst,
      skip + pageSize + 1,
    );
    return {
      items: docs.slice(skip, skip + pageSize),
      total: complete ? docs.length : null,
      hasMore: docs.length > skip + pageSize,
    };
  }
  const [items, total] = await Promise.all([
    AuditEvent.find(filter).sort({ at: -1, _id: -1 }).skip(skip).limit(pageSize).select(LIST_FIELDS).lean<AuditListItem[]>(),
    AuditEvent.countDocuments(filter),
  ]);
  return { items, total, hasMore: skip + items.length < total };
}

/** Whether pages walk the month buckets: a large log whose events all carry their month. */
async function walksAuditMonths(walkFrom: number): Promise<boolean> {
  const [count, filled] = await Promise.all([collectionSize(AuditEvent), AppMigration.exists({ _id: AUDIT_MARK })]);
  return count >= walkFrom && filled !== null;
}

/** The actions that occur in this tenant's log, for the filter list. */
export async function listAuditActions({ tenantId }: TenantScope): Promise<string[]> {
  const rows = await AuditAction.find({ tenantId }).select({ action: 1 }).lean<{ action: string }[]>();
  return rows.map((r) => r.action).sort();
}

/**
 * Fills the month of every event written before it existed and the tenants' action lists, once
 * per database (a mark in `app_migrations`). Until the mark is set pages use the sorted read, so
 * the log is complete whatever this has reached; several instances may run it (idempotent).
 * Returns whether it ran.
 */
export async function ensureAuditLogCurrent(): Promise<boolean> {
  await connectDb();
  if (await AppMigration.exists({ _id: AUDIT_MARK })) return false;
  type Slim = Pick<AuditEventDoc, "_id" | "tenantId" | "at" | "action" | "month">;
  const events = await AuditEvent.find({}).select({ tenantId: 1, at: 1, action: 1, month: 1 }).lean<Slim[]>();
  const months = events.flatMap((e) => {
    const month = chinaMonth(e.at);
    return e.month === month ? [] : [{ updateOne: { filter: { _id: e._id }, update: { $set: { month } } } }];
  });
  await bulkWriteInChunks(AuditEvent, months);
  const actions = new Map<string, { tenantId: Types.ObjectId; action: string }>();
  for (const e of events) if (e.tenantId) actions.set(auditActionId(e.tenantId, e.action), { tenantId: e.tenantId, action: e.action });
  for (const { tenantId, action } of actions.values()) await noteAuditAction(tenantId, action);
  await markAuditLogCurrent();
  return true;
}

/** For a log whose events were all written with their month (the bench's city seed). */
export async function markAuditLogCurrent(): Promise<void> {
  await AppMigration.updateOne({ _id: AUDIT_MARK }, { $set: { at: new Date() } }, { upsert: true });
}
