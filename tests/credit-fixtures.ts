/**
 * Credit records for the registry, API and import tests, inserted directly through the model
 * (the lifecycle code writes them in production). `search` is filled in by the model's hook; the
 * public read model (`credit_publications`) is synced as the lifecycle code would.
 */
import type { Types } from "mongoose";
import { CreditRecord, type CreditRecordDoc } from "../models/credit-record";
import { syncCreditPublication } from "~/data/credit-publication.server";
import type { CreditStatus } from "~/lib/credit";
import { randomCreditCode } from "./factories";

export type CreditRecordInput = Partial<
  Pick<
    CreditRecordDoc,
    | "subjectName"
    | "creditCode"
    | "subjectType"
    | "listType"
    | "conditionKey"
    | "facts"
    | "legalBasis"
    | "penaltyDecisionNo"
    | "authority"
    | "listedAt"
    | "endsAt"
    | "decisionText"
  >
> & { status?: CreditStatus; idNumber?: string; personName?: string };

let seq = 0;

export async function createCreditRecord(tenantId: Types.ObjectId, input: CreditRecordInput = {}) {
  seq += 1;
  const status = input.status ?? "published";
  const listed = status === "published" || status === "removed";
  const listedAt = input.listedAt ?? (listed ? new Date(Date.UTC(2025, 5, 1) + seq * 60_000) : null);
  const doc = await CreditRecord.create({
    tenantId,
    subjectName: input.subjectName ?? `测试失信企业${seq}有限公司`,
    creditCode: input.creditCode ?? randomCreditCode(),
    subjectType: input.subjectType ?? "enterprise",
    responsiblePerson: { name: input.personName ?? "张三", idNumber: input.idNumber ?? "510104198001011234" },
    listType: input.listType ?? "serious2023",
    conditionKey: input.conditionKey ?? "c2023_concealed_accident",
    facts: input.facts ?? "内部事实：瞒报事故一起（不公开）",
    legalBasis: input.legalBasis ?? "《安全生产严重失信主体名单管理办法》第六条",
    penaltyDecisionNo: input.penaltyDecisionNo ?? `成应急罚〔2025〕${seq}号`,
    authority: input.authority ?? "成都市应急管理局",
    decisionText: input.decisionText ?? "内部决定书正文（不公开）",
    listedAt,
    listedYear: listedAt ? listedAt.getUTCFullYear() : null,
    endsAt: input.endsAt ?? (listedAt ? new Date(listedAt.getTime() + 3 * 365 * 24 * 3600 * 1000) : null),
    state: status === "published" ? "published.listed" : status,
    status,
    removedAt: status === "removed" ? new Date() : null,
    removalReason: status === "removed" ? "expired" : null,
  });
  await syncCreditPublication({ tenantId, recordId: doc._id });
  return doc;
}

/** Early removal: every condition ticked with its evidence, as a GRANT_REPAIR event carries it. */
export const REPAIR_TICKED = {
  penaltyCarriedOut: true,
  penaltyCarriedOutEvidence: "罚款缴纳凭证（2026-03-02）",
  harmRemedied: true,
  harmRemediedEvidence: "整改复查意见书",
  noNewConduct: true,
  noNewConductEvidence: "经查询，列入后无新的失信行为",
} as const;

/** The same, as the record page's form posts it. */
export const REPAIR_TICKED_FORM: Record<string, string> = Object.fromEntries(
  Object.entries(REPAIR_TICKED).map(([k, v]) => [k, v === true ? "on" : v]),
);
