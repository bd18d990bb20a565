/**
 * Work-safety credit-list records (失信名单, DOMAIN.md §7), persisted. The lifecycle is the pure
 * machine in app/workflows/credit.machine.ts; this module
 *   - creates and edits drafts (validated: credit code checksum, condition against list type and
 *     the tenant's offered set, ID number shape);
 *   - applies lifecycle events: load → authorise → validate → add the server's facts (clock, end
 *     of the period, from when repair may be applied for) → pure transition → ONE compare-and-set
 *     writing state, fields, history and the transition's effects (`effects`, `effectsPending`);
 *   - carries the effects out (`carryOutCreditEffects`): emails, and on publication / restoration
 *     the joint punishment: running applications stopped with CREDIT_LISTED, certificates
 *     suspended or revoked. Every effect is idempotent (deterministic email keys; applications and
 *     certificates change only from their running/active state), and the batch is marked done
 *     with a compare-and-set, so running it twice, or the job's redelivery after a crash, never
 *     doubles anything;
 *   - keeps the public read model in step: a transition into or out of `published` also sets
 *     `publicationPending`, and the effects run syncs `credit_publications` first
 *     (app/data/credit-publication.server.ts), clearing the flag with `effectsPending`.
 */
import { scopeClause, type EnterpriseScope } from "./credit/enterprise-scope.server";
import { oncePerRequest } from "~/request-scope.server";
import { Types } from "mongoose";
import { Assessment } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import {
  CreditRecord,
  type CreditFile,
  type CreditHistoryEntry,
  type CreditRecordDoc,
} from "../../models/credit-record";
import { Enterprise } from "../../models/enterprise";
import { districtCondition } from "~/lib/district-scope";
import { Membership } from "../../models/membership";
import { Tenant, type TenantSettings } from "../../models/tenant";
import { User } from "../../models/user";
import type { Member } from "~/auth.server";
import { connectDb } from "~/db.server";
import { translate, type Locale, type MessageKey } from "~/i18n";
import { addMonths, shanghaiDay } from "~/lib/certificate";
import {
  CREDIT_CONDITIONS,
  CREDIT_DEFAULTS,
  CREDIT_STATUSES,
  maskIdNumber,
  normalizeForSearch,
  type CreditListType,
  type CreditStatus,
} from "~/lib/credit";
import { can } from "~/lib/permissions";
import { fieldErrors, msg } from "~/lib/validation";
import { logger } from "~/logger.server";
import {
  CREDIT_EVENT_FIELD,
  creditDraftSchema,
  creditEventInputSchema,
  repairChecklist,
  endOfShanghaiDay,
  type CreditDraftInput,
  type CreditMemberEventType,
} from "~/workflows/credit-input";
import {
  CREDIT_EVENT_ROLES,
  applyCreditEvent,
  creditEffectSchema,
  creditEventSchema,
  creditHandledEvents,
  creditStateKey,
  explainCreditBlocked,
  resumeCredit,
  type CreditActorRole,
  type CreditBlockReason,
  type CreditEffect,
  type CreditEvent,
  type CreditEventType,
  type CreditSnapshot,
} from "~/workflows/credit.machine";
import { activeStates } from "~/workflows/grading.machine";
import { recordAudit } from "./audit.server";
import { casUpdate } from "./cas.server";
import { changeCertificateStatus } from "./certificates.server";
import { creditListingName } from "./credit-check.server";
import { reconcileCreditPublications, syncCreditPublication } from "./credit-publication.server";
import { applyApplicationEvent } from "./grading.server";
import { toObjectId, type TenantScope } from "./ids.server";
import { enqueueEmail } from "./outbox.server";

// ---------------------------------------------------------------------------------------------
// Settings and who is acting

export type CreditSettings = {
  defenceDays: number;
  periodMonths: Record<CreditListType, number>;
  repairAfterMonths: number;
  certificateEffect: "suspend" | "revoke";
  /** Offered condition keys (all when the tenant did not restrict them). */
  conditions: string[];
};

