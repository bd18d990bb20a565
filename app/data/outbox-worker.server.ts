/**
 * The outbox worker: claims due messages, renders them (emails/), sends them (SMTP or capture) and
 * records every attempt. Several app instances may run it at once — see
 * docs/decisions/008-outbox.md for why the claim is a compare-and-set (app/data/cas.server.ts)
 * and not a findOneAndUpdate (not atomic on FerretDB 1.24).
 *
 * Delivery is at-least-once: a worker that dies after sending but before recording leaves the
 * message "sending"; when its lease runs out another worker sends it again with the same
 * Message-ID (<outboxId@safegrade>), which lets receivers drop the duplicate.
 */
import { randomUUID } from "node:crypto";
import type { Types } from "mongoose";
import type Mail from "nodemailer/lib/mailer";
import { OutboxMessage, outboxMessageId, type OutboxAttempt, type OutboxMessageDoc } from "../../models/outbox-message";
import { Tenant } from "../../models/tenant";
import { EmailDataError, renderEmail } from "../../emails/index";
import { connectDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { logger } from "~/logger.server";
import { certificateFilename, certificatePdfData, renderCertificateBuffer } from "~/pdf/certificate.server";
import { casUpdate } from "./cas.server";
import { getCertificateForApplication, loadCertificateSeal, verificationUrl } from "./certificates.server";
import { defaultMailTransport, type MailTransport } from "./mail-transport.server";

export const WORKER_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;
/** Backoff never grows beyond this. */
export const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;

export type OutboxWorkerOptions = {
  now?: Date;
  /** Messages claimed per batch. */
  batchSize?: number;
  /** Batches per run (a run stops early when a batch comes back short). */
  maxBatches?: number;
  /** Messages sent at the same time within a batch. */
  concurrency?: number;
  maxAttempts?: number;
  backoffMs?: number;
  leaseMs?: number;
  transport?: MailTransport;
  from?: string;
  appUrl?: string;
  workerId?: string;
  /** Test hook: called after a message is sent and before its outcome is recorded. */
  afterSend?: (id: string) => Promise<void> | void;
};

export type OutboxRun = { claimed: number; sent: number; retried: number; failed: number; lost: number };

type Candidate = Pick<
  OutboxMessageDoc,
  "_id" | "tenantId" | "template" | "to" | "locale" | "data" | "status" | "attempts" | "countFrom" | "version" | "claimedBy"
>;

/** A failure that will not get better by retrying (5xx, bad data). */
class PermanentError extends Error {}

export function backoffDelay(attemptNumber: number, baseMs: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attemptNumber - 1));
}

/** SMTP 5xx replies (e.g. 550 mailbox unavailable) and unrenderable messages are permanent; the rest is temporary. */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof PermanentError || error instanceof EmailDataError) return true;
  const code = typeof error === "object" && error !== null && "responseCode" in error ? Number(error.responseCode) : NaN;
  return code >= 500 && code < 600;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const response = "response" in error && typeof error.response === "string" ? error.response : "";
    return (response || error.message).slice(0, 1000);
  }
  return String(error).slice(0, 1000);
}

/** Attempts that count toward the limit (an admin's retry starts the count again). */
function counted(attempts: readonly OutboxAttempt[], countFrom: number | undefined): number {
  return Math.max(0, attempts.length - (countFrom ?? 0));
}

let versionsBackfilled = false;

/** Messages queued before the worker existed have no `version` / attempts list yet. */
async function backfillLegacyMessages(): Promise<void> {
  if (versionsBackfilled) return;
  // Raw collection: platform-wide maintenance, and the old shape does not fit the schema's types.
  await OutboxMessage.collection.updateMany({ version: { $exists: false } }, { $set: { version: 0 } });
  await OutboxMessage.collection.updateMany({ attempts: { $type: "number" } }, { $set: { attempts: [], countFrom: 0 } });
  versionsBackfilled = true;
}

