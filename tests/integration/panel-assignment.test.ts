/**
 * Review bodies and panels on the real database (Step 10, issue 14 item 3): the regulator assigns
 * a review body, the body's admin forms the panel, and every panel rule refuses with its reason
 * and changes nothing: one expert, an enterprise employee, a declared conflict, another tenant's
 * expert, an inactive expert, two leads, lead rotation. Changing the panel mails only those whose
 * assignment changed.
 */
import type { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Expert } from "../../models/expert";
import { Membership } from "../../models/membership";
import { OutboxMessage } from "../../models/outbox-message";
import { Tenant } from "../../models/tenant";
import { User } from "../../models/user";
import { getAssessment, saveAnswers, startAssessment } from "~/data/assessments.server";
import { applyApplicationEvent, type GradingMember } from "~/data/grading.server";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import type { Role } from "~/lib/domain";
import { permissionsFor } from "~/lib/permissions";
import { workflowFormAction } from "~/data/workflow-form.server";
import { action as panelAction, loader as panelLoader } from "~/routes/t.$slug.panels.$id";
import { loader as applicationLoader } from "~/routes/t.$slug.applications.$id";
import { addExpert, cookieFor, createEnterprise, createMember, createReviewBody, createTenant } from "../factories";
import { callAction, callLoader } from "../route-helpers";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

type User = { _id: Types.ObjectId; email: string };
function memberOf(tenantId: Types.ObjectId, user: User, role: Role, enterpriseId: Types.ObjectId | null = null): GradingMember {
  return { tenantId, roles: [role], permissions: permissionsFor([role]), enterpriseId, user: { _id: user._id, email: user.email } };
}

const T0 = new Date("2026-03-02T02:00:00.000Z");
const days = (n: number) => new Date(T0.getTime() + n * 24 * 60 * 60 * 1000);

