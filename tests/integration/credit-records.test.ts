/**
 * Credit-list records on the real database: draft validation, every transition through the route
 * actions, permissions, and the effects of publication (running application stopped, certificates
 * suspended or revoked, start and submit refused), idempotence (effects run twice, a crash and the
 * job's redelivery, concurrent publication), the lifecycle job, repair timing, removal and RESTORE.
 */
import { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import { CreditRecord, type CreditRecordDoc } from "../../models/credit-record";
import { OutboxMessage } from "../../models/outbox-message";
import { RubricVersion } from "../../models/rubric-version";
import { Tenant } from "../../models/tenant";
import { getAssessment, startAssessment } from "~/data/assessments.server";
import { changeCertificateStatus, issueCertificateForApplication } from "~/data/certificates.server";
import { isCreditListed } from "~/data/credit-check.server";
import {
  applyCreditRecordEvent,
  carryOutCreditEffects,
  runCreditLifecycle,
} from "~/data/credit-records.server";
import { createEnterprise as createEnterpriseRecord } from "~/data/enterprises.server";
import { applyApplicationEvent, type GradingMember } from "~/data/grading.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { addMonths } from "~/lib/certificate";
import { normalizeForSearch } from "~/lib/credit";
import { parseMsg } from "~/lib/validation";
import { loader as listLoader } from "~/routes/t.$slug.credit._index";
import { action as detailAction, loader as detailLoader } from "~/routes/t.$slug.credit.$id";
import { loader as fileLoader } from "~/routes/t.$slug.credit.$id_.files.$fileId";
import { action as newAction } from "~/routes/t.$slug.credit.new";
import { action as startAction } from "~/routes/t.$slug.assessments._index";
import { SAMPLES } from "../evidence-samples";
import { cookieFor, createEnterprise, createMember, createTenant, formPanel, randomCreditCode } from "../factories";
import { callAction, callLoader } from "../route-helpers";
import { DEMO_ENTERPRISES } from "../../scripts/lib/seed";
import { DEMO_CREDIT_RECORDS, seedDemoCreditRecords } from "../../scripts/lib/seed-credit";
import { REPAIR_TICKED, REPAIR_TICKED_FORM } from "../credit-fixtures";
import { memberOf, readyApplication as readyGradingApplication } from "../grading-fixtures";
import { validateCreditCode } from "~/lib/credit-code";
import { loader as enterpriseLoader } from "~/routes/t.$slug.enterprises.$id";
import { loader as applicationLoader } from "~/routes/t.$slug.applications.$id";

beforeEach(async () => {
  const report = await importRubricFiles();
  expect(report.errors).toEqual([]);
});

const DAY = 24 * 60 * 60 * 1000;
async function setup(options: { certificateEffect?: "suspend" | "revoke"; conditions?: string[] } = {}) {
  const tenant = await createTenant();
  // The default effect is revoke (tests/integration/revocation.test.ts); these tests exercise the
  // suspension a tenant may choose instead, unless they ask for revoke.
  const certificateEffect = options.certificateEffect ?? "suspend";
  {
    await Tenant.updateOne(
      { _id: tenant._id },
      {
        $set: {
          "settings.credit.certificateEffect": certificateEffect,
          ...(options.conditions ? { "settings.credit.conditions": options.conditions } : {}),
        },
      },
    );
  }
  const enterprise = await createEnterprise(tenant._id, { industry: "light", sizeClass: "micro" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const other = await createMember(tenant._id, "enterprise_admin");
  const regulator = await createMember(tenant._id, "regulator");
  const reviewer1 = await createMember(tenant._id, "reviewer");
  const reviewer2 = await createMember(tenant._id, "reviewer");
  return {
    tenant,
    enterprise,
    admin,
    regulator,
    cookies: {
      admin: await cookieFor(admin.user._id),
      other: await cookieFor(other.user._id),
      regulator: await cookieFor(regulator.user._id),
    },
    m: {
      admin: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id),
      regulator: memberOf(tenant._id, regulator.user, "regulator"),
      reviewer1: memberOf(tenant._id, reviewer1.user, "reviewer"),
      reviewer2: memberOf(tenant._id, reviewer2.user, "reviewer"),
    },
    reviewers: [reviewer1, reviewer2],
  };
}
type Setup = Awaited<ReturnType<typeof setup>>;

const draftForm = (creditCode: string, overrides: Record<string, string> = {}) => ({
  subjectName: "成都某某化工有限公司",
  creditCode,
  subjectType: "enterprise",
  responsibleName: "张三",
  responsibleIdNumber: "510104198001011234",
  listType: "serious2023",
  conditionKey: "c2023_concealed_accident",
  facts: "2026年1月瞒报一起生产安全事故。",
  legalBasis: "《安全生产严重失信主体名单管理办法》第七条第（四）项",
  penaltyDecisionNo: "成应急罚〔2026〕12号",
  authority: "成都市应急管理局",
  ...overrides,
});

async function createViaRoute(s: Setup, form: Record<string, string>, cookie = s.cookies.regulator) {
  return callAction(newAction, `/t/${s.tenant.slug}/credit/new`, { slug: s.tenant.slug }, { cookie, form });
}

async function newRecord(s: Setup, overrides: Record<string, string> = {}): Promise<string> {
  const res = await createViaRoute(s, draftForm(s.enterprise.creditCode, overrides));
  expect(res.status).toBe(302);
  const id = res.location?.split("/").pop() ?? "";
  expect(id).toMatch(/^[0-9a-f]{24}$/);
  return id;
}

async function record(s: Setup, id: string): Promise<CreditRecordDoc> {
  const doc = await CreditRecord.findOne({ tenantId: s.tenant._id, _id: id }).lean<CreditRecordDoc>();
  if (!doc) throw new Error("record missing");
  return doc;
}

async function act(s: Setup, id: string, cookie: string, form: Record<string, string>) {
  const version = (await record(s, id)).version;
  return callAction(detailAction, `/t/${s.tenant.slug}/credit/${id}`, { slug: s.tenant.slug, id }, { cookie, form: { version: String(version), ...form } });
}

function isoDay(at: Date): string {
  return new Date(at.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** Regulator: draft → notified → (defence) → decided → published, at the given times. */
async function toPublished(s: Setup, id: string, now = new Date()) {
  const reg = { kind: "member", member: s.m.regulator } as const;
  const notice = await applyCreditRecordEvent({
    tenantId: s.tenant._id,
    id,
    event: { type: "SEND_NOTICE", defenceDeadline: isoDay(new Date(now.getTime() + 7 * DAY)) },
    actor: reg,
    now,
  });
  expect(notice.ok).toBe(true);
  const after = new Date(now.getTime() + 9 * DAY);
  expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "DECIDE_LIST", decisionText: "决定列入" }, actor: reg, now: after })).ok).toBe(true);
  return applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "PUBLISH" }, actor: reg, now: after });
}