/** One pass of the worker: claims and sends due messages in batches. */
export async function runOutboxWorker(options: OutboxWorkerOptions = {}): Promise<OutboxRun> {
  await connectDb();
  await backfillLegacyMessages();
  const env = getEnv();
  const now = options.now ?? new Date();
  const settings = {
    now,
    batchSize: options.batchSize ?? 25,
    maxBatches: options.maxBatches ?? 8,
    concurrency: Math.max(1, options.concurrency ?? 4),
    maxAttempts: options.maxAttempts ?? env.OUTBOX_MAX_ATTEMPTS,
    backoffMs: options.backoffMs ?? env.OUTBOX_BACKOFF_MS,
    leaseMs: options.leaseMs ?? env.OUTBOX_LEASE_MS,
    transport: options.transport ?? defaultMailTransport(),
    from: options.from ?? env.MAIL_FROM,
    appUrl: (options.appUrl ?? env.APP_URL).replace(/\/+$/, ""),
    workerId: options.workerId ?? WORKER_ID,
    afterSend: options.afterSend,
  };
  const run: OutboxRun = { claimed: 0, sent: 0, retried: 0, failed: 0, lost: 0 };
  const tenants = new Map<string, TenantInfo | null>();
  for (let batch = 0; batch < settings.maxBatches; batch += 1) {
    const claimed = await claimBatch(settings, run);
    if (claimed.length === 0) break;
    run.claimed += claimed.length;
    let next = 0;
    const lane = async () => {
      while (next < claimed.length) {
        const message = claimed[next];
        next += 1;
        if (message) await deliver(message, settings, run, tenants);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, claimed.length) }, lane));
    if (claimed.length < settings.batchSize) break;
  }
  return run;
}

type Settings = Required<Omit<OutboxWorkerOptions, "afterSend">> & Pick<OutboxWorkerOptions, "afterSend">;

/**
 * Due = pending/retry whose time has come, or sending whose lease ran out (the worker died).
 * Each is taken by a compare-and-set on its version: exactly one worker wins it.
 */
async function claimBatch(s: Settings, run: OutboxRun): Promise<Candidate[]> {
  const due = await OutboxMessage.find({
    $or: [
      { status: { $in: ["pending", "retry"] }, nextAttemptAt: { $lte: s.now } },
      { status: "sending", leaseUntil: { $lte: s.now } },
    ],
  })
    .setOptions({ crossTenant: true })
    .sort({ nextAttemptAt: 1 })
    .limit(s.batchSize * 2)
    .select({ tenantId: 1, template: 1, to: 1, locale: 1, data: 1, status: 1, attempts: 1, countFrom: 1, version: 1, claimedBy: 1 })
    .lean<Candidate[]>();
  const claimed: Candidate[] = [];
  for (const c of due) {
    if (claimed.length >= s.batchSize) break;
    const attempts = Array.isArray(c.attempts) ? c.attempts : [];
    if (c.status === "sending") {
      // The previous claimant's lease ran out: that attempt counts (it may even have been delivered).
      const entry: OutboxAttempt = {
        at: s.now,
        outcome: "interrupted",
        response: `lease of worker ${c.claimedBy || "?"} expired`,
        worker: s.workerId,
      };
      if (counted(attempts, c.countFrom) + 1 >= s.maxAttempts) {
        const won = await casUpdate(
          OutboxMessage,
          { _id: c._id, tenantId: c.tenantId, expectedVersion: c.version, extra: { status: "sending" } },
          { $set: { status: "failed", leaseUntil: null, lastError: entry.response }, $push: { attempts: entry } },
        );
        if (won) run.failed += 1;
        continue;
      }
      const won = await casUpdate(
        OutboxMessage,
        { _id: c._id, tenantId: c.tenantId, expectedVersion: c.version, extra: { status: "sending" } },
        {
          $set: { leaseUntil: new Date(s.now.getTime() + s.leaseMs), claimedBy: s.workerId, lastError: entry.response },
          $push: { attempts: entry },
        },
      );
      if (won) {
        run.lost += 1;
        claimed.push({ ...c, attempts: [...attempts, entry], version: c.version + 1, status: "sending" });
      }
      continue;
    }
    const won = await casUpdate(
      OutboxMessage,
      { _id: c._id, tenantId: c.tenantId, expectedVersion: c.version, extra: { status: c.status } },
      { $set: { status: "sending", leaseUntil: new Date(s.now.getTime() + s.leaseMs), claimedBy: s.workerId } },
    );
    if (won) claimed.push({ ...c, attempts, version: c.version + 1, status: "sending" });
  }
  return claimed;
}