async function setup() {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(tenant._id, { industry: "light", sizeClass: "micro" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  const experts = await Promise.all([1, 2, 3, 4].map(() => createMember(tenant._id, "reviewer")));
  const { body, admin: bodyAdmin } = await createReviewBody(tenant._id, experts.map((e) => e.user._id));
  const ids = experts.map((e) => String(e.user._id));
  return {
    tenant,
    enterprise,
    body,
    ids,
    experts,
    m: {
      admin: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id),
      regulator: memberOf(tenant._id, regulator.user, "regulator"),
      bodyAdmin: memberOf(tenant._id, bodyAdmin.user, "review_body_admin"),
    },
  };
}
type Setup = Awaited<ReturnType<typeof setup>>;

type RawEvent = Parameters<typeof applyApplicationEvent>[0]["event"];
async function send(s: Setup, id: Types.ObjectId, member: GradingMember, event: RawEvent, now = days(1)) {
  return applyApplicationEvent({ tenantId: s.tenant._id, applicationId: id, event, actor: { kind: "member", member }, now });
}
async function ok(result: Awaited<ReturnType<typeof applyApplicationEvent>>) {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result;
}

/** A complete self-assessment, submitted and accepted. */
async function acceptedApplication(s: Setup, cycle = "2026"): Promise<Types.ObjectId> {
  const actor = { id: s.m.admin.user._id, email: s.m.admin.user.email, role: "enterprise_admin" as const };
  const started = await startAssessment({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, actor, cycle });
  if (!started.ok) throw new Error(started.error);
  const loaded = await getRubricVersion({ tenantId: s.tenant._id, id: started.assessment.rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  const items = rubricItems(loaded.rubric);
  const saved = await saveAnswers({
    tenantId: s.tenant._id,
    id: started.assessment._id,
    expectedVersion: 0,
    actor,
    changes: items.map((item) => ({ itemId: item.id, answer: { choice: "full" } })),
  });
  if (!saved.ok) throw new Error(saved.error);
  const evidence = items
    .filter((item) => item.evidenceRequired)
    .map((item) => ({ fileId: s.body._id, itemId: item.id, filename: "a.pdf", contentType: "application/pdf", size: 1, uploadedBy: actor.id, uploadedAt: new Date() }));
  await Assessment.updateOne({ tenantId: s.tenant._id, _id: started.assessment._id }, { $set: { evidence } });
  const id = started.assessment._id;
  await ok(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
  await ok(await send(s, id, s.m.regulator, { type: "ACCEPT" }, days(1)));
  return id;
}

async function bodyAssigned(s: Setup, cycle?: string) {
  const id = await acceptedApplication(s, cycle);
  await ok(await send(s, id, s.m.regulator, { type: "ASSIGN_REVIEW_BODY", reviewBodyId: String(s.body._id) }));
  return id;
}

const panel = (ids: string[], lead = ids[0] ?? ""): RawEvent => ({ type: "ASSIGN_REVIEWERS", reviewerIds: ids, leadReviewerId: lead });

async function expectRefused(s: Setup, id: Types.ObjectId, event: RawEvent, reasons: string[]) {
  const before = await Assessment.findOne({ tenantId: s.tenant._id, _id: id }).lean();
  const result = await send(s, id, s.m.bodyAdmin, event);
  expect(result).toMatchObject({ ok: false, status: 422, reasons });
  const after = await Assessment.findOne({ tenantId: s.tenant._id, _id: id }).lean();
  expect(after?.version).toBe(before?.version);
  expect(after?.state).toBe(before?.state);
  expect((after?.reviewerIds ?? []).map(String)).toEqual((before?.reviewerIds ?? []).map(String));
}

const mails = (s: Setup, template: string) =>
  OutboxMessage.find({ tenantId: s.tenant._id, template }).lean().then((rows) => rows.map((r) => r.to).sort());

describe("assigning a review body", () => {
  it("records the body, mails its admin and lets only that admin see and form the panel", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    const doc = await getAssessment({ tenantId: s.tenant._id, id });
    expect(doc?.state).toBe("reviewBodyAssigned");
    expect(String(doc?.reviewBodyId)).toBe(String(s.body._id));
    expect(await mails(s, "review-body-assigned")).toEqual([s.m.bodyAdmin.user.email]);
    // The regulator may not form the panel itself, nor may the admin of another body.
    expect(await send(s, id, s.m.regulator, panel(s.ids.slice(0, 2)))).toMatchObject({ ok: false, status: 403 });
    const other = await createReviewBody(s.tenant._id);
    const otherAdmin = memberOf(s.tenant._id, other.admin.user, "review_body_admin");
    expect(await send(s, id, otherAdmin, panel(s.ids.slice(0, 2)))).toMatchObject({ ok: false, status: 404 });
    await ok(await send(s, id, s.m.bodyAdmin, panel(s.ids.slice(0, 2))));
    const formed = await getAssessment({ tenantId: s.tenant._id, id });
    expect(formed?.state).toBe("reviewAssigned");
    expect(String(formed?.leadReviewerId)).toBe(s.ids[0]);
    expect(formed?.history.at(-1)).toMatchObject({ event: "ASSIGN_REVIEWERS", actorRole: "review_body_admin", details: { leadReviewerId: s.ids[0] } });
  });

  it("refuses an inactive body, another tenant's body and a made-up id", async () => {
    const s = await setup();
    const id = await acceptedApplication(s);
    const inactive = await createReviewBody(s.tenant._id, [], { active: false });
    const elsewhere = await createTenant();
    const foreign = await createReviewBody(elsewhere._id);
    for (const body of [inactive.body._id, foreign.body._id, s.tenant._id]) {
      expect(await send(s, id, s.m.regulator, { type: "ASSIGN_REVIEW_BODY", reviewBodyId: String(body) })).toMatchObject({
        ok: false,
        status: 422,
        reasons: ["review-body-not-eligible"],
      });
    }
    expect(await send(s, id, s.m.regulator, { type: "ASSIGN_REVIEW_BODY", reviewBodyId: "x" })).toMatchObject({ ok: false, status: 400 });
    expect((await getAssessment({ tenantId: s.tenant._id, id }))?.state).toBe("accepted");
  });
});

describe("panel rules, each refused with its reason and nothing changed", () => {
  it("one expert is not a panel (minPanelSize, default 2; the old reviewersRequired is its fallback)", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    await expectRefused(s, id, panel(s.ids.slice(0, 1)), ["not-enough-reviewers"]);
    await Tenant.updateOne({ _id: s.tenant._id }, { $set: { "settings.minPanelSize": 3 } });
    await expectRefused(s, id, panel(s.ids.slice(0, 2)), ["not-enough-reviewers"]);
    await ok(await send(s, id, s.m.bodyAdmin, panel(s.ids.slice(0, 3))));
  });

  it("an employee of the graded enterprise is refused (and got no mail)", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    await Membership.create({ tenantId: s.tenant._id, userId: s.experts[1]?.user._id, role: "enterprise_member", enterpriseId: s.enterprise._id });
    await expectRefused(s, id, panel(s.ids.slice(0, 2)), ["reviewer-employee"]);
    expect(await mails(s, "reviewers-assigned")).toEqual([]);
  });

  it("an expert who declared a conflict with the enterprise is refused", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    await Expert.updateOne({ tenantId: s.tenant._id, userId: s.experts[0]?.user._id }, { $set: { conflictEnterpriseIds: [s.enterprise._id] } });
    await expectRefused(s, id, panel(s.ids.slice(0, 2)), ["reviewer-conflict"]);
  });

  it("another tenant's expert, another body's expert and a plain reviewer account are refused", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    const elsewhere = await createTenant();
    const foreign = await createMember(elsewhere._id, "reviewer");
    await createReviewBody(elsewhere._id, [foreign.user._id]);
    const otherBodyExpert = await createMember(s.tenant._id, "reviewer");
    await createReviewBody(s.tenant._id, [otherBodyExpert.user._id]);
    const plainReviewer = await createMember(s.tenant._id, "reviewer");
    for (const outsider of [foreign.user._id, otherBodyExpert.user._id, plainReviewer.user._id, s.m.admin.user._id]) {
      const reasons = outsider === s.m.admin.user._id ? ["reviewer-not-eligible", "reviewer-employee"] : ["reviewer-not-eligible"];
      await expectRefused(s, id, panel([s.ids[0] ?? "", String(outsider)]), reasons);
    }
  });

  it("an inactive expert (or one whose account is disabled) is refused", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    await Expert.updateOne({ tenantId: s.tenant._id, userId: s.experts[1]?.user._id }, { $set: { active: false } });
    await expectRefused(s, id, panel(s.ids.slice(0, 2)), ["reviewer-inactive"]);
    await User.updateOne({ _id: s.experts[2]?.user._id }, { $set: { disabled: true } });
    await expectRefused(s, id, panel([s.ids[0] ?? "", s.ids[2] ?? ""]), ["reviewer-inactive"]);
    await ok(await send(s, id, s.m.bodyAdmin, panel([s.ids[0] ?? "", s.ids[3] ?? ""])));
  });

  it("two leads, or a lead outside the panel, are refused", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    const form = new FormData();
    form.set("intent", "ASSIGN_REVIEWERS");
    for (const r of s.ids.slice(0, 2)) form.append("reviewerIds", r);
    for (const r of s.ids.slice(0, 2)) form.append("leadReviewerId", r);
    // The panel page's action: the form with two leads is refused before the workflow runs.
    const twoLeads = await workflowFormAction({ tenantId: s.tenant._id, applicationId: String(id), member: s.m.bodyAdmin, form });
    expect(twoLeads.init?.status).toBe(400);
    expect(twoLeads.data).toMatchObject({ ok: false, errors: { leadReviewerId: "workflow.errors.oneLead" } });
    await expectRefused(s, id, panel(s.ids.slice(0, 2), s.ids[2]), ["lead-not-member"]);
    expect((await getAssessment({ tenantId: s.tenant._id, id }))?.state).toBe("reviewBodyAssigned");
  });

  it("rotation: with settings.panelRotation the enterprise's previous lead cannot lead again", async () => {
    const s = await setup();
    // A previous application of the same enterprise was led by expert 0.
    const previous = await bodyAssigned(s, "2025");
    await ok(await send(s, previous, s.m.bodyAdmin, panel(s.ids.slice(0, 2))));
    const id = await bodyAssigned(s, "2026");
    // Off (default): the same lead is fine.
    await ok(await send(s, id, s.m.bodyAdmin, panel(s.ids.slice(0, 2))));
    await Tenant.updateOne({ _id: s.tenant._id }, { $set: { "settings.panelRotation": true } });
    await expectRefused(s, id, panel([s.ids[0] ?? "", s.ids[2] ?? ""]), ["lead-rotation"]);
    // The same experts with another lead pass.
    await ok(await send(s, id, s.m.bodyAdmin, panel(s.ids.slice(0, 2), s.ids[1])));
  });
});

