/** Credit records: the scheduled job (defence windows, expiry, redelivery of pending effects). */
import { type Types } from "mongoose";
import { CreditRecord } from "../../../models/credit-record";
import { connectDb } from "~/db.server";
import { reconcileCreditPublications } from "../credit-publication.server";
import { carryOutCreditEffects } from "./effects.server";
import { applyCreditRecordEvent } from "./events.server";

// ---------------------------------------------------------------------------------------------
// Scheduled job

export type CreditLifecycleRun = { windowsPassed: number; expired: number; redelivered: number; publications: number };

/** Sends a system event to the records due for it (at most 500 a run); returns how many moved. */
async function sendSystemEvent(
  due: Record<string, unknown>,
  type: "DEFENCE_WINDOW_PASSED" | "EXPIRE",
  now: Date,
): Promise<number> {
  const records = await CreditRecord.find(due)
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, version: 1 })
    .limit(500)
    .lean<Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId; version: number }>>();
  let moved = 0;
  for (const r of records) {
    const result = await applyCreditRecordEvent({
      tenantId: r.tenantId,
      id: r._id,
      event: { type },
      actor: { kind: "system" },
      expectedVersion: r.version,
      now,
    });
    if (result.ok) moved += 1;
  }
  return moved;
}

/**
 * DEFENCE_WINDOW_PASSED after the deadline (the regulator still decides), EXPIRE at the end of the
 * period, redelivery of effects a crashed request left pending. Several runners may find the same
 * record: the compare-and-set lets one transition through; the others get a conflict.
 */
export async function runCreditLifecycle({ now }: { now: Date }): Promise<CreditLifecycleRun> {
  await connectDb();
  const run: CreditLifecycleRun = { windowsPassed: 0, expired: 0, redelivered: 0, publications: 0 };
  run.windowsPassed = await sendSystemEvent({ state: "notified.awaiting", defenceDeadline: { $lt: now } }, "DEFENCE_WINDOW_PASSED", now);
  run.expired = await sendSystemEvent({ status: "published", endsAt: { $lte: now } }, "EXPIRE", now);
  const pending = await CreditRecord.find({ effectsPending: true })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1 })
    .limit(500)
    .lean<Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId }>>();
  for (const r of pending) {
    const result = await carryOutCreditEffects({ tenantId: r.tenantId, id: r._id, now });
    if (result.done) run.redelivered += 1;
  }
  // Publication syncs still owed without an effects run (older data); normally none.
  run.publications = (await reconcileCreditPublications()).synced;
  return run;
}
