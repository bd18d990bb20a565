/**
 * The page-weight scenario: the shipped general rubric (the largest), every item answered with a
 * note, evidence names on the items that need them, a consolidated review sheet scored by the
 * panel — driven through the app's own functions by the bench's template builder, then cloned
 * (as the bench's city scenario does) into a draft and an application under review.
 */
import { wizardParts } from "~/lib/assessment/element-parts";
import { Types } from "mongoose";
import { Assessment } from "../models/assessment";
import { importRubricFiles } from "~/data/rubrics.server";
import { buildApplicationTemplates, type Actor } from "../bench/city/templates";
import { cloneApplication } from "../bench/city/applications";
import { cookieFor, createEnterprise, createMember, createReviewBody, createTenant } from "./factories";

export async function pageWeightScenario() {
  await importRubricFiles();
  const tenant = await createTenant();
  const enterprise = await createEnterprise(tenant._id, { industry: "machinery", sizeClass: "medium" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  const lead = await createMember(tenant._id, "reviewer");
  const second = await createMember(tenant._id, "reviewer");
  const body = await createReviewBody(tenant._id, [lead.user._id, second.user._id]);
  const actor = (m: { user: { _id: Types.ObjectId; email: string } }, role: Actor["role"], enterpriseId: Types.ObjectId | null = null): Actor => ({
    userId: m.user._id,
    email: m.user.email,
    role,
    enterpriseId,
  });
  const now = new Date();
  const templates = await buildApplicationTemplates({
    tenantId: tenant._id,
    enterpriseId: enterprise._id,
    enterpriseAdmin: actor(admin, "enterprise_admin", enterprise._id),
    regulator: actor(regulator, "regulator"),
    reviewers: [actor(lead, "reviewer"), actor(second, "reviewer")],
    reviewBodyId: body.body._id,
    bodyAdmin: actor(body.admin, "review_body_admin"),
    now,
  });
  const year = now.getUTCFullYear();
  const clone = async (stage: "draft" | "review", cycle: number) => {
    const _id = new Types.ObjectId();
    const doc = cloneApplication(templates[stage], { _id, enterpriseId: enterprise._id, adminId: admin.user._id, cycle: String(cycle), yearsBack: 0 });
    await Assessment.insertMany([doc]);
    return String(_id);
  };
  const draftId = await clone("draft", year + 1);
  const reviewId = await clone("review", year + 2);
  const elementOf = (itemId: string) => itemId.split(".")[0] ?? "";
  const firstElement = elementOf(templates.draft.answers[0]?.itemId ?? "");
  const counts = new Map<string, number>();
  for (const a of templates.draft.answers) counts.set(elementOf(a.itemId), (counts.get(elementOf(a.itemId)) ?? 0) + 1);
  const largestElement = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? firstElement;
  // Every item is answered: the answers' ids give the element's sub-elements, hence its wizard parts.
  const subs = new Map<string, { id: string }[]>();
  for (const a of templates.draft.answers.filter((x) => elementOf(x.itemId) === largestElement)) {
    const sub = a.itemId.split(".").slice(0, 2).join(".");
    subs.set(sub, [...(subs.get(sub) ?? []), { id: a.itemId }]);
  }
  const partCount = wizardParts({ id: largestElement, subElements: [...subs].map(([id, items]) => ({ id, items })) }).length;
  return {
    slug: tenant.slug,
    draftId,
    reviewId,
    /** Reported and certified: the comparison of self-assessment and review is open. */
    certifiedId: String(templates.certified._id),
    firstElement,
    /** The element with the most items (E4 of the general rubric, 36 items). */
    largestElement,
    /** The wizard's parts of the largest element (1-based). */
    largestElementParts: Array.from({ length: partCount }, (_, i) => i + 1),
    cookies: {
      enterpriseAdmin: await cookieFor(admin.user._id),
      regulator: await cookieFor(regulator.user._id),
      reviewer: await cookieFor(lead.user._id),
    },
  };
}
