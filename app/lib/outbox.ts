/** Outbox constants shared by the model, the data layer and the admin pages. */
export const OUTBOX_STATUSES = ["pending", "sending", "retry", "sent", "failed", "cancelled"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const OUTBOX_PAGE_SIZE = 25;