export function creditSettings(settings: Pick<TenantSettings, "credit"> | null | undefined): CreditSettings {
  const own = settings?.credit ?? {};
  const positive = (v: number | undefined, fallback: number, min = 1) =>
    typeof v === "number" && Number.isInteger(v) && v >= min ? v : fallback;
  const offered = (own.conditions ?? []).filter((k) => CREDIT_CONDITIONS.some((c) => c.key === k));
  return {
    defenceDays: positive(own.defenceDays, CREDIT_DEFAULTS.defenceDays),
    periodMonths: {
      serious2023: positive(own.periodMonths?.serious2023, CREDIT_DEFAULTS.periodMonths.serious2023),
      dishonest2017: positive(own.periodMonths?.dishonest2017, CREDIT_DEFAULTS.periodMonths.dishonest2017),
    },
    repairAfterMonths: positive(own.repairAfterMonths, CREDIT_DEFAULTS.repairAfterMonths, 0),
    certificateEffect: own.certificateEffect ?? CREDIT_DEFAULTS.certificateEffect,
    conditions: offered.length > 0 ? offered : CREDIT_CONDITIONS.map((c) => c.key),
  };
}

/** The parts of a member this module looks at (tests can build one without a request). */
export type CreditMember = Pick<Member, "tenantId" | "roles" | "permissions" | "enterpriseId"> & {
  user: Pick<Member["user"], "_id" | "email"> & { name?: string };
  /** District limit (Step 12): only records of registered enterprises of these districts. */
  districtCodes?: readonly string[];
};

/** Most enterprises a district-limited regulator's credit list looks through. */
const DISTRICT_ENTERPRISES_MAX = 5000;

/** The enterprises of a district-limited regulator's districts, or null when not limited. */
async function enterprisesInScope(tenantId: Types.ObjectId, member: CreditMember): Promise<Types.ObjectId[] | null> {
  const codes = member.districtCodes ?? [];
  if (codes.length === 0) return null;
  const rows = await Enterprise.find({ tenantId, districtCode: districtCondition(codes) })
    .select({ _id: 1 })
    .limit(DISTRICT_ENTERPRISES_MAX)
    .lean<Array<{ _id: Types.ObjectId }>>();
  return rows.map((r) => r._id);
}

export type CreditEventActor = { kind: "member"; member: CreditMember } | { kind: "system" };

type Owned = Pick<CreditRecordDoc, "tenantId" | "enterpriseId" | "status">;

/**
 * Regulators and tenant admins see every record; enterprise users only their own (linked) ones,
 * from the notice on (a draft is the authority's internal work).
 */
export function canViewCreditRecord(member: CreditMember, doc: Owned): boolean {
  if (String(member.tenantId) !== String(doc.tenantId)) return false;
  if (can(member.permissions, "read:credit:any")) return true;
  return (
    doc.status !== "draft" &&
    can(member.permissions, "read:credit:own") &&
    member.enterpriseId !== null &&
    doc.enterpriseId !== null &&
    member.enterpriseId.equals(doc.enterpriseId)
  );
}

/** The member's machine role for this event, if they may send it on this record at all. */
export function creditRoleFor(
  member: CreditMember,
  type: CreditEventType,
  doc: Owned,
): CreditActorRole | null {
  const roles = CREDIT_EVENT_ROLES[type];
  if (roles.includes("regulator") && member.roles.includes("regulator") && can(member.permissions, "manage:credit:any"))
    return "regulator";
  if (
    roles.includes("enterprise_admin") &&
    member.roles.includes("enterprise_admin") &&
    can(member.permissions, "respond:credit:own") &&
    member.enterpriseId !== null &&
    doc.enterpriseId !== null &&
    member.enterpriseId.equals(doc.enterpriseId)
  )
    return "enterprise_admin";
  return null;
}

async function loadTenantSettings(tenantId: Types.ObjectId) {
  return Tenant.findOne({ _id: tenantId })
    .select({ slug: 1, settings: 1 })
    .lean<{ _id: Types.ObjectId; slug: string; settings: TenantSettings }>();
}

async function enterpriseIdForCode(tenantId: Types.ObjectId, creditCode: string): Promise<Types.ObjectId | null> {
  const found = await Enterprise.findOne({ tenantId, creditCode })
    .select({ _id: 1 })
    .lean<{ _id: Types.ObjectId }>();
  return found?._id ?? null;
}

function snapshotOf(doc: CreditRecordDoc): CreditSnapshot {
  return resumeCredit(doc.state, {
    recordId: String(doc._id),
    defenceDeadline: doc.defenceDeadline?.toISOString() ?? null,
    listedAt: doc.listedAt?.toISOString() ?? null,
    endsAt: doc.endsAt?.toISOString() ?? null,
  });
}

