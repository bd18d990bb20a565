/**
 * Review bodies and the expert register on the real database (Step 10, issue 14 item 1): the
 * tenant admin registers a body (credit-code checksum) and names its admin; the body admin
 * registers experts (account + reviewer role + expert record), deactivates them, declares
 * conflicts, imports a CSV/XLSX with row errors; pages are closed to other roles.
 */
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Expert } from "../../models/expert";
import { Membership } from "../../models/membership";
import { OutboxMessage } from "../../models/outbox-message";
import { ReviewBody } from "../../models/review-body";
import { User } from "../../models/user";
import { computeCheckCharacter } from "~/lib/credit-code";
import { action as expertsAction, loader as expertsLoader } from "~/routes/t.$slug.experts._index";
import { action as importAction } from "~/routes/t.$slug.experts.import";
import { loader as templateLoader } from "~/routes/t.$slug.experts.import-template[.csv]";
import { action as conflictsAction, loader as conflictsLoader } from "~/routes/t.$slug.conflicts";
import { loader as panelsLoader } from "~/routes/t.$slug.panels._index";
import { action as bodiesAction, loader as bodiesLoader } from "~/routes/t.$slug.review-bodies";
import { cookieFor, createEnterprise, createMember, createReviewBody, createTenant, randomCreditCode } from "../factories";
import { callAction, callLoader } from "../route-helpers";

async function setup() {
  const tenant = await createTenant();
  const tenantAdmin = await createMember(tenant._id, "tenant_admin");
  const regulator = await createMember(tenant._id, "regulator");
  const { body, admin } = await createReviewBody(tenant._id);
  return {
    tenant,
    slug: tenant.slug,
    body,
    adminCookie: await cookieFor(tenantAdmin.user._id),
    regulatorCookie: await cookieFor(regulator.user._id),
    bodyCookie: await cookieFor(admin.user._id),
  };
}

const wrongChecksum = (code: string) => {
  const body = code.slice(0, 17);
  return body + (computeCheckCharacter(body) === "1" ? "2" : "1");
};

describe("review bodies", () => {
  it("the tenant admin registers a body (checksum checked) and names its admin; regulators only read", async () => {
    const s = await setup();
    const url = `/t/${s.slug}/review-bodies`;
    const bad = await callAction(bodiesAction, url, { slug: s.slug }, {
      cookie: s.adminCookie,
      form: { intent: "create", name: "成都评审中心", creditCode: wrongChecksum(randomCreditCode()) },
    });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ ok: false, errors: { creditCode: expect.stringContaining("errors.creditCode.checksum") } });
    const code = randomCreditCode();
    const ok = await callAction(bodiesAction, url, { slug: s.slug }, {
      cookie: s.adminCookie,
      form: { intent: "create", name: "成都评审中心", creditCode: code, contactName: "李四", qualificationNote: "省厅备案" },
    });
    expect(ok.status).toBe(200);
    const body = await ReviewBody.findOne({ tenantId: s.tenant._id, creditCode: code }).lean();
    expect(body).toMatchObject({ name: "成都评审中心", active: true, qualificationNote: "省厅备案" });
    const dup = await callAction(bodiesAction, url, { slug: s.slug }, { cookie: s.adminCookie, form: { intent: "create", name: "重复", creditCode: code } });
    expect(dup).toMatchObject({ status: 409, data: { errors: { creditCode: "panel.errors.duplicateBody" } } });

    const added = await callAction(bodiesAction, url, { slug: s.slug }, {
      cookie: s.adminCookie,
      form: { intent: "addAdmin", reviewBodyId: String(body?._id), email: "new-body-admin@example.com", name: "赵六" },
    });
    expect(added.status).toBe(200);
    const user = await User.findOne({ email: "new-body-admin@example.com" }).lean();
    expect((await ReviewBody.findOne({ tenantId: s.tenant._id, _id: body?._id }).lean())?.adminUserIds.map(String)).toEqual([String(user?._id)]);
    expect(await Membership.countDocuments({ tenantId: s.tenant._id, userId: user?._id, role: "review_body_admin" })).toBe(1);
    expect(await OutboxMessage.countDocuments({ tenantId: s.tenant._id, template: "expert-registered", to: "new-body-admin@example.com" })).toBe(1);

    const deactivated = await callAction(bodiesAction, url, { slug: s.slug }, { cookie: s.adminCookie, form: { intent: "deactivate", reviewBodyId: String(body?._id) } });
    expect(deactivated.status).toBe(200);
    expect((await ReviewBody.findOne({ tenantId: s.tenant._id, _id: body?._id }).lean())?.active).toBe(false);
    expect(await AuditEvent.countDocuments({ tenantId: s.tenant._id, action: { $in: ["reviewBody.created", "reviewBody.adminAdded", "reviewBody.deactivated"] } })).toBe(3);

    const list = await callLoader(bodiesLoader, url, { slug: s.slug }, { cookie: s.regulatorCookie });
    expect(list.status).toBe(200);
    expect(list.data).toMatchObject({ canManage: false });
    const refused = await callAction(bodiesAction, url, { slug: s.slug }, { cookie: s.regulatorCookie, form: { intent: "create", name: "x", creditCode: randomCreditCode() } });
    expect(refused.status).toBe(403);
    expect(await callLoader(bodiesLoader, url, { slug: s.slug }, { cookie: s.bodyCookie })).toMatchObject({ status: 403 });
  });
});

