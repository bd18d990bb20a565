/** Credit records: creating and editing drafts (validated: credit-code checksum, offered condition, ID number shape). */
import { type Types } from "mongoose";
import { CreditRecord } from "../../../models/credit-record";
import { connectDb } from "~/db.server";
import { normalizeForSearch } from "~/lib/credit";
import { can } from "~/lib/permissions";
import { fieldErrors, msg } from "~/lib/validation";
import { creditDraftSchema, type CreditDraftInput } from "~/workflows/credit-input";
import { applyCreditEvent } from "~/workflows/credit.machine";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { type TenantScope } from "../ids.server";
import { canViewCreditRecord, creditRoleFor, type CreditEventActor, type CreditMember } from "./access.server";
import { blockKey, enterpriseIdForCode, findRecord, historyEntry, snapshotOf } from "./record-helpers.server";
import { creditSettings, loadTenantSettings } from "./settings.server";

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