/** A micro enterprise's application, answered and with evidence refs, ready to SUBMIT. */
async function readyApplication(s: Setup, cycle = "2026"): Promise<Types.ObjectId> {
  return (await readyGradingApplication(s, cycle))._id;
}

async function underReview(s: Setup): Promise<Types.ObjectId> {
  const id = await readyApplication(s);
  const send = async (member: GradingMember, event: Parameters<typeof applyApplicationEvent>[0]["event"]) => {
    const r = await applyApplicationEvent({ tenantId: s.tenant._id, applicationId: id, event, actor: { kind: "member", member } });
    if (!r.ok) throw new Error(JSON.stringify(r));
  };
  await send(s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" });
  await send(s.m.regulator, { type: "ACCEPT" });
  await formPanel({ tenantId: s.tenant._id, applicationId: id, regulator: s.m.regulator, reviewerUserIds: s.reviewers.map((r) => r.user._id) });
  await send(s.m.reviewer1, { type: "START_REVIEW" });
  expect((await getAssessment({ tenantId: s.tenant._id, id }))?.state).toBe("underReview.reviewing");
  return id;
}

/** A certified application of another cycle and its active certificate. */
async function withCertificate(s: Setup, cycle = "2024") {
  const meta = await RubricVersion.findOne({ tenantId: null, key: "general-tier3" }).lean();
  if (!meta) throw new Error("rubric missing");
  const issuedAt = new Date(Date.now() - 30 * DAY);
  const app = await Assessment.create({
    tenantId: s.tenant._id,
    enterpriseId: s.enterprise._id,
    cycle,
    rubricVersionId: meta._id,
    rubricKey: meta.key,
    rubricVersion: meta.version,
    createdBy: s.admin.user._id,
    appliedLevel: "level3",
    state: "certified",
    pendingCertificate: { level: "level3", appliedLevel: "level3", lowerLevel: false, issuedAt, certifiedBy: s.regulator.user._id, version: 12 },
    version: 12,
  });
  const issued = await issueCertificateForApplication({ tenantId: s.tenant._id, applicationId: app._id, now: issuedAt });
  if (!issued.ok) throw new Error(issued.error);
  return issued.certificate;
}

// ---------------------------------------------------------------------------------------------

describe("drafts: validation and permissions", () => {
  it("refuses bad input with field errors (400) and stores nothing", async () => {
    const s = await setup({ conditions: ["c2023_concealed_accident", "c2023_major_accident"] });
    const badCode = await createViaRoute(s, draftForm("91510100MA6123456I"));
    expect(badCode.status).toBe(400);
    const errors = (badCode.data as { errors: Record<string, string> }).errors;
    expect(parseMsg(errors.creditCode ?? "")).toEqual({ key: "errors.creditCode.character", params: { position: "18", character: "I" } });

    const checksum = await createViaRoute(s, draftForm(`${s.enterprise.creditCode.slice(0, 17)}${s.enterprise.creditCode.endsWith("0") ? "1" : "0"}`));
    expect(parseMsg((checksum.data as { errors: Record<string, string> }).errors.creditCode ?? "").key).toBe("errors.creditCode.checksum");

    const mismatch = await createViaRoute(s, draftForm(s.enterprise.creditCode, { conditionKey: "c2017_other" }));
    expect(mismatch.status).toBe(400);
    expect((mismatch.data as { errors: Record<string, string> }).errors.conditionKey).toBe("credit.errors.conditionMismatch");

    const notOffered = await createViaRoute(s, draftForm(s.enterprise.creditCode, { conditionKey: "c2023_no_licence" }));
    expect(notOffered.status).toBe(400);
    expect((notOffered.data as { errors: Record<string, string> }).errors.conditionKey).toBe("credit.errors.conditionNotOffered");

    const person = await createViaRoute(s, draftForm(s.enterprise.creditCode, { subjectType: "person", responsibleIdNumber: "5101" }));
    expect((person.data as { errors: Record<string, string> }).errors.responsibleIdNumber).toBe("credit.errors.idNumber");

    const missing = await createViaRoute(s, draftForm(s.enterprise.creditCode, { facts: "  " }));
    expect((missing.data as { errors: Record<string, string> }).errors.facts).toBe("errors.required");

    const noDecisionNo = await createViaRoute(s, draftForm(s.enterprise.creditCode, { penaltyDecisionNo: "" }));
    expect(noDecisionNo.status).toBe(400);
    expect((noDecisionNo.data as { errors: Record<string, string> }).errors.penaltyDecisionNo).toBe("credit.errors.penaltyDecisionNoRequired");

    expect(await CreditRecord.countDocuments({ tenantId: s.tenant._id })).toBe(0);
  });

  it("creates a draft with search keys and the enterprise link; edits it with CAS", async () => {
    const s = await setup();
    const id = await newRecord(s, { creditCode: s.enterprise.creditCode.toLowerCase() });
    let doc = await record(s, id);
    expect(doc).toMatchObject({ state: "draft", status: "draft", creditCode: s.enterprise.creditCode, version: 0 });
    expect(doc.search).toEqual({ name: normalizeForSearch("成都某某化工有限公司"), code: s.enterprise.creditCode });
    expect(doc.enterpriseId?.equals(s.enterprise._id)).toBe(true);

    // The regulator's draft form shows the full ID number; the record view masks it.
    const page = await callLoader(detailLoader, `/t/${s.tenant.slug}/credit/${id}`, { slug: s.tenant.slug, id }, { cookie: s.cookies.regulator });
    const data = page.data as { record: { responsibleIdNumber: string }; draft: { responsibleIdNumber: string } | null };
    expect(data.record.responsibleIdNumber).toBe("510104********1234");
    expect(data.draft?.responsibleIdNumber).toBe("510104198001011234");

    const edit = await act(s, id, s.cookies.regulator, { intent: "edit", ...draftForm(s.enterprise.creditCode, { subjectName: "成都某某化工股份有限公司" }) });
    expect(edit.status).toBe(200);
    doc = await record(s, id);
    expect(doc.subjectName).toBe("成都某某化工股份有限公司");
    expect(doc.search.name).toBe("成都某某化工股份有限公司");
    expect(doc.history.map((h) => h.event)).toEqual(["CREATE", "EDIT"]);

    const stale = await callAction(detailAction, `/t/${s.tenant.slug}/credit/${id}`, { slug: s.tenant.slug, id }, {
      cookie: s.cookies.regulator,
      form: { intent: "edit", version: "0", ...draftForm(s.enterprise.creditCode) },
    });
    expect(stale.status).toBe(409);
    expect((await record(s, id)).subjectName).toBe("成都某某化工股份有限公司");
  });

  it("enterprises cannot create, see drafts, or act for the regulator; others see nothing", async () => {
    const s = await setup();
    expect((await createViaRoute(s, draftForm(s.enterprise.creditCode), s.cookies.admin)).status).toBe(403);
    const id = await newRecord(s);
    const url = `/t/${s.tenant.slug}/credit/${id}`;
    // A draft is the authority's internal work.
    expect((await callLoader(detailLoader, url, { slug: s.tenant.slug, id }, { cookie: s.cookies.admin })).status).toBe(404);
    expect((await act(s, id, s.cookies.regulator, { intent: "SEND_NOTICE", defenceDeadline: isoDay(new Date(Date.now() + 7 * DAY)) })).status).toBe(200);
    expect((await callLoader(detailLoader, url, { slug: s.tenant.slug, id }, { cookie: s.cookies.admin })).status).toBe(200);
    expect((await callLoader(detailLoader, url, { slug: s.tenant.slug, id }, { cookie: s.cookies.other })).status).toBe(404);
    const otherList = await callLoader(listLoader, `/t/${s.tenant.slug}/credit`, { slug: s.tenant.slug }, { cookie: s.cookies.other });
    expect((otherList.data as { total: number }).total).toBe(0);
    const ownList = await callLoader(listLoader, `/t/${s.tenant.slug}/credit`, { slug: s.tenant.slug }, { cookie: s.cookies.admin });
    expect((ownList.data as { items: Array<{ id: string; defenceDeadline: string | null }> }).items.map((i) => i.id)).toEqual([id]);

    // The enterprise may not decide or publish; the other enterprise cannot even find the record.
    expect((await act(s, id, s.cookies.admin, { intent: "DROP", decisionText: "x" })).status).toBe(403);
    expect((await act(s, id, s.cookies.other, { intent: "DEFENCE_RECEIVED", statement: "x" })).status).toBe(404);
    expect((await act(s, id, s.cookies.regulator, { intent: "EXPIRE" })).status).toBe(400);
    expect((await record(s, id)).state).toBe("notified.awaiting");
  });
});

describe("lifecycle through the route actions", () => {
  it("notice → defence with a file → decision → publication → repair refused, granted → restore", async () => {
    const s = await setup();
    const id = await newRecord(s);
    const url = `/t/${s.tenant.slug}/credit/${id}`;

    const badDate = await act(s, id, s.cookies.regulator, { intent: "SEND_NOTICE", defenceDeadline: isoDay(new Date(Date.now() - DAY)) });
    expect(badDate.status).toBe(400);
    expect((badDate.data as { errors: Record<string, string> }).errors.defenceDeadline).toBe("credit.block.deadline-in-past");
    expect((await act(s, id, s.cookies.regulator, { intent: "SEND_NOTICE", defenceDeadline: isoDay(new Date(Date.now() + 7 * DAY)) })).status).toBe(200);
    const notice = await OutboxMessage.find({ tenantId: s.tenant._id, template: "credit-notice" }).lean();
    expect(notice.map((m) => m.to)).toEqual([s.admin.user.email]);
    expect(notice[0]?.data).toMatchObject({ recordId: id, subjectName: "成都某某化工有限公司", conditionKey: "c2023_concealed_accident" });

    // Deciding before the deadline without a defence is refused.
    const early = await act(s, id, s.cookies.regulator, { intent: "DECIDE_LIST", decisionText: "列入" });
    expect(early.status).toBe(422);
    expect((early.data as { errors: Record<string, string> }).errors._form).toBe("credit.block.deadline-not-passed");

    // The enterprise states its defence with a PDF (multipart).
    const fd = new FormData();
    fd.set("intent", "DEFENCE_RECEIVED");
    fd.set("version", String((await record(s, id)).version));
    fd.set("statement", "事故已如实报告，请求不予列入。");
    fd.append("files", new Blob([SAMPLES.pdf], { type: "application/pdf" }), "陈述申辩书.pdf");
    const defence = await detailAction({
      request: new Request(`http://localhost:3000${url}`, { method: "POST", body: fd, headers: { Cookie: s.cookies.admin, "x-sg-client-ip": "127.0.0.1" } }),
      params: { slug: s.tenant.slug, id },
      context: {},
    });
    expect((defence as { init: { status?: number } | null }).init?.status ?? 200).toBe(200);
    let doc = await record(s, id);
    expect(doc.state).toBe("defenceReceived");
    expect(doc.defence?.files.map((f) => f.name)).toEqual(["陈述申辩书.pdf"]);
    const fileId = String(doc.defence?.files[0]?.fileId);
    const download = await callLoader(fileLoader, `${url}/files/${fileId}`, { slug: s.tenant.slug, id, fileId }, { cookie: s.cookies.regulator });
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Type")).toBe("application/pdf");
    expect((await callLoader(fileLoader, `${url}/files/${fileId}`, { slug: s.tenant.slug, id, fileId }, { cookie: s.cookies.other })).status).toBe(404);

    expect((await act(s, id, s.cookies.regulator, { intent: "DECIDE_LIST", decisionText: "" })).status).toBe(400);
    expect((await act(s, id, s.cookies.regulator, { intent: "DECIDE_LIST", decisionText: "申辩理由不成立，决定列入。" })).status).toBe(200);
    expect((await act(s, id, s.cookies.admin, { intent: "PUBLISH" })).status).toBe(403);
    expect((await act(s, id, s.cookies.regulator, { intent: "PUBLISH" })).status).toBe(200);
    doc = await record(s, id);
    expect(doc.state).toBe("published.listed");
    expect(doc.listedYear).toBe(new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear());
    expect(doc.endsAt?.getTime()).toBe(addMonths(doc.listedAt ?? new Date(), 36).getTime());
    expect(doc.effectsPending).toBe(false);
    expect(await isCreditListed({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, creditCode: "" })).toEqual({
      recordId: id,
      name: "成都某某化工有限公司（成应急罚〔2026〕12号）",
    });
    const listed = await OutboxMessage.find({ tenantId: s.tenant._id, template: "credit-listed" }).lean();
    expect(listed).toHaveLength(1);

    // Repair: too early now (the page tells from when); allowed 12 months after listing.
    const tooEarly = await act(s, id, s.cookies.admin, { intent: "APPLY_REPAIR", statement: "已整改" });
    expect(tooEarly.status).toBe(422);
    expect((tooEarly.data as { errors: Record<string, string> }).errors._form).toBe("credit.block.repair-too-early");
    const page = await callLoader(detailLoader, url, { slug: s.tenant.slug, id }, { cookie: s.cookies.admin });
    expect((page.data as { record: { repairAllowedFrom: string } }).record.repairAllowedFrom).toBe(addMonths(doc.listedAt ?? new Date(), 12).toISOString());
    const later = addMonths(doc.listedAt ?? new Date(), 12);
    const applied = await applyCreditRecordEvent({
      tenantId: s.tenant._id,
      id,
      event: { type: "APPLY_REPAIR", statement: "已完成整改并通过复查" },
      actor: { kind: "member", member: s.m.admin },
      now: later,
    });
    expect(applied.ok).toBe(true);
    expect((await act(s, id, s.cookies.regulator, { intent: "GRANT_REPAIR", reasons: "", ...REPAIR_TICKED_FORM })).status).toBe(400);
    // Early removal is refused, with a field error per condition, until every condition is ticked with its evidence.
    const unticked = await act(s, id, s.cookies.regulator, { intent: "GRANT_REPAIR", reasons: "整改到位，准予修复", penaltyCarriedOut: "on", penaltyCarriedOutEvidence: "缴款凭证" });
    expect(unticked.status).toBe(400);
    expect((unticked.data as { errors: Record<string, string> }).errors).toMatchObject({
      harmRemedied: "credit.errors.repairConditionUnticked",
      noNewConduct: "credit.errors.repairConditionUnticked",
    });
    expect((unticked.data as { errors: Record<string, string> }).errors.penaltyCarriedOut).toBeUndefined();
    const noEvidence = await act(s, id, s.cookies.regulator, { intent: "GRANT_REPAIR", reasons: "整改到位，准予修复", ...REPAIR_TICKED_FORM, harmRemediedEvidence: " " });
    expect(noEvidence.status).toBe(400);
    expect((noEvidence.data as { errors: Record<string, string> }).errors).toEqual({ harmRemediedEvidence: "credit.errors.repairEvidenceRequired" });
    expect((await record(s, id)).state).toBe("published.repairRequested");
    expect((await act(s, id, s.cookies.regulator, { intent: "GRANT_REPAIR", reasons: "整改到位，准予修复", ...REPAIR_TICKED_FORM })).status).toBe(200);
    doc = await record(s, id);
    const shown = await callLoader(detailLoader, url, { slug: s.tenant.slug, id }, { cookie: s.cookies.regulator });
    expect((shown.data as { record: { repair: { checklist: Array<{ key: string }> } } }).record.repair.checklist.map((c) => c.key)).toEqual([
      "penaltyCarriedOut",
      "harmRemedied",
      "noNewConduct",
    ]);
    expect(doc.repair?.checklist).toEqual([
      { key: "penaltyCarriedOut", evidence: REPAIR_TICKED.penaltyCarriedOutEvidence },
      { key: "harmRemedied", evidence: REPAIR_TICKED.harmRemediedEvidence },
      { key: "noNewConduct", evidence: REPAIR_TICKED.noNewConductEvidence },
    ]);
    expect(doc).toMatchObject({ state: "removed.repaired", status: "removed", removalReason: "repaired" });
    expect(await isCreditListed({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, creditCode: s.enterprise.creditCode })).toBeNull();
    const decided = await OutboxMessage.find({ tenantId: s.tenant._id, template: "credit-repair-decided" }).lean();
    expect(decided.map((m) => m.data)).toEqual([{ recordId: id, subjectName: "成都某某化工有限公司", granted: true, reasons: "整改到位，准予修复" }]);
    expect(await OutboxMessage.countDocuments({ tenantId: s.tenant._id, template: "credit-removed" })).toBe(1);

    // The regulator's archive still lists it; RESTORE puts it back.
    const archive = await callLoader(listLoader, `/t/${s.tenant.slug}/credit?status=removed`, { slug: s.tenant.slug }, { cookie: s.cookies.regulator });
    expect((archive.data as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual([id]);
    expect((await act(s, id, s.cookies.regulator, { intent: "RESTORE", reasons: "修复材料系伪造" })).status).toBe(200);
    doc = await record(s, id);
    expect(doc.state).toBe("published.listed");
    expect(doc.history.map((h) => h.event)).toEqual([
      "CREATE",
      "SEND_NOTICE",
      "EFFECTS_APPLIED",
      "DEFENCE_RECEIVED",
      "DECIDE_LIST",
      "PUBLISH",
      "EFFECTS_APPLIED",
      "APPLY_REPAIR",
      "GRANT_REPAIR",
      "EFFECTS_APPLIED",
      "RESTORE",
      "EFFECTS_APPLIED",
    ]);
  });

  it("DROP ends a record; nothing is blocked", async () => {
    const s = await setup();
    const id = await newRecord(s);
    await act(s, id, s.cookies.regulator, { intent: "SEND_NOTICE", defenceDeadline: isoDay(new Date(Date.now() + 7 * DAY)) });
    expect((await act(s, id, s.cookies.regulator, { intent: "DROP", decisionText: "证据不足，不予列入" })).status).toBe(200);
    expect((await record(s, id)).state).toBe("dropped");
    expect((await act(s, id, s.cookies.regulator, { intent: "PUBLISH" })).status).toBe(409);
  });
});

describe("effects of publication", () => {
  it("a listing that arrives while an application is under review stops it; certificates are suspended; start and submit are refused", async () => {
    const s = await setup();
    const cert = await withCertificate(s);
    const appId = await underReview(s);
    const id = await newRecord(s);
    expect((await toPublished(s, id)).ok).toBe(true);

    const app = await getAssessment({ tenantId: s.tenant._id, id: appId });
    expect(app?.state).toBe("stopped");
    const stop = app?.history.at(-1);
    expect(stop).toMatchObject({ event: "CREDIT_LISTED", actorRole: "system", reason: "成都某某化工有限公司（成应急罚〔2026〕12号）" });

    const suspended = await Certificate.findOne({ tenantId: s.tenant._id, _id: cert._id }).lean();
    expect(suspended?.status).toBe("suspended");
    expect(suspended?.suspendedReason).toContain(id);
    expect(suspended?.history.at(-1)).toMatchObject({ action: "suspended" });

    const effects = (await record(s, id)).history.filter((h) => h.event === "EFFECTS_APPLIED").at(-1);
    expect(effects?.details).toMatchObject({ event: "PUBLISH", applications: [String(appId)], certificates: [String(cert._id)] });

    // Starting a new cycle is refused with the record named (data and route).
    const started = await startAssessment({
      tenantId: s.tenant._id,
      enterpriseId: s.enterprise._id,
      actor: { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" },
      cycle: "2027",
    });
    expect(started).toMatchObject({ ok: false, error: "creditListed", listing: { recordId: id } });
    const meta = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean();
    const viaRoute = await callAction(startAction, `/t/${s.tenant.slug}/assessments`, { slug: s.tenant.slug }, {
      cookie: s.cookies.admin,
      form: { intent: "start", cycle: "2027", rubricVersionId: String(meta?._id ?? new Types.ObjectId()) },
    });
    expect(viaRoute.status).toBe(409);
    expect(parseMsg((viaRoute.data as { errors: Record<string, string> }).errors._form ?? "")).toEqual({
      key: "credit.errors.listedCannotStart",
      params: { name: "成都某某化工有限公司（成应急罚〔2026〕12号）" },
    });

    // A draft made before the listing cannot be submitted.
    await Assessment.deleteOne({ tenantId: s.tenant._id, _id: appId });
    await CreditRecord.updateOne({ tenantId: s.tenant._id, _id: id }, { $set: { status: "removed" } });
    const draftId = await readyApplication(s, "2028");
    await CreditRecord.updateOne({ tenantId: s.tenant._id, _id: id }, { $set: { status: "published" } });
    const submit = await applyApplicationEvent({
      tenantId: s.tenant._id,
      applicationId: draftId,
      event: { type: "SUBMIT", appliedLevel: "qualified" },
      actor: { kind: "member", member: s.m.admin },
    });
    expect(submit.ok).toBe(false);
    expect(!submit.ok && "reasons" in submit ? submit.reasons : []).toContain("credit-listed");
    // The application page says why, naming the record.
    const appPage = await callLoader(applicationLoader, `/t/${s.tenant.slug}/applications/${String(draftId)}`, { slug: s.tenant.slug, id: String(draftId) }, { cookie: s.cookies.admin });
    expect((appPage.data as { page: { facts: { creditListing: string | null } | null } }).page.facts?.creditListing).toBe("成都某某化工有限公司（成应急罚〔2026〕12号）");
  });

  it("revokes certificates when the tenant says so", async () => {
    const s = await setup({ certificateEffect: "revoke" });
    const cert = await withCertificate(s);
    const id = await newRecord(s);
    expect((await toPublished(s, id)).ok).toBe(true);
    const revoked = await Certificate.findOne({ tenantId: s.tenant._id, _id: cert._id }).lean();
    expect(revoked?.status).toBe("revoked");
    expect(revoked?.revokedReason).toContain(id);
    // The listing is the stated ground, published with the certificate.
    expect(revoked?.revokedGrounds).toEqual(["seriousDishonest"]);
  });

  it("effects run twice, or redelivered after a crash, happen once", async () => {
    const s = await setup();
    const cert = await withCertificate(s);
    const appId = await underReview(s);
    const id = await newRecord(s);
    const reg = { kind: "member", member: s.m.regulator } as const;
    const now = new Date();
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "SEND_NOTICE", defenceDeadline: isoDay(new Date(now.getTime() + 7 * DAY)) }, actor: reg, now });
    const later = new Date(now.getTime() + 9 * DAY);
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "DECIDE_LIST", decisionText: "列入" }, actor: reg, now: later });
    // The request "crashes" after writing the state.
    const published = await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "PUBLISH" }, actor: reg, now: later, deferEffects: true });
    expect(published.ok).toBe(true);
    expect((await record(s, id)).effectsPending).toBe(true);
    expect((await getAssessment({ tenantId: s.tenant._id, id: appId }))?.state).toBe("underReview.reviewing");
    // The block already holds: it follows the status, not the effects.
    expect(await isCreditListed({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, creditCode: "" })).not.toBeNull();

    const [a, b] = await Promise.all([runCreditLifecycle({ now: later }), runCreditLifecycle({ now: later })]);
    expect(a.redelivered + b.redelivered).toBe(1);
    await runCreditLifecycle({ now: later });
    expect((await carryOutCreditEffects({ tenantId: s.tenant._id, id: new Types.ObjectId(id), now: later })).done).toBe(false);

    const doc = await record(s, id);
    expect(doc.effectsPending).toBe(false);
    expect(doc.history.filter((h) => h.event === "EFFECTS_APPLIED" && h.details?.event === "PUBLISH")).toHaveLength(1);
    const app = await getAssessment({ tenantId: s.tenant._id, id: appId });
    expect(app?.state).toBe("stopped");
    expect(app?.history.filter((h) => h.event === "CREDIT_LISTED")).toHaveLength(1);
    const c = await Certificate.findOne({ tenantId: s.tenant._id, _id: cert._id }).lean();
    expect(c?.history.filter((h) => h.action === "suspended")).toHaveLength(1);
    expect(await OutboxMessage.countDocuments({ tenantId: s.tenant._id, template: "credit-listed" })).toBe(1);
    expect(await OutboxMessage.countDocuments({ tenantId: s.tenant._id, template: "certificate-suspended" })).toBe(1);
  });

  it("the next transition after a crash first finishes the pending effects", async () => {
    const s = await setup();
    const appId = await underReview(s);
    const id = await newRecord(s);
    const reg = { kind: "member", member: s.m.regulator } as const;
    const now = new Date();
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "SEND_NOTICE", defenceDeadline: isoDay(new Date(now.getTime() + 7 * DAY)) }, actor: reg, now });
    const later = new Date(now.getTime() + 9 * DAY);
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "DECIDE_LIST", decisionText: "列入" }, actor: reg, now: later });
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "PUBLISH" }, actor: reg, now: later, deferEffects: true });
    const seen = (await record(s, id)).version;
    const applied = await applyCreditRecordEvent({
      tenantId: s.tenant._id,
      id,
      event: { type: "APPLY_REPAIR", statement: "已整改" },
      actor: { kind: "member", member: s.m.admin },
      expectedVersion: seen,
      now: addMonths(later, 12),
    });
    expect(applied.ok).toBe(true);
    expect((await getAssessment({ tenantId: s.tenant._id, id: appId }))?.state).toBe("stopped");
    const events = (await record(s, id)).history.map((h) => h.event);
    expect(events.slice(-3)).toEqual(["PUBLISH", "EFFECTS_APPLIED", "APPLY_REPAIR"]);
  });

  it("concurrent publication: one winner, effects once", async () => {
    const s = await setup();
    const cert = await withCertificate(s);
    const id = await newRecord(s);
    const reg = { kind: "member", member: s.m.regulator } as const;
    const now = new Date();
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "SEND_NOTICE", defenceDeadline: isoDay(new Date(now.getTime() + 7 * DAY)) }, actor: reg, now });
    const later = new Date(now.getTime() + 9 * DAY);
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "DECIDE_LIST", decisionText: "列入" }, actor: reg, now: later });
    const version = (await record(s, id)).version;
    const results = await Promise.all(
      [0, 1, 2].map(() => applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "PUBLISH" }, actor: reg, expectedVersion: version, now: later })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.status)).toEqual([409, 409]);
    const doc = await record(s, id);
    expect(doc.history.filter((h) => h.event === "PUBLISH")).toHaveLength(1);
    expect(doc.version).toBe(version + 2); // PUBLISH, then its effects marked done
    const c = await Certificate.findOne({ tenantId: s.tenant._id, _id: cert._id }).lean();
    expect(c?.history.filter((h) => h.action === "suspended")).toHaveLength(1);
  });
});