describe("the expert register", () => {
  it("registers an expert (new account, reviewer role, expert record, mail), refuses duplicates, deactivates and records conflicts", async () => {
    const s = await setup();
    const url = `/t/${s.slug}/experts`;
    const form = (over: Record<string, string> = {}) => ({ intent: "add", name: "王建国", certificateNo: "SC-PS-2025-0001", email: "wang@example.com", phone: "13800000000", employer: "西南交大", specialties: "machinery", ...over });
    const missing = await callAction(expertsAction, url, { slug: s.slug }, { cookie: s.bodyCookie, form: form({ specialties: "", name: " " }) });
    expect(missing.status).toBe(400);
    expect(missing.data).toMatchObject({ errors: { name: "errors.required", specialties: "panel.errors.specialtyRequired" } });
    const ok = await callAction(expertsAction, url, { slug: s.slug }, { cookie: s.bodyCookie, form: form() });
    expect(ok.status).toBe(200);
    const user = await User.findOne({ email: "wang@example.com" }).lean();
    const expert = await Expert.findOne({ tenantId: s.tenant._id, userId: user?._id }).lean();
    expect(expert).toMatchObject({ name: "王建国", certificateNo: "SC-PS-2025-0001", specialties: ["machinery"], active: true });
    expect(String(expert?.reviewBodyId)).toBe(String(s.body._id));
    expect(await Membership.countDocuments({ tenantId: s.tenant._id, userId: user?._id, role: "reviewer" })).toBe(1);
    expect(await OutboxMessage.countDocuments({ tenantId: s.tenant._id, template: "expert-registered", to: "wang@example.com" })).toBe(1);

    const dupCert = await callAction(expertsAction, url, { slug: s.slug }, { cookie: s.bodyCookie, form: form({ email: "other@example.com" }) });
    expect(dupCert).toMatchObject({ status: 409, data: { errors: { certificateNo: "panel.errors.duplicateCertificate" } } });
    const again = await callAction(expertsAction, url, { slug: s.slug }, { cookie: s.bodyCookie, form: form({ certificateNo: "SC-PS-2025-0002" }) });
    expect(again).toMatchObject({ status: 409, data: { errors: { email: "panel.errors.alreadyExpert" } } });
    // One body per expert: another body's admin cannot register the same person.
    const other = await createReviewBody(s.tenant._id);
    const otherCookie = await cookieFor(other.admin.user._id);
    const otherBody = await callAction(expertsAction, url, { slug: s.slug }, { cookie: otherCookie, form: form({ certificateNo: "SC-PS-2025-0003" }) });
    expect(otherBody).toMatchObject({ status: 409, data: { errors: { email: "panel.errors.otherBody" } } });
    // ... nor deactivate it.
    expect((await callAction(expertsAction, url, { slug: s.slug }, { cookie: otherCookie, form: { intent: "deactivate", expertId: String(expert?._id) } })).status).toBe(404);

    expect((await callAction(expertsAction, url, { slug: s.slug }, { cookie: s.bodyCookie, form: { intent: "deactivate", expertId: String(expert?._id) } })).status).toBe(200);
    expect((await Expert.findOne({ tenantId: s.tenant._id, _id: expert?._id }).lean())?.active).toBe(false);

    const enterprise = await createEnterprise(s.tenant._id);
    const conflict = await callAction(expertsAction, url, { slug: s.slug }, { cookie: s.bodyCookie, form: { intent: "conflict", expertId: String(expert?._id), creditCode: enterprise.creditCode } });
    expect(conflict.status).toBe(200);
    expect((await Expert.findOne({ tenantId: s.tenant._id, _id: expert?._id }).lean())?.conflictEnterpriseIds.map(String)).toEqual([String(enterprise._id)]);
    const unknown = await callAction(expertsAction, url, { slug: s.slug }, { cookie: s.bodyCookie, form: { intent: "conflict", expertId: String(expert?._id), creditCode: randomCreditCode() } });
    expect(unknown).toMatchObject({ status: 404, data: { errors: { _form: "panel.errors.enterpriseNotFound" } } });

    const page = await callLoader(expertsLoader, url, { slug: s.slug }, { cookie: s.bodyCookie });
    expect(page.data).toMatchObject({ experts: [{ name: "王建国", active: false, openReviews: 0, conflicts: 1 }] });
    // Other roles do not get the page; the queue page is the body admin's.
    expect(await callLoader(expertsLoader, url, { slug: s.slug }, { cookie: s.regulatorCookie })).toMatchObject({ status: 403 });
    expect(await callLoader(panelsLoader, `/t/${s.slug}/panels`, { slug: s.slug }, { cookie: s.bodyCookie })).toMatchObject({ status: 200, data: { items: [] } });
  });
});

