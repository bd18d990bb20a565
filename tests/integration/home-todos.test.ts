/**
 * Each role's home is a to-do list with counts and deadlines (issue 17), read through the same
 * data functions as the lists: the counts here are checked against the list loaders' totals.
 */
import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { CreditRecord } from "../../models/credit-record";
import { OutboxMessage } from "../../models/outbox-message";
import { startAssessment, saveAnswers } from "~/data/assessments.server";
import { applyApplicationEvent, type GradingMember } from "~/data/grading.server";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import type { Role } from "~/lib/domain";
import { permissionsFor } from "~/lib/permissions";
import { rubricItems } from "~/lib/assessment/answers";
import type { TodoItem } from "~/lib/todo";
import { loader as homeLoader } from "~/routes/t.$slug._index";
import { loader as rootLoader } from "~/routes/_index";
import { loader as applicationsLoader } from "~/routes/t.$slug.applications._index";
import { loader as assessmentsLoader } from "~/routes/t.$slug.assessments._index";
import { action as registerAction } from "~/routes/t.$slug.register";
import { createCreditRecord } from "../credit-fixtures";
import { cookieFor, createEnterprise, createMember, createTenant, createUser, formPanel, randomCreditCode } from "../factories";
import { callAction, callLoader } from "../route-helpers";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

type Tenant = Awaited<ReturnType<typeof createTenant>>;

function memberOf(tenantId: Types.ObjectId, user: { _id: Types.ObjectId; email: string }, role: Role, enterpriseId: Types.ObjectId | null = null): GradingMember {
  return { tenantId, roles: [role], permissions: permissionsFor([role]), enterpriseId, user: { _id: user._id, email: user.email } };
}

