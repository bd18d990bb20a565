/** Credit records: shared steps of the writers (record lookup, snapshot, history entry, block messages). */
import { type Types } from "mongoose";
import { CreditRecord, type CreditHistoryEntry, type CreditRecordDoc } from "../../../models/credit-record";
import { Enterprise } from "../../../models/enterprise";
import { type MessageKey } from "~/i18n";
import { CREDIT_STATUSES, type CreditStatus } from "~/lib/credit";
import { resumeCredit, type CreditBlockReason, type CreditSnapshot } from "~/workflows/credit.machine";
import { toObjectId } from "../ids.server";
import type { CreditEventActor } from "./access.server";

export async function enterpriseIdForCode(tenantId: Types.ObjectId, creditCode: string): Promise<Types.ObjectId | null> {
  const found = await Enterprise.findOne({ tenantId, creditCode })
    .select({ _id: 1 })
    .lean<{ _id: Types.ObjectId }>();
  return found?._id ?? null;
}

export function snapshotOf(doc: CreditRecordDoc): CreditSnapshot {
  return resumeCredit(doc.state, {
    recordId: String(doc._id),
    defenceDeadline: doc.defenceDeadline?.toISOString() ?? null,
    listedAt: doc.listedAt?.toISOString() ?? null,
    endsAt: doc.endsAt?.toISOString() ?? null,
  });
}

export function statusOfKey(key: string): CreditStatus {
  const top = key.split(".")[0] ?? "";
  const found = CREDIT_STATUSES.find((s) => s === top);
  if (!found) throw new Error(`unknown credit state "${key}"`);
  return found;
}

export function historyEntry(
  actor: CreditEventActor,
  at: Date,
  event: string,
  from: string,
  to: string,
  note = "",
  details?: Record<string, unknown>,
): CreditHistoryEntry {
  return {
    at,
    event,
    from,
    to,
    actor:
      actor.kind === "member"
        ? { kind: "user", userId: actor.member.user._id, name: actor.member.user.name ?? actor.member.user.email }
        : { kind: "system", userId: null, name: "" },
    note,
    ...(details ? { details } : {}),
  };
}

export async function findRecord(tenantId: Types.ObjectId, id: string | Types.ObjectId): Promise<CreditRecordDoc | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  return CreditRecord.findOne({ tenantId, _id }).lean<CreditRecordDoc>();
}

export function blockKey(reason: CreditBlockReason): MessageKey {
  return `credit.block.${reason}`;
}
