/**
 * Credit records: applying a lifecycle event (DOMAIN.md §7). load → authorise → validate → add the
 * server's facts (clock, end of the period, from when repair may be applied for) → pure transition
 * (app/workflows/credit.machine.ts) → ONE compare-and-set writing state, fields, history and the
 * transition's effects (`effects`, `effectsPending`), then the effects run (./effects.server.ts).
 * A transition into or out of `published` also sets `publicationPending`, so the effects run syncs
 * the public read model (`credit_publications`) first.
 */
import { type Types } from "mongoose";
import { CreditRecord, type CreditFile } from "../../../models/credit-record";
import { connectDb } from "~/db.server";
import { addMonths, shanghaiDay } from "~/lib/certificate";
import { fieldErrors, msg } from "~/lib/validation";
import { logger } from "~/logger.server";
import { CREDIT_EVENT_FIELD, creditEventInputSchema, repairChecklist, endOfShanghaiDay, type CreditMemberEventType } from "~/workflows/credit-input";
import { applyCreditEvent, creditEventSchema, creditStateKey, type CreditActorRole, type CreditBlockReason, type CreditEffect, type CreditEvent, type CreditEventType } from "~/workflows/credit.machine";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { type TenantScope } from "../ids.server";
import { canViewCreditRecord, creditRoleFor, type CreditEventActor } from "./access.server";
import { carryOutCreditEffects } from "./effects.server";
import { blockKey, enterpriseIdForCode, findRecord, historyEntry, snapshotOf, statusOfKey } from "./record-helpers.server";
import { creditSettings, loadTenantSettings, repairAllowedFrom } from "./settings.server";

// ---------------------------------------------------------------------------------------------
// Events

export type CreditEventResult =
  | { ok: true; version: number; state: string; from: string; effects: CreditEffect[] }
  | { ok: false; status: 400; error: "invalid"; errors: Record<string, string> }
  | { ok: false; status: 403; error: "forbidden"; errors: Record<string, string> }
  | { ok: false; status: 404; error: "notFound"; errors: Record<string, string> }
  | { ok: false; status: 409 | 422; error: "conflict" | "blocked"; errors: Record<string, string>; reasons: CreditBlockReason[] };

const FIELD_REASONS: Partial<Record<CreditBlockReason, true>> = {
  "text-required": true,
  "deadline-in-past": true,
};

export type ApplyCreditEventInput = TenantScope & {
  id: string | Types.ObjectId;
  /** Member events: `{ type, <field> }` as in credit-input.ts; system: `{ type: "EXPIRE" | "DEFENCE_WINDOW_PASSED" }`. */
  event: Record<string, unknown>;
  actor: CreditEventActor;
  expectedVersion?: number;
  /** Files stored for a defence statement or a repair application. */
  files?: CreditFile[];
  ip?: string;
  now?: Date;
  /** Leave the effects to the job's redelivery (tests use it to stand for a crash after the write). */
  deferEffects?: boolean;
};

