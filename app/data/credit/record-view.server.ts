/** Credit records: one record's view, its visibility, and the actions a member could take now. */
import { type CreditFile, type CreditRecordDoc } from "../../../models/credit-record";
import { Enterprise } from "../../../models/enterprise";
import { connectDb } from "~/db.server";
import { addMonths } from "~/lib/certificate";
import { maskIdNumber } from "~/lib/credit";
import { can } from "~/lib/permissions";
import { CREDIT_EVENT_FIELD, type CreditMemberEventType } from "~/workflows/credit-input";
import { creditEventSchema, creditHandledEvents, explainCreditBlocked, type CreditBlockReason } from "~/workflows/credit.machine";
import { type TenantScope } from "../ids.server";
import { canViewCreditRecord, creditRoleFor, type CreditMember } from "./access.server";
import type { CreditListItem } from "./records-list.server";
import { findRecord, snapshotOf } from "./record-helpers.server";
import { repairAllowedFrom, type CreditSettings } from "./settings.server";

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