describe("the credit-lifecycle job, repair timing and removal", () => {
  it("marks the defence window passed only after the deadline; the regulator then decides", async () => {
    const s = await setup();
    const id = await newRecord(s);
    const now = new Date("2026-03-02T02:00:00Z");
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "SEND_NOTICE", defenceDeadline: "2026-03-09" }, actor: { kind: "member", member: s.m.regulator }, now });
    expect((await runCreditLifecycle({ now: new Date("2026-03-09T15:59:59.000Z") })).windowsPassed).toBe(0);
    expect((await record(s, id)).state).toBe("notified.awaiting");
    expect((await runCreditLifecycle({ now: new Date("2026-03-09T16:00:01.000Z") })).windowsPassed).toBe(1);
    const doc = await record(s, id);
    expect(doc.state).toBe("notified.windowPassed");
    expect(doc.history.at(-1)).toMatchObject({ event: "DEFENCE_WINDOW_PASSED", actor: { kind: "system" } });
    const late = await applyCreditRecordEvent({
      tenantId: s.tenant._id,
      id,
      event: { type: "DEFENCE_RECEIVED", statement: "迟到的申辩" },
      actor: { kind: "member", member: s.m.admin },
      now: new Date("2026-03-10T02:00:00Z"),
    });
    expect(late).toMatchObject({ ok: false, status: 422, reasons: ["deadline-passed"] });
    // …but the regulator decides now.
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "DECIDE_LIST", decisionText: "决定列入" }, actor: { kind: "member", member: s.m.regulator }, now: new Date("2026-03-10T02:00:00Z") })).ok).toBe(true);
  });

  it("repair is refused before 12 months and allowed after; expiry removes at endsAt and does not reinstate certificates; RESTORE re-blocks", async () => {
    const s = await setup();
    const cert = await withCertificate(s);
    const id = await newRecord(s);
    const t0 = new Date();
    expect((await toPublished(s, id, t0)).ok).toBe(true);
    const doc = await record(s, id);
    const listedAt = doc.listedAt ?? t0;
    const endsAt = doc.endsAt ?? t0;
    const admin = { kind: "member", member: s.m.admin } as const;
    const early = await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "APPLY_REPAIR", statement: "已整改" }, actor: admin, now: new Date(addMonths(listedAt, 12).getTime() - 1000) });
    expect(early).toMatchObject({ ok: false, status: 422, reasons: ["repair-too-early"] });
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "APPLY_REPAIR", statement: "已整改" }, actor: admin, now: addMonths(listedAt, 13) })).ok).toBe(true);
    expect(
      (await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "REFUSE_REPAIR", reasons: "整改不到位" }, actor: { kind: "member", member: s.m.regulator }, now: addMonths(listedAt, 13) })).ok,
    ).toBe(true);
    expect((await record(s, id)).state).toBe("published.listed");

    // Expiry at endsAt, not a moment before.
    // (The job is platform-wide: other tests' records may expire with it, so look at this one.)
    await runCreditLifecycle({ now: new Date(endsAt.getTime() - 1) });
    expect((await record(s, id)).state).toBe("published.listed");
    expect((await runCreditLifecycle({ now: endsAt })).expired).toBeGreaterThanOrEqual(1);
    expect(await record(s, id)).toMatchObject({ state: "removed.expired", removalReason: "expired" });
    expect(await isCreditListed({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, creditCode: s.enterprise.creditCode })).toBeNull();
    // The certificate stays suspended: the regulator decides on its page.
    expect((await Certificate.findOne({ tenantId: s.tenant._id, _id: cert._id }).lean())?.status).toBe("suspended");
    const removed = await OutboxMessage.find({ tenantId: s.tenant._id, template: "credit-removed" }).lean();
    expect(removed.map((m) => m.data)).toEqual([{ recordId: id, subjectName: "成都某某化工有限公司", removalReason: "expired" }]);

    // A second record, repaired then restored: RESTORE suspends the reinstated certificate again.
    await changeCertificateStatus({ tenantId: s.tenant._id, id: cert._id, change: "reinstate", reason: "期满移出，恢复", actor: { id: s.regulator.user._id, email: s.regulator.user.email } });
    const id2 = await newRecord(s, { penaltyDecisionNo: "成应急罚〔2026〕99号" });
    expect((await toPublished(s, id2)).ok).toBe(true);
    const listed2 = (await record(s, id2)).listedAt ?? new Date();
    const reg = { kind: "member", member: s.m.regulator } as const;
    await applyCreditRecordEvent({ tenantId: s.tenant._id, id: id2, event: { type: "APPLY_REPAIR", statement: "已整改" }, actor: admin, now: addMonths(listed2, 12) });
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id: id2, event: { type: "GRANT_REPAIR", reasons: "准予", ...REPAIR_TICKED }, actor: reg, now: addMonths(listed2, 12) })).ok).toBe(true);
    expect((await Certificate.findOne({ tenantId: s.tenant._id, _id: cert._id }).lean())?.status).toBe("suspended");
    await changeCertificateStatus({ tenantId: s.tenant._id, id: cert._id, change: "reinstate", reason: "修复后恢复", actor: { id: s.regulator.user._id, email: s.regulator.user.email } });
    expect(await isCreditListed({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, creditCode: "" })).toBeNull();
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id: id2, event: { type: "RESTORE", reasons: "修复材料造假" }, actor: reg, now: addMonths(listed2, 14) })).ok).toBe(true);
    expect(await isCreditListed({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, creditCode: "" })).toMatchObject({ recordId: id2 });
    expect((await Certificate.findOne({ tenantId: s.tenant._id, _id: cert._id }).lean())?.status).toBe("suspended");
  });

  it("the record page acts at the e2e server's moved clock (X-SafeGrade-Test-Now)", async () => {
    const s = await setup();
    const id = await newRecord(s);
    expect((await toPublished(s, id)).ok).toBe(true);
    const listedAt = (await record(s, id)).listedAt ?? new Date();
    const saved = { clock: process.env.SAFEGRADE_TEST_CLOCK, dir: process.env.E2E_DATA_DIR };
    process.env.SAFEGRADE_TEST_CLOCK = "1";
    process.env.E2E_DATA_DIR = "/tmp/credit-test-clock";
    try {
      const version = String((await record(s, id)).version);
      const url = `/t/${s.tenant.slug}/credit/${id}`;
      const form = { intent: "APPLY_REPAIR", statement: "已整改", version };
      const now = await callAction(detailAction, url, { slug: s.tenant.slug, id }, { cookie: s.cookies.admin, form });
      expect(now.status).toBe(422);
      const moved = await callAction(detailAction, url, { slug: s.tenant.slug, id }, {
        cookie: s.cookies.admin,
        form,
        headers: { "X-SafeGrade-Test-Now": addMonths(listedAt, 13).toISOString() },
      });
      expect(moved.status).toBe(200);
      expect((await record(s, id)).repair?.appliedAt?.toISOString()).toBe(addMonths(listedAt, 13).toISOString());
    } finally {
      if (saved.clock === undefined) delete process.env.SAFEGRADE_TEST_CLOCK;
      else process.env.SAFEGRADE_TEST_CLOCK = saved.clock;
      if (saved.dir === undefined) delete process.env.E2E_DATA_DIR;
      else process.env.E2E_DATA_DIR = saved.dir;
    }
  });

  it("links a record to an enterprise registered later", async () => {
    const s = await setup();
    const code = randomCreditCode();
    const id = await newRecord(s, { creditCode: code, subjectName: "尚未注册的公司" });
    expect((await record(s, id)).enterpriseId).toBeNull();
    const created = await createEnterpriseRecord({
      tenantId: s.tenant._id,
      fields: { name: "尚未注册的公司", creditCode: code, industry: "light", sizeClass: "micro", districtCode: "510104", address: "", contactName: "", contactPhone: "" },
      actor: { id: s.regulator.user._id, email: s.regulator.user.email },
      ip: "127.0.0.1",
    });
    expect(created.ok).toBe(true);
    expect((await record(s, id)).enterpriseId?.equals(created.ok ? created.enterprise._id : new Types.ObjectId())).toBe(true);
  });
});