describe("changing the panel", () => {
  it("mails only the people whose assignment changed", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    const email = (n: number) => s.experts[n]?.user.email ?? "";
    await ok(await send(s, id, s.m.bodyAdmin, panel([s.ids[0] ?? "", s.ids[1] ?? ""])));
    expect(await mails(s, "reviewers-assigned")).toEqual([email(0), email(1)].sort());
    await OutboxMessage.deleteMany({ tenantId: s.tenant._id });
    // Expert 1 leaves, expert 2 joins, expert 0 stays lead: only 1 and 2 hear of it.
    await ok(await send(s, id, s.m.bodyAdmin, panel([s.ids[0] ?? "", s.ids[2] ?? ""])));
    expect(await mails(s, "reviewers-assigned")).toEqual([email(2)]);
    expect(await mails(s, "panel-member-removed")).toEqual([email(1)]);
    const doc = await getAssessment({ tenantId: s.tenant._id, id });
    expect((doc?.reviewerIds ?? []).map(String)).toEqual([s.ids[0], s.ids[2]]);
  });

  it("a reviewer who becomes linked to the enterprise after the assignment still blocks the start", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    await ok(await send(s, id, s.m.bodyAdmin, panel(s.ids.slice(0, 2))));
    await Membership.create({ tenantId: s.tenant._id, userId: s.experts[1]?.user._id, role: "enterprise_member", enterpriseId: s.enterprise._id });
    const reviewer = memberOf(s.tenant._id, s.experts[0]?.user ?? s.m.admin.user, "reviewer");
    expect(await send(s, id, reviewer, { type: "START_REVIEW" }, days(2))).toMatchObject({
      ok: false,
      status: 422,
      reasons: expect.arrayContaining(["reviewer-conflict", "not-enough-reviewers"]),
    });
  });

  it("a second expert added later through addExpert can join", async () => {
    const s = await setup();
    const id = await bodyAssigned(s);
    const late = await createMember(s.tenant._id, "reviewer");
    await addExpert(s.tenant._id, s.body._id, late.user._id);
    await ok(await send(s, id, s.m.bodyAdmin, panel([String(late.user._id), s.ids[0] ?? ""])));
  });
});