describe("an expert's own conflict declarations", () => {
  it("the expert declares an enterprise by credit code; a reviewer without an expert record cannot", async () => {
    const s = await setup();
    const reviewer = await createMember(s.tenant._id, "reviewer");
    const expert = await Expert.create({ tenantId: s.tenant._id, reviewBodyId: s.body._id, userId: reviewer.user._id, name: "刘洋", certificateNo: "C-1", email: "ly@example.com", specialties: ["light"] });
    const enterprise = await createEnterprise(s.tenant._id);
    const url = `/t/${s.slug}/conflicts`;
    const cookie = await cookieFor(reviewer.user._id);
    const bad = await callAction(conflictsAction, url, { slug: s.slug }, { cookie, form: { creditCode: wrongChecksum(enterprise.creditCode) } });
    expect(bad.status).toBe(400);
    const ok = await callAction(conflictsAction, url, { slug: s.slug }, { cookie, form: { creditCode: enterprise.creditCode } });
    expect(ok.status).toBe(200);
    expect((await Expert.findOne({ tenantId: s.tenant._id, _id: expert._id }).lean())?.conflictEnterpriseIds.map(String)).toEqual([String(enterprise._id)]);
    const page = await callLoader(conflictsLoader, url, { slug: s.slug }, { cookie });
    expect(page.data).toMatchObject({ registered: true, conflicts: [{ name: enterprise.name, creditCode: enterprise.creditCode }] });
    const plain = await createMember(s.tenant._id, "reviewer");
    const refused = await callAction(conflictsAction, url, { slug: s.slug }, { cookie: await cookieFor(plain.user._id), form: { creditCode: enterprise.creditCode } });
    expect(refused).toMatchObject({ status: 403, data: { errors: { _form: "panel.conflicts.notExpert" } } });
  });
});

type ImportBody =
  | { ok: false; fileError: string }
  | { ok: true; imported: number; skipped: number; blocked: boolean; total: number; errors: Array<{ row: number; field: string; message: string }>; errorCsv: string };

async function upload(slug: string, cookie: string, file: { name: string; body: Buffer | string }, validOnly = false) {
  const form = new FormData();
  form.set("file", new File([typeof file.body === "string" ? file.body : new Uint8Array(file.body)], file.name));
  if (validOnly) form.set("validOnly", "1");
  const request = new Request(`http://localhost:3000/t/${slug}/experts/import`, { method: "POST", body: form, headers: { Cookie: cookie, "x-sg-client-ip": "127.0.0.1" } });
  const result = await importAction({ request, params: { slug }, context: {} });
  const unwrapped = result instanceof Response ? { status: result.status, body: null } : { status: result.init?.status ?? 200, body: result.data as ImportBody };
  return unwrapped;
}

