import { OutboxMessage } from "../../models/outbox-message";
import type { Locale } from "~/i18n";
import { isDuplicateKeyError } from "./mongo-errors.server";
import type { TenantScope } from "./ids.server";

export type EmailToQueue = TenantScope & {
  /** Same key, same email: a retried operation never queues it twice. */
  idempotencyKey: string;
  template: string;
  to: string;
  locale: Locale;
  data: Record<string, unknown>;
  now?: Date;
};

/** Queues an email for the outbox worker; a second call with the same key is a no-op. */
export async function enqueueEmail(message: EmailToQueue): Promise<void> {
  const { tenantId, idempotencyKey, template, to, locale, data, now = new Date() } = message;
  try {
    await OutboxMessage.updateOne(
      { tenantId, idempotencyKey },
      {
        $setOnInsert: {
          template,
          to,
          locale,
          data,
          status: "pending",
          attempts: 0,
          nextAttemptAt: now,
          lastError: "",
        },
      },
      { upsert: true },
    );
  } catch (error) {
    // Two concurrent upserts of the same key: the loser hits the unique index; the email is queued once.
    if (isDuplicateKeyError(error)) return;
    throw error;
  }
}