type TenantInfo = { slug: string; name: { zh: string; en: string } };

async function tenantInfo(cache: Map<string, TenantInfo | null>, id: Types.ObjectId): Promise<TenantInfo | null> {
  const key = String(id);
  if (!cache.has(key)) {
    const tenant = await Tenant.findOne({ _id: id }).select({ slug: 1, name: 1 }).lean<TenantInfo>();
    cache.set(key, tenant ?? null);
  }
  return cache.get(key) ?? null;
}

async function certificateAttachment(tenantId: Types.ObjectId, data: Record<string, unknown>): Promise<Mail.Attachment> {
  const applicationId = typeof data.applicationId === "string" ? data.applicationId : "";
  const cert = await getCertificateForApplication({ tenantId, applicationId });
  // Issued right after the transition (or by the issue-pending-certificates job): wait for it.
  if (!cert) throw new Error(`certificate of application ${applicationId} not issued yet`);
  const pdfData = certificatePdfData(cert, {
    verifyUrl: verificationUrl(cert.verifyCode),
    seal: await loadCertificateSeal({ tenantId }),
  });
  return { filename: certificateFilename(pdfData), content: await renderCertificateBuffer(pdfData), contentType: "application/pdf" };
}

async function deliver(message: Candidate, s: Settings, run: OutboxRun, tenants: Map<string, TenantInfo | null>): Promise<void> {
  const id = String(message._id);
  const attemptNumber = message.attempts.slice(message.countFrom ?? 0).filter((a) => a.outcome !== "interrupted").length + 1;
  let outcome: OutboxAttempt["outcome"];
  let response: string;
  try {
    const tenant = await tenantInfo(tenants, message.tenantId);
    if (!tenant) throw new PermanentError("tenant not found");
    const locale = message.locale === "en" ? "en" : "zh-CN";
    const rendered = renderEmail(message.template, message.data, {
      locale,
      tenantName: locale === "en" ? tenant.name.en : tenant.name.zh,
      tenantSlug: tenant.slug,
      appUrl: s.appUrl,
    });
    const attachments = rendered.attachCertificate ? [await certificateAttachment(message.tenantId, message.data)] : [];
    const result = await s.transport.send({
      tenantId: String(message.tenantId),
      outboxId: id,
      from: s.from,
      to: message.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      attachments,
      messageId: outboxMessageId(message._id),
      headers: { "X-SafeGrade-Template": message.template, "Content-Language": locale },
    });
    if (s.afterSend) await s.afterSend(id);
    outcome = "sent";
    response = result.response;
  } catch (error) {
    response = describe(error);
    const attemptsSoFar = counted(message.attempts, message.countFrom) + 1;
    outcome = isPermanentFailure(error) || attemptsSoFar >= s.maxAttempts ? "failed" : "retry";
    logger.warn({ outboxId: id, template: message.template, outcome, error: response }, "email attempt failed");
  }
  const entry: OutboxAttempt = { at: s.now, outcome, response, worker: s.workerId };
  const set: Record<string, unknown> =
    outcome === "sent"
      ? { status: "sent", sentAt: s.now, leaseUntil: null, lastError: "" }
      : outcome === "failed"
        ? { status: "failed", leaseUntil: null, lastError: response }
        : {
            status: "retry",
            leaseUntil: null,
            lastError: response,
            nextAttemptAt: new Date(s.now.getTime() + backoffDelay(attemptNumber, s.backoffMs)),
          };
  const recorded = await casUpdate(
    OutboxMessage,
    { _id: message._id, tenantId: message.tenantId, expectedVersion: message.version, extra: { status: "sending" } },
    { $set: set, $push: { attempts: entry } },
  );
  if (!recorded) {
    // Our lease ran out and another worker took the message over: it will record its own attempt.
    logger.warn({ outboxId: id, outcome }, "email outcome not recorded: the message was taken over");
    return;
  }
  if (outcome === "sent") run.sent += 1;
  else if (outcome === "failed") run.failed += 1;
  else run.retried += 1;
}
