/** The rectification panel of the application and review pages (plain JSON, ISO dates). */
import { connectDb } from "~/db.server";
import { can } from "~/lib/permissions";
import { loadAssessmentRubric } from "../assessments.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { canViewApplication, isAssignedReviewer, type GradingMember } from "./access.server";
import { deductedItemIdsOf, listRectificationItems } from "./rectification.server";
import { readAssessmentView } from "~/data/assessments/view-read.server";

export type RectificationItemView = {
  itemId: string;
  elementId: string;
  title: { zh: string; en?: string };
  status: "open" | "answered" | "accepted" | "reopened";
  requestNote: string;
  deadline: string;
  overdue: boolean;
  answerNote: string | null;
  answeredAt: string | null;
  files: Array<{ fileId: string; name: string; size: number }>;
  leftOpenReason: string | null;
  closedAt: string | null;
  version: number;
};

export type RectificationPanel = {
  items: RectificationItemView[];
  /** The enterprise may answer items now (the application waits for its rectification). */
  canAnswer: boolean;
  /** An assigned reviewer: accept / re-open answered items while reviewing, leave items open. */
  canDecide: boolean;
  reviewing: boolean;
  /** Deducted items not asked for yet: the choices of the next REQUEST_RECTIFICATION. */
  options: Array<{ itemId: string; title: { zh: string; en?: string } }>;
  reopenedCount: number;
};

export async function getRectificationPanel({
  tenantId,
  applicationId,
  member,
  now = new Date(),
}: TenantScope & {
  applicationId: string;
  member: GradingMember;
  now?: Date;
}): Promise<RectificationPanel | null> {
  const _id = toObjectId(applicationId);
  if (!_id) return null;
  await connectDb();
  const doc = await readAssessmentView(tenantId, _id);
  if (!doc || !canViewApplication(member, doc)) return null;
  const items = await listRectificationItems({ tenantId, applicationId: _id });
  const reviewer =
    can(member.permissions, "review:assessment:assigned") && isAssignedReviewer(member, doc);
  const own =
    can(member.permissions, "update:assessment:own") &&
    member.enterpriseId !== null &&
    String(member.enterpriseId) === String(doc.enterpriseId);
  const underReview = doc.state.startsWith("underReview.");
  let options: RectificationPanel["options"] = [];
  if (reviewer && doc.state === "underReview.reviewing") {
    const requested = new Set(items.map((i) => i.itemId));
    const deducted = deductedItemIdsOf(doc.review).filter((id) => !requested.has(id));
    if (deducted.length > 0) {
      const { rubric } = await loadAssessmentRubric({ tenantId, assessment: doc });
      const titles = new Map<string, { zh: string; en?: string }>();
      for (const el of rubric.elements)
        for (const sub of el.subElements) for (const item of sub.items) titles.set(item.id, item.text);
      options = deducted.map((itemId) => ({ itemId, title: titles.get(itemId) ?? { zh: itemId } }));
    }
  }
  return {
    items: items.map((i) => ({
      itemId: i.itemId,
      elementId: i.elementId,
      title: i.itemTitle,
      status: i.status,
      requestNote: i.requestNote,
      deadline: i.deadline.toISOString(),
      overdue: i.deadline.getTime() < now.getTime(),
      answerNote: i.answer?.note ?? null,
      answeredAt: i.answer ? i.answer.at.toISOString() : null,
      files: i.files.map((f) => ({ fileId: String(f.fileId), name: f.name, size: f.size })),
      leftOpenReason: i.leftOpenReason,
      closedAt: i.closedAt ? i.closedAt.toISOString() : null,
      version: i.version,
    })),
    canAnswer: own && doc.state === "underReview.rectification",
    canDecide: reviewer && underReview,
    reviewing: doc.state === "underReview.reviewing",
    options,
    reopenedCount: items.filter((i) => i.status === "reopened" && i.leftOpenReason === null).length,
  };
}
