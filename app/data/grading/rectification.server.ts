/**
 * Rectification per item (整改项, Step 10 item 6, docs/decisions/021-review-checks.md).
 *
 * The reviewer picks deducted rubric items with a deadline (REQUEST_RECTIFICATION; the machine
 * checks the picks against the facts computed here); each becomes a document of
 * `rectification_items`. The enterprise answers each with a note and evidence files (the same
 * GridFS checks as assessment evidence); the reviewer accepts or re-opens each answer, or leaves an
 * item open with a reason. The machine refuses SUBMIT_RECTIFICATION while an item is unanswered
 * and REPORT_REVIEW while one is neither accepted nor left open with a reason.
 *
 * Every change of an item is a compare-and-set on its `version` (decision 001). Lists read slim
 * documents by `{ tenantId, applicationId }`, served by the unique index, in rubric-id order.
 */
import type { Types } from "mongoose";
import type { ApplicationReview, AssessmentDoc } from "../../../models/assessment";
import { Assessment } from "../../../models/assessment";
import {
  RectificationItem,
  type RectificationFile,
  type RectificationItemDoc,
  type RectificationStatus,
} from "../../../models/rectification-item";
import { connectDb } from "~/db.server";
import { oncePerRequest } from "~/request-scope.server";
import { LIMITS } from "~/lib/domain";
import { can } from "~/lib/permissions";
import { loadAssessmentRubric } from "../assessments.server";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import {
  deleteStoredFile,
  evidenceLimits,
  storeOwnedFile,
  type EvidenceSource,
} from "../evidence.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { canViewApplication, isAssignedReviewer, type GradingMember } from "./access.server";
import { loadTenant } from "./snapshot.server";

/** No rubric has more items than this; one page holds every item of an application. */
export const MAX_RECTIFICATION_ITEMS = 500;

const SLIM_FIELDS = {
  itemId: 1,
  elementId: 1,
  itemTitle: 1,
  requestNote: 1,
  requestedAt: 1,
  deadline: 1,
  round: 1,
  status: 1,
  answer: 1,
  "files.fileId": 1,
  "files.name": 1,
  "files.size": 1,
  closedAt: 1,
  leftOpenReason: 1,
  version: 1,
} as const;

export type SlimRectificationItem = Pick<
  RectificationItemDoc,
  | "_id"
  | "itemId"
  | "elementId"
  | "itemTitle"
  | "requestNote"
  | "requestedAt"
  | "deadline"
  | "round"
  | "status"
  | "answer"
  | "closedAt"
  | "leftOpenReason"
  | "version"
> & { files: Array<Pick<RectificationFile, "fileId" | "name" | "size">> };

/**
 * The application's rectification items (slim), in rubric-id order. Once per GET request: the
 * review page's sheet, panel and rectification views each ask. Callers must not mutate them.
 */
export function listRectificationItems({
  tenantId,
  applicationId,
}: TenantScope & { applicationId: Types.ObjectId }): Promise<SlimRectificationItem[]> {
  return oncePerRequest(`rectification-items:${String(tenantId)}:${String(applicationId)}`, async () => {
    await connectDb();
    return RectificationItem.find({ tenantId, applicationId })
      .select(SLIM_FIELDS)
      .sort({ itemId: 1 })
      .limit(MAX_RECTIFICATION_ITEMS)
      .lean<SlimRectificationItem[]>();
  });
}

/**
 * Items with a deduction ("partial" or "none") on the consolidated review sheet (decision 020), or
 * in any reviewer's own scores for applications scored before the sheet existed.
 */
export function deductedItemIdsOf(
  review: Pick<ApplicationReview, "byReviewer" | "sheet"> | null | undefined,
): string[] {
  const ids = new Set<string>();
  const lists = [review?.sheet?.answers ?? [], ...Object.values(review?.byReviewer ?? {})];
  for (const answers of lists)
    for (const a of answers) if (a.choice === "partial" || a.choice === "none") ids.add(a.itemId);
  return [...ids].sort();
}

const isUnanswered = (i: SlimRectificationItem) =>
  (i.status === "open" || i.status === "reopened") && i.leftOpenReason === null;

export type RectificationFacts = {
  deductedItemIds: string[];
  requestedItemIds: string[];
  reopenedItemIds: string[];
  unansweredIds: string[];
  unresolvedIds: string[];
};