const HEADER = "姓名,评审员证书编号,邮箱,电话,工作单位,专业领域";
const csv = (lines: string[]) => `\uFEFF${[HEADER, ...lines].join("\r\n")}\r\n`;

describe("expert import", () => {
  it("reports every bad row by row and field, imports nothing, then imports the valid rows on request", async () => {
    const s = await setup();
    await Expert.create({ tenantId: s.tenant._id, reviewBodyId: s.body._id, userId: s.body._id, name: "已有", certificateNo: "TAKEN-1", email: "taken@example.com", specialties: ["light"] });
    const file = csv([
      "李雷,SC-1,lilei@example.com,139,成都大学,机械;轻工",
      "韩梅梅,SC-2,not-an-email,,,machinery",
      ",SC-3,x3@example.com,,,machinery",
      "张三,SC-4,z4@example.com,,,潜水",
      "李四,SC-1,l4@example.com,,,machinery",
      "王五,TAKEN-1,w5@example.com,,,machinery",
      "赵六,SC-6,z6@example.com,,,",
    ]);
    const blocked = await upload(s.slug, s.bodyCookie, { name: "experts.csv", body: file });
    expect(blocked.status).toBe(422);
    if (!blocked.body?.ok) throw new Error("expected a row report");
    expect(blocked.body).toMatchObject({ imported: 0, blocked: true, total: 7, skipped: 6 });
    expect(blocked.body.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [3, "email", "errors.email"],
      [4, "name", "errors.required"],
      [5, "specialties", "panel.errors.specialty"],
      [6, "certificateNo", "panel.import.duplicateInFile?row=2"],
      [7, "certificateNo", "panel.errors.duplicateCertificate"],
      [8, "specialties", "panel.errors.specialtyRequired"],
    ]);
    expect(blocked.body.errorCsv).toContain("与第 2 行重复");
    expect(await Expert.countDocuments({ tenantId: s.tenant._id })).toBe(1);

    const partial = await upload(s.slug, s.bodyCookie, { name: "experts.csv", body: file }, true);
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ ok: true, imported: 1, skipped: 6, blocked: false });
    const lilei = await Expert.findOne({ tenantId: s.tenant._id, certificateNo: "SC-1" }).lean();
    expect(lilei).toMatchObject({ name: "李雷", specialties: ["machinery", "light"], employer: "成都大学" });
  });

  it("reads XLSX, refuses files without the required columns or with too many rows, and serves a template", async () => {
    const s = await setup();
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet("experts");
    sheet.addRow(["name", "certificateNo", "email", "specialties"]);
    sheet.addRow(["Li Lei", "X-1", "x1@example.com", "commerce"]);
    const xlsx = Buffer.from(await book.xlsx.writeBuffer());
    expect(await upload(s.slug, s.bodyCookie, { name: "e.xlsx", body: xlsx })).toMatchObject({ status: 200, body: { ok: true, imported: 1 } });
    const noColumns = await upload(s.slug, s.bodyCookie, { name: "e.csv", body: "姓名,电话\r\n王,1\r\n" });
    expect(noColumns).toMatchObject({ status: 400, body: { ok: false, fileError: expect.stringContaining("dashboard.import.error.missingColumns") } });
    const many = csv(Array.from({ length: 501 }, (_, i) => `专家${i},N-${i},n${i}@example.com,,,machinery`));
    expect(await upload(s.slug, s.bodyCookie, { name: "many.csv", body: many })).toMatchObject({ status: 400, body: { ok: false, fileError: expect.stringContaining("dashboard.import.error.tooLarge") } });
    expect(await Expert.countDocuments({ tenantId: s.tenant._id })).toBe(1);
    const template = await callLoader(templateLoader, `/t/${s.slug}/experts/import-template.csv`, { slug: s.slug }, { cookie: s.bodyCookie });
    expect(template.status).toBe(200);
    expect(String(template.data)).toContain("评审员证书编号");
  });
});