export async function applyCreditRecordEvent(input: ApplyCreditEventInput): Promise<CreditEventResult> {
  const { tenantId, actor } = input;
  const now = input.now ?? new Date();
  await connectDb();
  let doc = await findRecord(tenantId, input.id);
  const notFoundResult = { ok: false, status: 404, error: "notFound", errors: { _form: msg("errors.notFound") } } as const;
  if (!doc) return notFoundResult;
  // The version the actor saw; finishing a previous transition's effects below moves it on.
  const seenVersion = doc.version;
  const rawType = typeof input.event.type === "string" ? input.event.type : "";

  let role: CreditActorRole;
  let eventType: CreditEventType;
  let payload: Record<string, unknown> = {};
  if (actor.kind === "member") {
    if (!canViewCreditRecord(actor.member, doc)) return notFoundResult;
    const parsed = creditEventInputSchema.safeParse(input.event);
    if (!parsed.success) {
      const known = CREDIT_EVENT_FIELD[rawType as CreditMemberEventType] !== undefined;
      if (!known) return { ok: false, status: 400, error: "invalid", errors: { _form: msg("errors.invalidChoice") } };
    }
    const memberRole = creditRoleFor(actor.member, rawType as CreditEventType, doc);
    if (!memberRole) return { ok: false, status: 403, error: "forbidden", errors: { _form: msg("errors.forbidden") } };
    if (!parsed.success) return { ok: false, status: 400, error: "invalid", errors: fieldErrors(parsed.error) };
    role = memberRole;
    eventType = parsed.data.type;
    payload = { ...parsed.data };
  } else {
    if (rawType !== "EXPIRE" && rawType !== "DEFENCE_WINDOW_PASSED")
      return { ok: false, status: 403, error: "forbidden", errors: { _form: msg("errors.forbidden") } };
    role = "system";
    eventType = rawType;
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== seenVersion)
    return { ok: false, status: 409, error: "conflict", errors: { _form: msg("errors.conflict") }, reasons: [] };
  if (doc.effectsPending) {
    // A crashed request left the previous transition's effects undone: finish them first, so the
    // next transition's batch never replaces a batch that was not carried out.
    await carryOutCreditEffects({ tenantId, id: doc._id, now }).catch((error: unknown) =>
      logger.error({ err: error, creditRecordId: String(doc?._id) }, "credit effects failed"),
    );
    doc = await findRecord(tenantId, doc._id);
    if (!doc) return notFoundResult;
  }

  const tenant = await loadTenantSettings(tenantId);
  const settings = creditSettings(tenant?.settings);
  // The server's facts.
  const event: Record<string, unknown> = {
    ...payload,
    type: eventType,
    actor: { id: actor.kind === "member" ? String(actor.member.user._id) : null, role },
    now: now.toISOString(),
  };
  if (eventType === "SEND_NOTICE" && typeof payload.defenceDeadline === "string")
    event.defenceDeadline = endOfShanghaiDay(payload.defenceDeadline).toISOString();
  if (eventType === "PUBLISH") event.endsAt = addMonths(now, settings.periodMonths[doc.listType]).toISOString();
  if (eventType === "APPLY_REPAIR")
    event.repairAllowedFrom = repairAllowedFrom(doc, settings)?.toISOString() ?? new Date(8.64e15).toISOString();
  const checked = creditEventSchema.safeParse(event);
  if (!checked.success) return { ok: false, status: 400, error: "invalid", errors: { _form: msg("errors.generic") } };

  const snapshot = snapshotOf(doc);
  const step = applyCreditEvent(snapshot, checked.data);
  if (!step.ok) return blockedResult(step.reasons, eventType);

  const from = creditStateKey(snapshot);
  const to = creditStateKey(step.snapshot);
  const newVersion = doc.version + 1;
  const set: Record<string, unknown> = { state: to, status: statusOfKey(to) };
  const e: CreditEvent = checked.data;
  let note = "";
  switch (e.type) {
    case "SEND_NOTICE":
      set.noticeAt = now;
      set.defenceDeadline = new Date(e.defenceDeadline);
      break;
    case "DEFENCE_RECEIVED":
      note = e.statement.trim();
      set.defence = { statement: note, submittedAt: now, files: input.files ?? [] };
      break;
    case "DECIDE_LIST":
    case "DROP":
      note = e.decisionText.trim();
      set.decidedAt = now;
      set.decisionText = note;
      break;
    case "PUBLISH":
      set.listedAt = now;
      set.listedYear = shanghaiDay(now).year;
      set.endsAt = new Date(e.endsAt);
      set.enterpriseId = doc.enterpriseId ?? (await enterpriseIdForCode(tenantId, doc.creditCode));
      break;
    case "APPLY_REPAIR":
      note = e.statement.trim();
      set.repair = { appliedAt: now, statement: note, files: input.files ?? [], decidedAt: null, granted: null, reasons: "" };
      break;
    case "GRANT_REPAIR":
    case "REFUSE_REPAIR":
      note = e.reasons.trim();
      set["repair.decidedAt"] = now;
      set["repair.granted"] = e.type === "GRANT_REPAIR";
      set["repair.reasons"] = note;
      if (e.type === "GRANT_REPAIR") {
        set.removedAt = now;
        set.removalReason = "repaired";
        set["repair.checklist"] = repairChecklist(payload);
      }
      break;
    case "EXPIRE":
      set.removedAt = now;
      set.removalReason = "expired";
      break;
    case "RESTORE":
      note = e.reasons.trim();
      set.removedAt = null;
      set.removalReason = null;
      break;
    default:
      break;
  }
  if (e.type === "GRANT_REPAIR" || e.type === "REFUSE_REPAIR") {
    // `repair` may be null on very old data; dotted paths need the object.
    if (!doc.repair) {
      set.repair = {
        appliedAt: null,
        statement: "",
        files: [],
        decidedAt: now,
        granted: e.type === "GRANT_REPAIR",
        reasons: note,
        ...(e.type === "GRANT_REPAIR" ? { checklist: repairChecklist(payload) } : {}),
      };
      delete set["repair.checklist"];
      delete set["repair.decidedAt"];
      delete set["repair.granted"];
      delete set["repair.reasons"];
    }
  }
  set.effects = {
    version: newVersion,
    at: now,
    event: e.type,
    items: step.effects,
    actorId: actor.kind === "member" ? actor.member.user._id : null,
    actorEmail: actor.kind === "member" ? actor.member.user.email : "",
  };
  // Into or out of `published`: the public read model must follow (synced first by the effects
  // run; every such transition has effects anyway). A flag left by older data is kept.
  const toStatus = statusOfKey(to);
  const publicationChange = doc.status !== toStatus && (doc.status === "published" || toStatus === "published");
  set.publicationPending = publicationChange || doc.publicationPending === true;
  set.effectsPending = step.effects.length > 0 || set.publicationPending === true;
  const files = input.files ?? [];
  const entry = historyEntry(actor, now, e.type, from, to, note, files.length > 0 ? { files: files.map((f) => f.name) } : undefined);

  const won = await casUpdate(
    CreditRecord,
    { _id: doc._id, tenantId, expectedVersion: doc.version },
    { $set: set, $push: { history: entry } },
  );
  if (!won) return { ok: false, status: 409, error: "conflict", errors: { _form: msg("errors.conflict") }, reasons: [] };

  if (set.effectsPending === true && !input.deferEffects) {
    try {
      await carryOutCreditEffects({ tenantId, id: doc._id, now });
    } catch (error) {
      // The transition stands; the credit-lifecycle job redelivers (every effect is idempotent).
      logger.error({ err: error, creditRecordId: String(doc._id), version: newVersion }, "credit effects failed");
    }
  }
  await recordAudit({
    tenantId,
    action: `credit.${e.type.toLowerCase()}`,
    actor: actor.kind === "member" ? { id: actor.member.user._id, email: actor.member.user.email } : null,
    ip: input.ip,
    target: { type: "creditRecord", id: String(doc._id), label: doc.subjectName },
    details: { from, to, version: newVersion, ...(note ? { note } : {}) },
    at: now,
  });
  return { ok: true, version: newVersion, state: to, from, effects: step.effects };
}

function blockedResult(reasons: CreditBlockReason[], type: CreditEventType): CreditEventResult {
  const field = CREDIT_EVENT_FIELD[type as CreditMemberEventType] ?? null;
  const errors: Record<string, string> = {};
  for (const r of reasons) {
    if (FIELD_REASONS[r] && field) errors[field] ??= msg(r === "text-required" ? "errors.required" : blockKey(r));
  }
  if (Object.keys(errors).length > 0) return { ok: false, status: 400, error: "invalid", errors };
  return {
    ok: false,
    status: reasons.includes("invalid-in-state") ? 409 : 422,
    error: "blocked",
    errors: { _form: msg(blockKey(reasons[0] ?? "invalid-in-state")) },
    reasons,
  };
}