function statusOfKey(key: string): CreditStatus {
  const top = key.split(".")[0] ?? "";
  const found = CREDIT_STATUSES.find((s) => s === top);
  if (!found) throw new Error(`unknown credit state "${key}"`);
  return found;
}

function historyEntry(
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

// ---------------------------------------------------------------------------------------------
// Drafts

export type CreditWriteResult =
  | { ok: true; id: string; version: number }
  | { ok: false; status: 400; error: "invalid"; errors: Record<string, string> }
  | { ok: false; status: 403; error: "forbidden" }
  | { ok: false; status: 404; error: "notFound" }
  | { ok: false; status: 409; error: "conflict" | "blocked"; errors: Record<string, string> };

function draftFields(input: CreditDraftInput) {
  return {
    subjectName: input.subjectName,
    creditCode: input.creditCode,
    subjectType: input.subjectType,
    responsiblePerson: { name: input.responsibleName, idNumber: input.responsibleIdNumber },
    listType: input.listType,
    conditionKey: input.conditionKey,
    facts: input.facts,
    legalBasis: input.legalBasis,
    penaltyDecisionNo: input.penaltyDecisionNo,
    authority: input.authority,
    search: { name: normalizeForSearch(input.subjectName), code: normalizeForSearch(input.creditCode) },
  };
}

async function parseDraft(
  tenantId: Types.ObjectId,
  raw: unknown,
): Promise<{ ok: true; input: CreditDraftInput } | { ok: false; errors: Record<string, string> }> {
  const parsed = creditDraftSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const tenant = await loadTenantSettings(tenantId);
  if (!creditSettings(tenant?.settings).conditions.includes(parsed.data.conditionKey)) {
    return { ok: false, errors: { conditionKey: msg("credit.errors.conditionNotOffered") } };
  }
  return { ok: true, input: parsed.data };
}

export async function createCreditDraft({
  tenantId,
  member,
  input,
  ip,
  now = new Date(),
}: TenantScope & { member: CreditMember; input: unknown; ip?: string; now?: Date }): Promise<CreditWriteResult> {
  await connectDb();
  if (!member.roles.includes("regulator") || !can(member.permissions, "manage:credit:any"))
    return { ok: false, status: 403, error: "forbidden" };
  const parsed = await parseDraft(tenantId, input);
  if (!parsed.ok) return { ok: false, status: 400, error: "invalid", errors: parsed.errors };
  const actor: CreditEventActor = { kind: "member", member };
  const doc = await CreditRecord.create({
    tenantId,
    ...draftFields(parsed.input),
    state: "draft",
    status: "draft",
    enterpriseId: await enterpriseIdForCode(tenantId, parsed.input.creditCode),
    history: [historyEntry(actor, now, "CREATE", "", "draft")],
    effects: null,
    effectsPending: false,
    version: 0,
    createdBy: member.user._id,
  });
  await recordAudit({
    tenantId,
    action: "credit.created",
    actor: { id: member.user._id, email: member.user.email },
    ip,
    target: { type: "creditRecord", id: String(doc._id), label: doc.subjectName },
    details: { creditCode: doc.creditCode, conditionKey: doc.conditionKey },
    at: now,
  });
  return { ok: true, id: String(doc._id), version: doc.version };
}

export async function updateCreditDraft({
  tenantId,
  id,
  member,
  input,
  expectedVersion,
  ip,
  now = new Date(),
}: TenantScope & {
  id: string;
  member: CreditMember;
  input: unknown;
  expectedVersion: number;
  ip?: string;
  now?: Date;
}): Promise<CreditWriteResult> {
  await connectDb();
  const doc = await findRecord(tenantId, id);
  if (!doc || !canViewCreditRecord(member, doc)) return { ok: false, status: 404, error: "notFound" };
  const role = creditRoleFor(member, "EDIT", doc);
  if (!role) return { ok: false, status: 403, error: "forbidden" };
  const parsed = await parseDraft(tenantId, input);
  if (!parsed.ok) return { ok: false, status: 400, error: "invalid", errors: parsed.errors };
  const snapshot = snapshotOf(doc);
  const step = applyCreditEvent(snapshot, {
    type: "EDIT",
    actor: { id: String(member.user._id), role },
    now: now.toISOString(),
  });
  if (!step.ok)
    return { ok: false, status: 409, error: "blocked", errors: { _form: msg(blockKey(step.reasons[0] ?? "invalid-in-state")) } };
  if (doc.version !== expectedVersion) return { ok: false, status: 409, error: "conflict", errors: { _form: msg("errors.conflict") } };
  const fields = draftFields(parsed.input);
  const changed = (Object.keys(fields) as Array<keyof typeof fields>).filter(
    (k) => JSON.stringify(fields[k]) !== JSON.stringify((doc as Record<string, unknown>)[k]),
  );
  const won = await casUpdate(
    CreditRecord,
    { _id: doc._id, tenantId, expectedVersion },
    {
      $set: { ...fields, enterpriseId: await enterpriseIdForCode(tenantId, parsed.input.creditCode) },
      $push: { history: historyEntry({ kind: "member", member }, now, "EDIT", "draft", "draft", "", { changed }) },
    },
  );
  if (!won) return { ok: false, status: 409, error: "conflict", errors: { _form: msg("errors.conflict") } };
  await recordAudit({
    tenantId,
    action: "credit.edited",
    actor: { id: member.user._id, email: member.user.email },
    ip,
    target: { type: "creditRecord", id: String(doc._id), label: fields.subjectName },
    details: { changed, version: expectedVersion + 1 },
    at: now,
  });
  return { ok: true, id: String(doc._id), version: expectedVersion + 1 };
}

async function findRecord(tenantId: Types.ObjectId, id: string | Types.ObjectId): Promise<CreditRecordDoc | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  return CreditRecord.findOne({ tenantId, _id }).lean<CreditRecordDoc>();
}