/** A micro enterprise with its admin and a fully answered self-assessment of 2026. */
async function enterpriseWithDraft(tenant: Tenant) {
  const enterprise = await createEnterprise(tenant._id, { industry: "light", sizeClass: "micro" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const actor = { id: admin.user._id, email: admin.user.email, role: "enterprise_admin" };
  const started = await startAssessment({ tenantId: tenant._id, enterpriseId: enterprise._id, actor, cycle: "2026" });
  if (!started.ok) throw new Error(started.error);
  const loaded = await getRubricVersion({ tenantId: tenant._id, id: started.assessment.rubricVersionId });
  if (!loaded) throw new Error("rubric");
  const items = rubricItems(loaded.rubric);
  const saved = await saveAnswers({ tenantId: tenant._id, id: started.assessment._id, expectedVersion: 0, actor, changes: items.map((i) => ({ itemId: i.id, answer: { choice: "full" } })) });
  if (!saved.ok) throw new Error(saved.error);
  const evidence = items
    .filter((i) => i.evidenceRequired)
    .map((i) => ({ fileId: new Types.ObjectId(), itemId: i.id, filename: `${i.id}.pdf`, contentType: "application/pdf", size: 100, uploadedBy: admin.user._id, uploadedAt: new Date() }));
  await Assessment.updateOne({ tenantId: tenant._id, _id: started.assessment._id }, { $set: { evidence } });
  return { enterprise, admin, id: started.assessment._id, member: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id) };
}

async function send(tenant: Tenant, id: Types.ObjectId, member: GradingMember, event: Parameters<typeof applyApplicationEvent>[0]["event"]) {
  const result = await applyApplicationEvent({ tenantId: tenant._id, applicationId: id, event, actor: { kind: "member", member } });
  if (!result.ok) throw new Error(JSON.stringify(result));
}

async function home(tenant: Tenant, userId: Types.ObjectId): Promise<TodoItem[]> {
  const res = await callLoader(homeLoader, `/t/${tenant.slug}`, { slug: tenant.slug }, { cookie: await cookieFor(userId) });
  expect(res.status).toBe(200);
  return (res.data as { todos: TodoItem[] }).todos;
}
const byKey = (items: TodoItem[], key: string) => items.find((i) => i.key === key);

describe("home to-do lists", () => {
  it("enterprise and regulator: drafts, returns with reason, acceptance queue with deadline, credit notice, bar", async () => {
    const tenant = await createTenant();
    const regulator = await createMember(tenant._id, "regulator");
    const reg = memberOf(tenant._id, regulator.user, "regulator");
    const a = await enterpriseWithDraft(tenant); // stays a draft
    const b = await enterpriseWithDraft(tenant); // submitted, then returned with a reason
    const c = await enterpriseWithDraft(tenant); // submitted, waiting for acceptance
    await send(tenant, b.id, b.member, { type: "SUBMIT", appliedLevel: "qualified" });
    await send(tenant, b.id, reg, { type: "RETURN", reason: "缺少隐患排查台账" });
    await send(tenant, c.id, c.member, { type: "SUBMIT", appliedLevel: "qualified" });

    expect(byKey(await home(tenant, a.admin.user._id), "enterprise.draft")).toMatchObject({ count: 1, entries: [{ label: "2026" }] });
    const bHome = await home(tenant, b.admin.user._id);
    expect(byKey(bHome, "enterprise.draft")).toBeUndefined();
    expect(byKey(bHome, "enterprise.returned")).toMatchObject({ count: 1, entries: [{ note: "缺少隐患排查台账" }] });
    expect(await home(tenant, c.admin.user._id)).toEqual([]);

    const regHome = await home(tenant, regulator.user._id);
    const accept = byKey(regHome, "regulator.accept");
    const doc = await Assessment.findOne({ tenantId: tenant._id, _id: c.id }).lean();
    expect(accept).toMatchObject({ count: 1, deadline: doc?.deadlines?.acceptBy?.toISOString(), overdue: false });
    // The count is the list's: the acceptance queue shows the same number.
    const list = await callLoader(applicationsLoader, `/t/${tenant.slug}/applications?queue=acceptance`, { slug: tenant.slug }, { cookie: await cookieFor(regulator.user._id) });
    expect((list.data as { list: { total: number } }).list.total).toBe(accept?.count);

    // A credit notice with its defence deadline for A, and a published listing that bars A.
    const deadline = new Date(Date.now() + 10 * 86_400_000);
    const notice = await createCreditRecord(tenant._id, { status: "notified", creditCode: randomCreditCode(), subjectName: a.enterprise.name });
    await CreditRecord.updateOne({ tenantId: tenant._id, _id: notice._id }, { $set: { enterpriseId: a.enterprise._id, defenceDeadline: deadline, state: "notified.awaiting" } });
    let aHome = await home(tenant, a.admin.user._id);
    expect(byKey(aHome, "enterprise.creditNotice")).toMatchObject({ count: 1, deadline: deadline.toISOString() });
    expect(byKey(aHome, "enterprise.barred")).toBeUndefined();

    const listing = await createCreditRecord(tenant._id, { status: "published", creditCode: a.enterprise.creditCode, subjectName: a.enterprise.name });
    aHome = await home(tenant, a.admin.user._id);
    expect(byKey(aHome, "enterprise.barred")).toMatchObject({ title: "todo.enterprise.barred.creditListed", deadline: listing.endsAt?.toISOString(), tone: "warning" });
    // Most urgent first: the bar heads the list.
    expect(aHome[0]?.key).toBe("enterprise.barred");
    // The start form says so before any click.
    const start = await callLoader(assessmentsLoader, `/t/${tenant.slug}/assessments`, { slug: tenant.slug }, { cookie: await cookieFor(a.admin.user._id) });
    expect((start.data as { start: { bar: { kind: string; until: string } | null } }).start.bar).toMatchObject({ kind: "creditListed", until: listing.endsAt?.toISOString() });
    const free = await callLoader(assessmentsLoader, `/t/${tenant.slug}/assessments`, { slug: tenant.slug }, { cookie: await cookieFor(c.admin.user._id) });
    expect((free.data as { start: { bar: unknown } }).start.bar).toBeNull();
  });

  it("reviewer sees running panels with the review due date; admin sees registrations and failed emails", async () => {
    const tenant = await createTenant();
    const regulator = await createMember(tenant._id, "regulator");
    const reg = memberOf(tenant._id, regulator.user, "regulator");
    const r1 = await createMember(tenant._id, "reviewer");
    const r2 = await createMember(tenant._id, "reviewer");
    const a = await enterpriseWithDraft(tenant);
    await send(tenant, a.id, a.member, { type: "SUBMIT", appliedLevel: "qualified" });
    await send(tenant, a.id, reg, { type: "ACCEPT" });
    await formPanel({ tenantId: tenant._id, applicationId: a.id, regulator: reg, reviewerUserIds: [r1.user._id, r2.user._id] });
    await send(tenant, a.id, memberOf(tenant._id, r1.user, "reviewer"), { type: "START_REVIEW" });
    const doc = await Assessment.findOne({ tenantId: tenant._id, _id: a.id }).lean();
    expect(byKey(await home(tenant, r2.user._id), "reviewer.panels")).toMatchObject({
      count: 1,
      deadline: doc?.deadlines?.reviewBy?.toISOString(),
      entries: [{ href: `/t/${tenant.slug}/reviews/${String(a.id)}` }],
    });

    const admin = await createMember(tenant._id, "tenant_admin");
    expect(await home(tenant, admin.user._id)).toEqual([]);
    const form = { name: "成都示例化工有限公司", creditCode: randomCreditCode(), industry: "chemical", sizeClass: "small", districtCode: "510105", address: "青羊区示例路 8 号", contactName: "李安全", contactPhone: "028-86660000", adminName: "李安全", adminEmail: `applicant-${randomBytes(3).toString("hex")}@example.com`, password: "Safe-grade-2026", confirmPassword: "Safe-grade-2026" };
    const registered = await callAction(registerAction, `/t/${tenant.slug}/register`, { slug: tenant.slug }, { form });
    expect(registered.status).toBeLessThan(400);
    await OutboxMessage.create({ tenantId: tenant._id, idempotencyKey: `k-${randomBytes(4).toString("hex")}`, template: "password-reset", to: "lost@example.com", status: "failed", nextAttemptAt: new Date() });
    const adminHome = await home(tenant, admin.user._id);
    expect(byKey(adminHome, "admin.registrations")).toMatchObject({ count: 1, entries: [{ label: "成都示例化工有限公司" }] });
    expect(byKey(adminHome, "admin.failedEmails")).toMatchObject({ count: 1, href: `/t/${tenant.slug}/admin/outbox?status=failed` });

    // The platform administrator's root page lists the same items under the tenant.
    const platform = await createUser({ platformAdmin: true });
    const root = await callLoader(rootLoader, "/", {}, { cookie: await cookieFor(platform._id) });
    const section = (root.data as { todos: Array<{ slug: string; items: TodoItem[] }> }).todos.find((t) => t.slug === tenant.slug);
    expect(section?.items.map((i) => i.key).sort()).toEqual(["admin.failedEmails", "admin.registrations"]);
    // Anonymous visitors get no to-dos.
    expect((await callLoader(rootLoader, "/", {})).data).toMatchObject({ todos: null });
  });
});