/** The facts the machine's rectification guards decide on. */
export async function rectificationFacts({
  tenantId,
  doc,
}: TenantScope & { doc: Pick<AssessmentDoc, "_id" | "review"> }): Promise<RectificationFacts> {
  const items = await listRectificationItems({ tenantId, applicationId: doc._id });
  return {
    deductedItemIds: deductedItemIdsOf(doc.review),
    requestedItemIds: items.map((i) => i.itemId),
    reopenedItemIds: items
      .filter((i) => i.status === "reopened" && i.leftOpenReason === null)
      .map((i) => i.itemId),
    unansweredIds: items.filter(isUnanswered).map((i) => i.itemId),
    unresolvedIds: items
      .filter((i) => i.status !== "accepted" && i.leftOpenReason === null)
      .map((i) => i.itemId),
  };
}

/**
 * After a REQUEST_RECTIFICATION transition: one item per newly picked rubric item, and the new
 * deadline for the re-opened ones. Idempotent (the unique index refuses a second item).
 */
export async function recordRectificationRound({
  tenantId,
  doc,
  itemIds,
  reason,
  deadline,
  by,
  now,
}: TenantScope & {
  doc: Pick<AssessmentDoc, "_id" | "rubricVersionId" | "weightProfileKey">;
  itemIds: readonly string[];
  reason: string;
  deadline: Date;
  by: Types.ObjectId | null;
  now: Date;
}): Promise<void> {
  const { rubric } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const titles = new Map<string, { elementId: string; title: { zh: string; en?: string } }>();
  for (const el of rubric.elements)
    for (const sub of el.subElements)
      for (const item of sub.items) titles.set(item.id, { elementId: el.id, title: item.text });
  const fresh = itemIds.map((itemId) => ({
    tenantId,
    applicationId: doc._id,
    itemId,
    elementId: titles.get(itemId)?.elementId ?? "",
    itemTitle: titles.get(itemId)?.title ?? { zh: itemId },
    requestNote: reason,
    requestedAt: now,
    requestedBy: by,
    deadline,
  }));
  if (fresh.length > 0) {
    await RectificationItem.insertMany(fresh, { ordered: false }).catch((error: unknown) => {
      // A repeated call finds its items there already (duplicate key): nothing to do.
      if (!(error instanceof Error && "code" in error && error.code === 11000)) throw error;
    });
  }
  const items = await listRectificationItems({ tenantId, applicationId: doc._id });
  for (const item of items) {
    if (item.status !== "reopened" || item.leftOpenReason !== null) continue;
    // Already asked in this round (a repeated call).
    if (item.requestedAt.getTime() >= now.getTime()) continue;
    await casUpdate(
      RectificationItem,
      { _id: item._id, tenantId, expectedVersion: item.version },
      { $set: { deadline, requestNote: reason, requestedAt: now }, $inc: { round: 1 } },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The enterprise answers

export type RectificationError =
  | "notFound"
  | "forbidden"
  | "notEditable"
  | "noteRequired"
  | "tooManyFiles"
  | "conflict";

export type RectificationRefusal = { ok: false; error: RectificationError };

type Loaded = {
  app: Pick<AssessmentDoc, "_id" | "tenantId" | "enterpriseId" | "state" | "reviewerIds">;
  item: RectificationItemDoc;
};

async function loadItem(
  tenantId: Types.ObjectId,
  applicationId: string | Types.ObjectId,
  itemId: string,
  member: GradingMember,
): Promise<Loaded | RectificationRefusal> {
  const appId = typeof applicationId === "string" ? toObjectId(applicationId) : applicationId;
  if (!appId) return { ok: false, error: "notFound" };
  await connectDb();
  const app = await Assessment.findOne({ tenantId, _id: appId })
    .select({ tenantId: 1, enterpriseId: 1, state: 1, reviewerIds: 1 })
    .lean<Loaded["app"]>();
  if (!app || !canViewApplication(member, app)) return { ok: false, error: "notFound" };
  const item = await RectificationItem.findOne({ tenantId, applicationId: appId, itemId }).lean<RectificationItemDoc>();
  if (!item) return { ok: false, error: "notFound" };
  return { app, item };
}

function isOwnEnterprise(member: GradingMember, app: Loaded["app"]): boolean {
  return (
    can(member.permissions, "update:assessment:own") &&
    member.enterpriseId !== null &&
    String(member.enterpriseId) === String(app.enterpriseId)
  );
}

/** The item the enterprise may answer now, and the upload limits (checked before any byte is read). */
export async function prepareRectificationAnswer({
  tenantId,
  applicationId,
  itemId,
  member,
}: TenantScope & {
  applicationId: string | Types.ObjectId;
  itemId: string;
  member: GradingMember;
}): Promise<
  | { ok: true; item: RectificationItemDoc; maxBytes: number; filesLeft: number }
  | RectificationRefusal
> {
  const loaded = await loadItem(tenantId, applicationId, itemId, member);
  if ("ok" in loaded) return loaded;
  const { app, item } = loaded;
  if (!isOwnEnterprise(member, app)) return { ok: false, error: "forbidden" };
  if (
    app.state !== "underReview.rectification" ||
    item.status === "accepted" ||
    item.leftOpenReason !== null
  ) {
    return { ok: false, error: "notEditable" };
  }
  const tenant = await loadTenant(tenantId);
  const limits = evidenceLimits(tenant?.settings);
  return {
    ok: true,
    item,
    maxBytes: limits.maxFileBytes,
    filesLeft: Math.max(0, limits.maxFilesPerItem - item.files.length),
  };
}

/** Stores one evidence file for an item (magic-byte type check, size limit); not yet attached. */
export async function storeRectificationFile({
  tenantId,
  item,
  uploadedBy,
  source,
  filename,
  maxBytes,
}: TenantScope & {
  item: Pick<RectificationItemDoc, "_id">;
  uploadedBy: Types.ObjectId;
  source: EvidenceSource;
  filename: string;
  maxBytes: number;
}) {
  return storeOwnedFile({
    tenantId,
    rectificationItemId: item._id,
    uploadedBy,
    source,
    filename,
    maxBytes,
  });
}

export type StoredRectificationFile = { fileId: Types.ObjectId; name: string; size: number; contentType: string };

/**
 * Saves the enterprise's answer (note, plus the files already stored) on the item it read. On any
 * refusal the stored files are deleted again.
 */
export async function answerRectificationItem({
  tenantId,
  applicationId,
  itemId,
  member,
  note,
  files = [],
  expectedVersion,
  ip,
  now = new Date(),
}: TenantScope & {
  applicationId: string | Types.ObjectId;
  itemId: string;
  member: GradingMember;
  note: string;
  files?: StoredRectificationFile[];
  expectedVersion?: number;
  ip?: string;
  now?: Date;
}): Promise<{ ok: true; status: RectificationStatus; version: number } | RectificationRefusal> {
  const refuse = async (error: RectificationError): Promise<RectificationRefusal> => {
    for (const f of files) await deleteStoredFile(f.fileId);
    return { ok: false, error };
  };
  const text = note.trim();
  if (text.length === 0 || text.length > LIMITS.reason) return refuse("noteRequired");
  const prepared = await prepareRectificationAnswer({ tenantId, applicationId, itemId, member });
  if (!prepared.ok) return refuse(prepared.error);
  const { item } = prepared;
  if (files.length > prepared.filesLeft) return refuse("tooManyFiles");
  if (expectedVersion !== undefined && expectedVersion !== item.version) return refuse("conflict");
  const by = member.user._id;
  const added: RectificationFile[] = files.map((f) => ({ ...f, uploadedAt: now, uploadedBy: by }));
  const won = await casUpdate(
    RectificationItem,
    { _id: item._id, tenantId, expectedVersion: item.version },
    {
      $set: { status: "answered", answer: { note: text, at: now, by } },
      ...(added.length > 0 ? { $push: { files: { $each: added } } } : {}),
    },
  );
  if (!won) return refuse("conflict");
  await recordAudit({
    tenantId,
    action: "rectification.answer",
    actor: { id: by, email: member.user.email },
    ip,
    target: { type: "assessment", id: String(item.applicationId), label: item.itemId },
    details: { itemId: item.itemId, files: added.map((f) => String(f.fileId)) },
    at: now,
  });
  return { ok: true, status: "answered", version: item.version + 1 };
}

// ---------------------------------------------------------------------------------------------
// The reviewer decides

export type RectificationDecisionInput = "accept" | "reopen" | "leaveOpen";

/**
 * Accept or re-open an answered item (while the panel reviews), or leave any item not accepted
 * open with a reason (the report lists it as not rectified). Re-opened items are asked for again
 * by the next REQUEST_RECTIFICATION, with its deadline.
 */
export async function decideRectificationItem({
  tenantId,
  applicationId,
  itemId,
  member,
  decision,
  note = "",
  expectedVersion,
  now = new Date(),
}: TenantScope & {
  applicationId: string | Types.ObjectId;
  itemId: string;
  member: GradingMember;
  decision: RectificationDecisionInput;
  note?: string;
  expectedVersion?: number;
  now?: Date;
}): Promise<{ ok: true; status: RectificationStatus; version: number } | RectificationRefusal> {
  const loaded = await loadItem(tenantId, applicationId, itemId, member);
  if ("ok" in loaded) return loaded;
  const { app, item } = loaded;
  if (!(can(member.permissions, "review:assessment:assigned") && isAssignedReviewer(member, app)))
    return { ok: false, error: "forbidden" };
  const text = note.trim();
  if ((decision !== "accept" && text.length === 0) || text.length > LIMITS.reason)
    return { ok: false, error: "noteRequired" };
  const reviewing = app.state === "underReview.reviewing";
  const allowed =
    decision === "leaveOpen"
      ? app.state.startsWith("underReview.") && item.status !== "accepted" && item.leftOpenReason === null
      : reviewing && item.status === "answered";
  if (!allowed) return { ok: false, error: "notEditable" };
  if (expectedVersion !== undefined && expectedVersion !== item.version)
    return { ok: false, error: "conflict" };
  const by = member.user._id;
  const status: RectificationStatus =
    decision === "accept" ? "accepted" : decision === "reopen" ? "reopened" : item.status;
  const won = await casUpdate(
    RectificationItem,
    { _id: item._id, tenantId, expectedVersion: item.version },
    {
      $set: {
        status,
        ...(decision === "accept" ? { closedAt: now } : {}),
        ...(decision === "leaveOpen" ? { leftOpenReason: text } : {}),
      },
      $push: { decisions: { at: now, by, decision, note: text } },
    },
  );
  if (!won) return { ok: false, error: "conflict" };
  await recordAudit({
    tenantId,
    action: `rectification.${decision === "leaveOpen" ? "leave_open" : decision}`,
    actor: { id: by, email: member.user.email },
    target: { type: "assessment", id: String(item.applicationId), label: item.itemId },
    details: { itemId: item.itemId, ...(text ? { note: text } : {}) },
    at: now,
  });
  return { ok: true, status, version: item.version + 1 };
}

// ---------------------------------------------------------------------------------------------
// Read models

export type RectificationSummaryRow = {
  itemId: string;
  itemTitle: string;
  requestedAt: Date;
  deadline: Date;
  answeredAt: Date | null;
  note: string | null;
  fileCount: number;
  status: RectificationStatus;
  closedAt: Date | null;
  /** Set when the reviewer left the item open (not rectified) with this reason. */
  leftOpenReason: string | null;
};

/** The closure of each rectification item, for the review report (PDF) and the pages. */
export async function rectificationSummary(
  tenantId: Types.ObjectId,
  applicationId: Types.ObjectId | string,
): Promise<RectificationSummaryRow[]> {
  const appId = typeof applicationId === "string" ? toObjectId(applicationId) : applicationId;
  if (!appId) return [];
  const items = await listRectificationItems({ tenantId, applicationId: appId });
  return items.map((i) => ({
    itemId: i.itemId,
    itemTitle: i.itemTitle.zh,
    requestedAt: i.requestedAt,
    deadline: i.deadline,
    answeredAt: i.answer?.at ?? null,
    note: i.answer?.note ?? null,
    fileCount: i.files.length,
    status: i.status,
    closedAt: i.closedAt,
    leftOpenReason: i.leftOpenReason,
  }));
}

/** A file of a rectification item of this application, for the download route (after the view check). */
export async function findRectificationFile({
  tenantId,
  applicationId,
  fileId,
  member,
}: TenantScope & {
  applicationId: string;
  fileId: string;
  member: GradingMember;
}): Promise<RectificationFile | null> {
  const appId = toObjectId(applicationId);
  const fid = toObjectId(fileId);
  if (!appId || !fid) return null;
  await connectDb();
  const app = await Assessment.findOne({ tenantId, _id: appId })
    .select({ tenantId: 1, enterpriseId: 1, reviewerIds: 1 })
    .lean<Loaded["app"]>();
  if (!app || !canViewApplication(member, app)) return null;
  const items = await RectificationItem.find({ tenantId, applicationId: appId })
    .select({ files: 1 })
    .sort({ itemId: 1 })
    .limit(MAX_RECTIFICATION_ITEMS)
    .lean<Array<Pick<RectificationItemDoc, "files">>>();
  for (const item of items) {
    const file = item.files.find((f) => String(f.fileId) === fileId);
    if (file) return file;
  }
  return null;
}