describe("the panel page", () => {
  it("shows each expert's open reviews, who must stand aside and specialty warnings, and forms the panel", async () => {
    const s = await setup();
    const first = await bodyAssigned(s, "2025");
    await ok(await send(s, first, s.m.bodyAdmin, panel(s.ids.slice(0, 2))));
    // The 2025 application keeps experts 0 and 1 busy (one open review each).
    const id = await bodyAssigned(s, "2026");
    await Expert.updateOne({ tenantId: s.tenant._id, userId: s.experts[3]?.user._id }, { $set: { conflictEnterpriseIds: [s.enterprise._id], specialties: ["mining"] } });
    await Expert.updateOne({ tenantId: s.tenant._id, userId: s.experts[2]?.user._id }, { $set: { specialties: ["mining"] } });
    const cookie = await cookieFor(s.m.bodyAdmin.user._id);
    const url = `/t/${s.tenant.slug}/panels/${String(id)}`;
    const page = await callLoader(panelLoader, url, { slug: s.tenant.slug, id: String(id) }, { cookie });
    expect(page.status).toBe(200);
    const experts = (page.data as { page: { experts: Array<{ userId: string; openReviews: number; conflicted: boolean; specialtyMismatch: boolean }> } }).page.experts;
    const byId = new Map(experts.map((e) => [e.userId, e]));
    expect(byId.get(s.ids[0] ?? "")).toMatchObject({ openReviews: 1, conflicted: false, specialtyMismatch: false });
    expect(byId.get(s.ids[2] ?? "")).toMatchObject({ openReviews: 0, specialtyMismatch: true });
    expect(byId.get(s.ids[3] ?? "")).toMatchObject({ conflicted: true });
    // The page's form: refusals come back as reasons, a good panel is saved.
    const refused = await callAction(panelAction, url, { slug: s.tenant.slug, id: String(id) }, {
      cookie,
      form: { intent: "ASSIGN_REVIEWERS", reviewerIds: s.ids[2] ?? "", leadReviewerId: s.ids[2] ?? "" },
    });
    expect(refused).toMatchObject({ status: 422, data: { ok: false, reasons: ["not-enough-reviewers"] } });
    const body = new URLSearchParams([["intent", "ASSIGN_REVIEWERS"], ["reviewerIds", s.ids[1] ?? ""], ["reviewerIds", s.ids[2] ?? ""], ["leadReviewerId", s.ids[2] ?? ""]]);
    const saved = await panelAction({
      request: new Request(`http://localhost:3000${url}`, { method: "POST", body, headers: { Cookie: cookie, "x-sg-client-ip": "127.0.0.1" } }),
      params: { slug: s.tenant.slug, id: String(id) },
      context: {},
    });
    expect(saved).toMatchObject({ data: { ok: true } });
    expect(String((await getAssessment({ tenantId: s.tenant._id, id }))?.leadReviewerId)).toBe(s.ids[2]);
    // The regulator's application page names the body and the lead; others get no panel page.
    const regulatorCookie = await cookieFor(s.m.regulator.user._id);
    const app = await callLoader(applicationLoader, `/t/${s.tenant.slug}/applications/${String(id)}`, { slug: s.tenant.slug, id: String(id) }, { cookie: regulatorCookie });
    expect(app.data).toMatchObject({ page: { reviewBody: { id: String(s.body._id) }, leadReviewerId: s.ids[2] } });
    expect(await callLoader(panelLoader, url, { slug: s.tenant.slug, id: String(id) }, { cookie: regulatorCookie })).toMatchObject({ status: 403 });
    const other = await createReviewBody(s.tenant._id);
    expect(await callLoader(panelLoader, url, { slug: s.tenant.slug, id: String(id) }, { cookie: await cookieFor(other.admin.user._id) })).toMatchObject({ status: 404 });
  });
});
