/**
 * What one element page of the self-assessment wizard needs beyond the layout's data (decision
 * 028): its element with every text, and the evidence of its items. The layout keeps only the
 * scoring outline of the rubric and no evidence, so the HTML of a page carries one element.
 */
import { Assessment, type AssessmentDoc } from "../../../models/assessment";
import { evidenceByItem } from "~/data/evidence.server";
import { canSeeAssessment, loadAssessmentRubric, type AssessmentViewer } from "~/data/assessments.server";
import { toObjectId, type TenantScope } from "~/data/ids.server";
import type { RubricElement } from "~/lib/rubric/schema";

type Head = Pick<AssessmentDoc, "_id" | "enterpriseId" | "districtCode" | "rubricVersionId" | "weightProfileKey" | "evidence">;

export async function getElementPage({
  tenantId,
  id,
  viewer,
  elementId,
}: TenantScope & { id: string; viewer: AssessmentViewer; elementId: string }) {
  const _id = toObjectId(id);
  if (!_id) return null;
  const doc = await Assessment.findOne({ tenantId, _id })
    .select({ enterpriseId: 1, districtCode: 1, rubricVersionId: 1, weightProfileKey: 1, evidence: 1 })
    .lean<Head>();
  if (!doc || !canSeeAssessment(viewer, doc)) return null;
  const { rubric } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const index = rubric.elements.findIndex((e) => e.id === elementId);
  const element: RubricElement | undefined = rubric.elements[index];
  if (!element) return null;
  const itemIds = new Set(element.subElements.flatMap((s) => s.items.map((i) => i.id)));
  return {
    element,
    evidence: evidenceByItem(doc.evidence.filter((e) => itemIds.has(e.itemId))),
    prev: rubric.elements[index - 1]?.id ?? null,
    next: rubric.elements[index + 1]?.id ?? null,
  };
}

export type ElementPage = NonNullable<Awaited<ReturnType<typeof getElementPage>>>;
