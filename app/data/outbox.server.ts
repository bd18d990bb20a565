import { Types } from "mongoose";
import { OutboxMessage, type OutboxMessageDoc } from "../../models/outbox-message";
import { OUTBOX_PAGE_SIZE, type OutboxStatus } from "~/lib/outbox";
import type { EmailTemplateName } from "../../emails/names";
import type { Locale } from "~/i18n";
import { recordAudit } from "./audit.server";
import { casUpdate } from "./cas.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import type { TenantScope } from "./ids.server";

export type EmailToQueue = TenantScope & {
  /** Same key, same email: a retried operation never queues it twice. */
  idempotencyKey: string;
  /** A name from emails/names.ts: the compiler refuses a template without a module. */
  template: EmailTemplateName;
  to: string;
  locale: Locale;
  data: Record<string, unknown>;
  now?: Date;
};

/**
 * Queues an email for the outbox worker; a second call with the same key is a no-op.
 * A plain insert arbitrated by the unique `idempotencyKey` index: constant time on FerretDB,
 * where an upsert's filter on a non-_id field scans the whole collection (bench/email.ts).
 */
export async function enqueueEmail(message: EmailToQueue): Promise<void> {
  const { tenantId, idempotencyKey, template, to, locale, data, now = new Date() } = message;
  try {
    await OutboxMessage.create({
      tenantId,
      idempotencyKey,
      template,
      to,
      locale,
      data,
      status: "pending",
      attempts: [],
      countFrom: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      claimedBy: "",
      lastError: "",
      sentAt: null,
      version: 0,
    });
  } catch (error) {
    // Already queued (a retried operation, or two concurrent ones): the email exists once.
    if (isDuplicateKeyError(error)) return;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Admin view: list, detail, retry, cancel (compare-and-set on `version`, like the worker)


export type OutboxListItem = Pick<
  OutboxMessageDoc,
  "_id" | "template" | "to" | "locale" | "status" | "attempts" | "nextAttemptAt" | "lastError" | "createdAt" | "sentAt"
>;

export async function listOutbox({
  tenantId,
  status,
  page = 1,
}: TenantScope & { status?: OutboxStatus | null; page?: number }): Promise<{ items: OutboxListItem[]; total: number; page: number; pages: number }> {
  const filter: Record<string, unknown> = { tenantId };
  if (status) filter.status = status;
  const total = await OutboxMessage.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  const items = await OutboxMessage.find(filter)
    .sort({ createdAt: -1, _id: -1 })
    .skip((current - 1) * OUTBOX_PAGE_SIZE)
    .limit(OUTBOX_PAGE_SIZE)
    .select({ template: 1, to: 1, locale: 1, status: 1, attempts: 1, nextAttemptAt: 1, lastError: 1, createdAt: 1, sentAt: 1 })
    .lean<OutboxListItem[]>();
  return { items: items.map((i) => ({ ...i, attempts: Array.isArray(i.attempts) ? i.attempts : [] })), total, page: current, pages };
}

export async function getOutboxMessage({ tenantId, id }: TenantScope & { id: string }): Promise<OutboxMessageDoc | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const doc = await OutboxMessage.findOne({ tenantId, _id: new Types.ObjectId(id) }).lean<OutboxMessageDoc>();
  if (!doc) return null;
  return { ...doc, attempts: Array.isArray(doc.attempts) ? doc.attempts : [], version: doc.version ?? 0 };
}

export type OutboxActionResult = { ok: true } | { ok: false; error: "notFound" | "invalidState" | "conflict" };

const ACTIONS = {
  // A failed message gets a fresh start; its attempts stay on record.
  retry: { from: ["failed"], to: "pending" },
  cancel: { from: ["pending", "retry"], to: "cancelled" },
} as const satisfies Record<string, { from: readonly OutboxStatus[]; to: OutboxStatus }>;

export async function changeOutboxMessage({
  tenantId,
  id,
  change,
  actor,
  ip,
  now = new Date(),
}: TenantScope & {
  id: string;
  change: keyof typeof ACTIONS;
  actor: { id: Types.ObjectId; email: string };
  ip?: string;
  now?: Date;
}): Promise<OutboxActionResult> {
  const doc = await getOutboxMessage({ tenantId, id });
  if (!doc) return { ok: false, error: "notFound" };
  const rule = ACTIONS[change];
  if (!(rule.from as readonly string[]).includes(doc.status)) return { ok: false, error: "invalidState" };
  const set: Record<string, unknown> = { status: rule.to };
  // A retried message starts a fresh attempt count; its earlier attempts stay on record.
  if (change === "retry") Object.assign(set, { nextAttemptAt: now, countFrom: doc.attempts.length });
  const won = await casUpdate(
    OutboxMessage,
    { _id: doc._id, tenantId, expectedVersion: doc.version, extra: { status: doc.status } },
    { $set: set },
  );
  if (!won) return { ok: false, error: "conflict" };
  await recordAudit({
    tenantId,
    action: `outbox.${change}`,
    actor,
    ip,
    target: { type: "outbox", id: String(doc._id), label: `${doc.template} → ${doc.to}` },
    details: { from: doc.status, to: rule.to },
    at: now,
  });
  return { ok: true };
}

/** Cancels a queued message that is no longer wanted (e.g. a revoked invitation); false if already on its way. */
export async function cancelQueuedEmail({ tenantId, idempotencyKey }: TenantScope & { idempotencyKey: string }): Promise<boolean> {
  for (let round = 0; round < 3; round += 1) {
    const doc = await OutboxMessage.findOne({ tenantId, idempotencyKey })
      .select({ status: 1, version: 1 })
      .lean<Pick<OutboxMessageDoc, "_id" | "status" | "version">>();
    if (!doc || (doc.status !== "pending" && doc.status !== "retry")) return false;
    const won = await casUpdate(
      OutboxMessage,
      { _id: doc._id, tenantId, expectedVersion: doc.version ?? 0, extra: { status: doc.status } },
      { $set: { status: "cancelled" } },
    );
    if (won) return true;
  }
  return false;
}

/** Sent and cancelled emails are kept this long for the admin view, then deleted. */
export const OUTBOX_RETENTION_DAYS = 90;

/**
 * Deletes finished emails past the retention period. Besides privacy, this keeps the worker's
 * due-message query cheap on FerretDB, which scans the collection (no index use on that filter).
 */
export async function purgeOldOutboxMessages(now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - OUTBOX_RETENTION_DAYS * 24 * 60 * 60 * 1000);
  const result = await OutboxMessage.deleteMany({ status: { $in: ["sent", "cancelled"] }, updatedAt: { $lt: before } }).setOptions({
    crossTenant: true,
  });
  return result.deletedCount;
}