// ---------------------------------------------------------------------------------------------
// Events

export function blockKey(reason: CreditBlockReason): MessageKey {
  return `credit.block.${reason}`;
}

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

/** From when the subject may apply for credit repair (listing + repairAfterMonths); null before listing. */
export function repairAllowedFrom(
  doc: Pick<CreditRecordDoc, "listedAt">,
  settings: Pick<CreditSettings, "repairAfterMonths">,
): Date | null {
  return doc.listedAt ? addMonths(doc.listedAt, settings.repairAfterMonths) : null;
}

// ---------------------------------------------------------------------------------------------
// Effects

type Recipient = { userId: string; email: string; locale: Locale };

async function enterpriseAdmins(tenantId: Types.ObjectId, enterpriseId: Types.ObjectId | null): Promise<Recipient[]> {
  if (!enterpriseId) return [];
  const memberships = await Membership.find({ tenantId, enterpriseId, role: "enterprise_admin" })
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  if (memberships.length === 0) return [];
  const users = await User.find({ _id: { $in: memberships.map((m) => m.userId) }, disabled: false })
    .select({ email: 1, locale: 1 })
    .lean<Array<{ _id: Types.ObjectId; email: string; locale: Locale }>>();
  return users
    .map((u) => ({ userId: String(u._id), email: u.email, locale: u.locale }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

function emailData(doc: CreditRecordDoc, effect: Extract<CreditEffect, { type: "email" }>): Record<string, unknown> {
  const recordId = String(doc._id);
  switch (effect.template) {
    case "credit-notice":
      return {
        recordId,
        subjectName: doc.subjectName,
        creditCode: doc.creditCode,
        conditionKey: doc.conditionKey,
        defenceDeadline: doc.defenceDeadline?.toISOString() ?? null,
      };
    case "credit-listed":
      return {
        recordId,
        subjectName: doc.subjectName,
        creditCode: doc.creditCode,
        conditionKey: doc.conditionKey,
        listedAt: doc.listedAt?.toISOString() ?? null,
        endsAt: doc.endsAt?.toISOString() ?? null,
      };
    case "credit-repair-decided":
      return { recordId, subjectName: doc.subjectName, granted: effect.granted ?? false, reasons: effect.reasons ?? "" };
    case "credit-removed":
      return { recordId, subjectName: doc.subjectName, removalReason: doc.removalReason };
  }
}

export type EffectsRun = { done: boolean; emails: number; applications: string[]; certificates: string[] };

/**
 * Carries out the pending effects of the record's latest transition; a no-op when none are pending.
 * Safe to run twice or concurrently (see the module comment).
 */
export async function carryOutCreditEffects({
  tenantId,
  id,
  now = new Date(),
}: TenantScope & { id: Types.ObjectId; now?: Date }): Promise<EffectsRun> {
  const run: EffectsRun = { done: false, emails: 0, applications: [], certificates: [] };
  const doc = await findRecord(tenantId, id);
  if (!doc || !doc.effectsPending || !doc.effects) return run;
  const batch = doc.effects;
  // The public registry first: it re-reads the record, so a repeated run is harmless.
  if (doc.publicationPending) await syncCreditPublication({ tenantId, recordId: doc._id });
  const effects = batch.items.flatMap((item) => {
    const parsed = creditEffectSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const enterpriseId = doc.enterpriseId ?? (await enterpriseIdForCode(tenantId, doc.creditCode));
  for (const effect of effects) {
    if (effect.type === "email") {
      for (const r of await enterpriseAdmins(tenantId, enterpriseId)) {
        await enqueueEmail({
          tenantId,
          idempotencyKey: `credit:${String(doc._id)}:v${batch.version}:${effect.template}:${r.userId}`,
          template: effect.template,
          to: r.email,
          locale: r.locale,
          data: emailData(doc, effect),
          now,
        });
        run.emails += 1;
      }
    } else if (effect.type === "applyListing" && enterpriseId && doc.status === "published") {
      const tenant = await loadTenantSettings(tenantId);
      const settings = creditSettings(tenant?.settings);
      const name = creditListingName(doc);
      run.applications = await stopRunningApplications({ tenantId, enterpriseId, recordId: String(doc._id), name, now });
      run.certificates = await punishCertificates({
        tenantId,
        enterpriseId,
        change: settings.certificateEffect,
        reason: translate("zh-CN", "credit.effects.certificateReason", { name, id: String(doc._id) }),
        actor: batch.actorId ? { id: batch.actorId, email: batch.actorEmail } : null,
        fallbackActor: doc.createdBy,
        now,
      });
    }
    // liftListing: the block follows the status; certificates stay as they are (the regulator decides).
  }

  // Mark the batch done, once, with what it changed.
  let current: CreditRecordDoc | null = doc;
  for (let attempt = 0; attempt < 5 && current; attempt++) {
    if (!current.effectsPending || current.effects?.version !== batch.version) return run;
    const entry: CreditHistoryEntry = {
      at: now,
      event: "EFFECTS_APPLIED",
      from: current.state,
      to: current.state,
      actor: { kind: "system", userId: null, name: "" },
      note: "",
      details: { event: batch.event, emails: run.emails, applications: run.applications, certificates: run.certificates },
    };
    const won = await casUpdate(
      CreditRecord,
      { _id: current._id, tenantId, expectedVersion: current.version, extra: { effectsPending: true } },
      { $set: { effectsPending: false, publicationPending: false }, $push: { history: entry } },
    );
    if (won) {
      run.done = true;
      return run;
    }
    current = await findRecord(tenantId, doc._id);
  }
  return run;
}

async function stopRunningApplications({
  tenantId,
  enterpriseId,
  recordId,
  name,
  now,
}: TenantScope & { enterpriseId: Types.ObjectId; recordId: string; name: string; now: Date }): Promise<string[]> {
  const stopped: string[] = [];
  const apps = await Assessment.find({ tenantId, enterpriseId })
    .select({ state: 1 })
    .lean<Array<{ _id: Types.ObjectId; state: string }>>();
  for (const app of apps) {
    if (!activeStates.some((s) => s === (app.state.split(".")[0] ?? ""))) continue;
    // A concurrent transition may win the compare-and-set: try again on the fresh state.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await applyApplicationEvent({
        tenantId,
        applicationId: app._id,
        event: { type: "CREDIT_LISTED", recordId, name },
        actor: { kind: "system" },
        now,
      });
      if (result.ok) stopped.push(String(app._id));
      if (result.ok || result.error !== "conflict") {
        if (!result.ok && result.error !== "blocked")
          logger.warn({ applicationId: String(app._id), result }, "credit listing did not stop the application");
        break;
      }
    }
  }
  return stopped;
}

async function punishCertificates({
  tenantId,
  enterpriseId,
  change,
  reason,
  actor,
  fallbackActor,
  now,
}: TenantScope & {
  enterpriseId: Types.ObjectId;
  change: "suspend" | "revoke";
  reason: string;
  actor: { id: Types.ObjectId; email: string } | null;
  fallbackActor: Types.ObjectId | null;
  now: Date;
}): Promise<string[]> {
  const changed: string[] = [];
  const certs = await Certificate.find({
    tenantId,
    enterpriseId,
    status: { $in: change === "revoke" ? ["active", "suspended"] : ["active"] },
  })
    .select({ _id: 1 })
    .lean<Array<{ _id: Types.ObjectId }>>();
  const by = actor ?? { id: fallbackActor ?? new Types.ObjectId("000000000000000000000000"), email: "" };
  for (const cert of certs) {
    for (let attempt = 0; attempt < 5; attempt++) {
      // A listing is itself a revocation ground (应急〔2021〕83号).
      const grounds = change === "revoke" ? (["seriousDishonest"] as const) : [];
      const result = await changeCertificateStatus({ tenantId, id: cert._id, change, reason, grounds, actor: by, now });
      if (result.ok) changed.push(String(cert._id));
      if (result.ok || result.error !== "conflict") break;
    }
  }
  return changed;
}

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

// ---------------------------------------------------------------------------------------------
// Views

export const CREDIT_PAGE_SIZE = 20;

export type CreditListFilters = {
  status?: string;
  condition?: string;
  year?: number;
  q?: string;
  page?: number;
  enterpriseId?: Types.ObjectId;
  /** Only records of these enterprises (a district/industry drill-down from the dashboard). */
  scope?: EnterpriseScope | null;
};

export type CreditListItem = {
  id: string;
  subjectName: string;
  creditCode: string;
  subjectType: string;
  listType: string;
  conditionKey: string;
  state: string;
  status: CreditStatus;
  defenceDeadline: string | null;
  listedAt: string | null;
  endsAt: string | null;
  removalReason: string | null;
  updatedAt: string;
};

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A member's list: everything for regulators (archive included), own records for enterprises. */
export async function listCreditRecords({
  tenantId,
  member,
  filters,
}: TenantScope & { member: CreditMember; filters: CreditListFilters }): Promise<{
  items: CreditListItem[];
  total: number;
  page: number;
  pageSize: number;
  years: number[];
}> {
  await connectDb();
  const base: Record<string, unknown> = { tenantId };
  if (!can(member.permissions, "read:credit:any")) {
    if (!member.enterpriseId) return { items: [], total: 0, page: 1, pageSize: CREDIT_PAGE_SIZE, years: [] };
    base.enterpriseId = member.enterpriseId;
    base.status = { $ne: "draft" };
  } else {
    // A district-limited regulator: records linked to enterprises of its districts only.
    const inScope = await enterprisesInScope(tenantId, member);
    if (inScope) {
      const wanted = filters.enterpriseId ? inScope.filter((id) => id.equals(filters.enterpriseId ?? "")) : inScope;
      base.enterpriseId = wanted.length === 1 ? wanted[0] : { $in: wanted };
    } else if (filters.enterpriseId) base.enterpriseId = filters.enterpriseId;
  }
  const filter: Record<string, unknown> = { ...base };
  if (filters.status && CREDIT_STATUSES.some((s) => s === filters.status))
    filter.status = base.status && filters.status === "draft" ? "__none__" : filters.status;
  if (filters.condition && CREDIT_CONDITIONS.some((c) => c.key === filters.condition)) filter.conditionKey = filters.condition;
  if (filters.year) filter.listedYear = filters.year;
  const q = normalizeForSearch(filters.q ?? "");
  // Within a district/industry scope the search was applied to the scope's enterprises already.
  if (filters.scope) Object.assign(filter, scopeClause(filters.scope));
  else if (q) filter.$or = [{ "search.name": { $regex: escapeRegex(q) } }, { "search.code": { $regex: `^${escapeRegex(q)}` } }];
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  const [docs, yearsRaw] = await Promise.all([
    CreditRecord.find(filter)
      .sort({ updatedAt: -1, _id: -1 })
      .skip((page - 1) * CREDIT_PAGE_SIZE)
      .limit(CREDIT_PAGE_SIZE)
      .select({ history: 0, facts: 0, legalBasis: 0, decisionText: 0, effects: 0, defence: 0, repair: 0 })
      .lean<CreditRecordDoc[]>(),
    // The year filter's options depend on the scope only: the to-do home's lists share one read.
    oncePerRequest(`credit-record-years:${JSON.stringify(base)}`, () => CreditRecord.distinct("listedYear", base).exec()),
  ]);
  // A first page that is not full is everything there is: no count (decision 027).
  const total = page === 1 && docs.length < CREDIT_PAGE_SIZE ? docs.length : await CreditRecord.countDocuments(filter);
  const years = (yearsRaw as unknown[]).filter((y): y is number => typeof y === "number").sort((a, b) => b - a);
  return {
    items: docs.map((d) => ({
      id: String(d._id),
      subjectName: d.subjectName,
      creditCode: d.creditCode,
      subjectType: d.subjectType,
      listType: d.listType,
      conditionKey: d.conditionKey,
      state: d.state,
      status: d.status,
      defenceDeadline: d.defenceDeadline?.toISOString() ?? null,
      listedAt: d.listedAt?.toISOString() ?? null,
      endsAt: d.endsAt?.toISOString() ?? null,
      removalReason: d.removalReason,
      updatedAt: d.updatedAt.toISOString(),
    })),
    total,
    page,
    pageSize: CREDIT_PAGE_SIZE,
    years,
  };
}

export type CreditFileView = { fileId: string; name: string; size: number; contentType: string };
const fileView = (f: CreditFile): CreditFileView => ({
  fileId: String(f.fileId),
  name: f.name,
  size: f.size,
  contentType: f.contentType,
});

export type CreditRecordView = CreditListItem & {
  version: number;
  enterpriseId: string | null;
  responsibleName: string;
  /** Masked unless `unmasked` was asked for (the regulator's edit form). */
  responsibleIdNumber: string;
  facts: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  authority: string;
  noticeAt: string | null;
  decidedAt: string | null;
  decisionText: string;
  removedAt: string | null;
  defence: { statement: string; submittedAt: string | null; files: CreditFileView[] } | null;
  repair: {
    appliedAt: string | null;
    statement: string;
    files: CreditFileView[];
    decidedAt: string | null;
    granted: boolean | null;
    reasons: string;
    /** Early removal: the conditions ticked, each with its evidence. */
    checklist: Array<{ key: string; evidence: string }>;
  } | null;
  repairAllowedFrom: string | null;
  effectsPending: boolean;
  history: Array<{ at: string; event: string; from: string; to: string; actorName: string; system: boolean; note: string; details: Record<string, unknown> }>;
};

export function toCreditRecordView(
  d: CreditRecordDoc,
  settings: CreditSettings,
  options: { unmasked?: boolean } = {},
): CreditRecordView {
  const iso = (v: Date | null | undefined) => v?.toISOString() ?? null;
  return {
    id: String(d._id),
    subjectName: d.subjectName,
    creditCode: d.creditCode,
    subjectType: d.subjectType,
    listType: d.listType,
    conditionKey: d.conditionKey,
    state: d.state,
    status: d.status,
    defenceDeadline: iso(d.defenceDeadline),
    listedAt: iso(d.listedAt),
    endsAt: iso(d.endsAt),
    removalReason: d.removalReason,
    updatedAt: d.updatedAt.toISOString(),
    version: d.version,
    enterpriseId: d.enterpriseId ? String(d.enterpriseId) : null,
    responsibleName: d.responsiblePerson.name,
    responsibleIdNumber: options.unmasked ? d.responsiblePerson.idNumber : d.responsiblePerson.idNumber ? maskIdNumber(d.responsiblePerson.idNumber) : "",
    facts: d.facts,
    legalBasis: d.legalBasis,
    penaltyDecisionNo: d.penaltyDecisionNo,
    authority: d.authority,
    noticeAt: iso(d.noticeAt),
    decidedAt: iso(d.decidedAt),
    decisionText: d.decisionText,
    removedAt: iso(d.removedAt),
    defence: d.defence
      ? { statement: d.defence.statement, submittedAt: iso(d.defence.submittedAt), files: d.defence.files.map(fileView) }
      : null,
    repair: d.repair
      ? {
          appliedAt: iso(d.repair.appliedAt),
          statement: d.repair.statement,
          files: d.repair.files.map(fileView),
          decidedAt: iso(d.repair.decidedAt),
          granted: d.repair.granted,
          reasons: d.repair.reasons,
          checklist: (d.repair.checklist ?? []).map((c) => ({ key: c.key, evidence: c.evidence })),
        }
      : null,
    repairAllowedFrom: iso(repairAllowedFrom(d, settings)),
    effectsPending: d.effectsPending,
    history: d.history.map((h) => ({
      at: h.at.toISOString(),
      event: h.event,
      from: h.from,
      to: h.to,
      actorName: h.actor.name,
      system: h.actor.kind === "system",
      note: h.note,
      details: h.details ?? {},
    })),
  };
}

/** The record if this member may see it; null otherwise (shown as 404). */
export async function findVisibleCreditRecord({
  tenantId,
  id,
  member,
}: TenantScope & { id: string; member: CreditMember }): Promise<CreditRecordDoc | null> {
  await connectDb();
  const doc = await findRecord(tenantId, id);
  if (!doc || !canViewCreditRecord(member, doc)) return null;
  const codes = member.districtCodes ?? [];
  if (codes.length === 0 || !can(member.permissions, "read:credit:any")) return doc;
  // District-limited: the record's enterprise must be of the member's districts (else 404).
  if (!doc.enterpriseId) return null;
  const enterprise = await Enterprise.findOne({ tenantId, _id: doc.enterpriseId }).select({ districtCode: 1 }).lean<{ districtCode: string }>();
  return enterprise && codes.includes(enterprise.districtCode) ? doc : null;
}

/** Events this member could send now, with the reasons each would be refused ([] = allowed). */
export function availableCreditActions(
  doc: CreditRecordDoc,
  member: CreditMember,
  settings: CreditSettings,
  now = new Date(),
): Partial<Record<CreditMemberEventType, CreditBlockReason[]>> {
  const snapshot = snapshotOf(doc);
  const handled = creditHandledEvents(snapshot);
  const out: Partial<Record<CreditMemberEventType, CreditBlockReason[]>> = {};
  for (const type of handled) {
    if (type === "EDIT" || type === "EXPIRE" || type === "DEFENCE_WINDOW_PASSED") continue;
    const role = creditRoleFor(member, type, doc);
    if (!role) continue;
    const base = { actor: { id: String(member.user._id), role }, now: now.toISOString() };
    const probe: Record<string, unknown> = { ...base, type };
    const field = CREDIT_EVENT_FIELD[type];
    if (field) probe[field] = "-";
    if (type === "SEND_NOTICE") probe.defenceDeadline = new Date(now.getTime() + 86_400_000).toISOString();
    if (type === "PUBLISH") probe.endsAt = addMonths(now, settings.periodMonths[doc.listType]).toISOString();
    if (type === "APPLY_REPAIR") probe.repairAllowedFrom = repairAllowedFrom(doc, settings)?.toISOString() ?? new Date(8.64e15).toISOString();
    const event = creditEventSchema.parse(probe);
    out[type] = explainCreditBlocked(snapshot, event);
  }
  return out;
}

/** Small panel on the enterprise page: the enterprise's records (by link or credit code). */
export async function creditRecordsOfEnterprise({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<CreditListItem[]> {
  await connectDb();
  const enterprise = await Enterprise.findOne({ tenantId, _id: enterpriseId })
    .select({ creditCode: 1 })
    .lean<{ creditCode: string }>();
  const or: Record<string, unknown>[] = [{ enterpriseId }];
  if (enterprise) or.push({ "search.code": normalizeForSearch(enterprise.creditCode) });
  const docs = await CreditRecord.find({ tenantId, $or: or })
    .sort({ updatedAt: -1 })
    .limit(50)
    .select({ history: 0, effects: 0 })
    .lean<CreditRecordDoc[]>();
  return docs.map((d) => ({
    id: String(d._id),
    subjectName: d.subjectName,
    creditCode: d.creditCode,
    subjectType: d.subjectType,
    listType: d.listType,
    conditionKey: d.conditionKey,
    state: d.state,
    status: d.status,
    defenceDeadline: d.defenceDeadline?.toISOString() ?? null,
    listedAt: d.listedAt?.toISOString() ?? null,
    endsAt: d.endsAt?.toISOString() ?? null,
    removalReason: d.removalReason,
    updatedAt: d.updatedAt.toISOString(),
  }));
}

export async function getCreditSettings({ tenantId }: TenantScope): Promise<CreditSettings> {
  return creditSettings((await loadTenantSettings(tenantId))?.settings);
}
