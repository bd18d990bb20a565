/**
 * What one element page of the self-assessment wizard needs beyond the layout's data (decision
 * 028): its element with every text, and the evidence of its items. The layout keeps only the
 * scoring outline of the rubric and no evidence, so the HTML of a page carries one element — one
 * part of it when the element is large (`?part=`, or the part holding `?item=`).
 */
import type { AssessmentDoc } from "../../../models/assessment";
import { evidenceByItem } from "~/data/evidence.server";
import { canSeeAssessment, loadAssessmentRubric, type AssessmentViewer } from "~/data/assessments.server";
import { toObjectId, type TenantScope } from "~/data/ids.server";
import { clampPart, neighbours, partOfItem, wizardParts } from "~/lib/assessment/element-parts";
import type { RubricElement } from "~/lib/rubric/schema";
import { readAssessmentView } from "~/data/assessments/view-read.server";

type Head = Pick<AssessmentDoc, "_id" | "enterpriseId" | "districtCode" | "rubricVersionId" | "weightProfileKey" | "evidence">;

export async function getElementPage({
  tenantId,
  id,
  viewer,
  elementId,
  part = null,
  itemId = null,
}: TenantScope & { id: string; viewer: AssessmentViewer; elementId: string; part?: string | null; itemId?: string | null }) {
  const _id = toObjectId(id);
  if (!_id) return null;
  const doc: Head | null = await readAssessmentView(tenantId, _id);
  if (!doc || !canSeeAssessment(viewer, doc)) return null;
  const { rubric } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const element: RubricElement | undefined = rubric.elements.find((e) => e.id === elementId);
  if (!element) return null;
  const parts = wizardParts(element);
  const number = (itemId ? partOfItem(element, itemId) : null) ?? clampPart(part, parts.length);
  const subElements = parts[number - 1] ?? [];
  const itemIds = new Set(subElements.flatMap((s) => s.items.map((i) => i.id)));
  const { prev, next } = neighbours(rubric.elements, { elementId: element.id, part: number });
  return {
    element: { ...element, subElements },
    /** Items of the whole element (the header counts them). */
    elementItems: element.subElements.reduce((n, s) => n + s.items.length, 0),
    part: number,
    parts: parts.length,
    evidence: evidenceByItem(doc.evidence.filter((e) => itemIds.has(e.itemId))),
    prev,
    next,
  };
}

export type ElementPage = NonNullable<Awaited<ReturnType<typeof getElementPage>>>;