describe("enterprise page panel and demo seed", () => {
  it("shows the enterprise's records to the regulator, and to the enterprise from the notice on", async () => {
    const s = await setup();
    const id = await newRecord(s);
    const url = `/t/${s.tenant.slug}/enterprises/${String(s.enterprise._id)}`;
    const params = { slug: s.tenant.slug, id: String(s.enterprise._id) };
    const panel = async (cookie: string) =>
      ((await callLoader(enterpriseLoader, url, params, { cookie })).data as { creditRecords: Array<{ id: string }> | null }).creditRecords;
    expect((await panel(s.cookies.regulator))?.map((r) => r.id)).toEqual([id]);
    expect(await panel(s.cookies.admin)).toEqual([]);
    await act(s, id, s.cookies.regulator, { intent: "SEND_NOTICE", defenceDeadline: isoDay(new Date(Date.now() + 7 * DAY)) });
    expect((await panel(s.cookies.admin))?.map((r) => r.id)).toEqual([id]);
  });

  it("seeds valid records in several states, none for the demo enterprises", async () => {
    const tenant = await createTenant();
    await seedDemoCreditRecords(tenant._id, null);
    const docs = await CreditRecord.find({ tenantId: tenant._id }).lean();
    expect(docs.map((d) => d.state).sort()).toEqual(["draft", "notified.awaiting", "published.listed", "published.listed", "removed.expired"]);
    for (const r of DEMO_CREDIT_RECORDS) expect(validateCreditCode(r.creditCode).ok).toBe(true);
    const demoCodes = new Set<string>(DEMO_ENTERPRISES.map((e) => e.creditCode));
    expect(DEMO_CREDIT_RECORDS.filter((r) => demoCodes.has(r.creditCode))).toEqual([]);
    for (const d of docs.filter((x) => x.status === "published")) {
      expect(d.listedYear).toBeGreaterThan(2000);
      expect(d.endsAt && d.listedAt && d.endsAt > d.listedAt).toBe(true);
      expect(d.search.code).toBe(d.creditCode);
    }
  });
});
