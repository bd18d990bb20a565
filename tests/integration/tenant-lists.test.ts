/**
 * The tenant lists served from cached rows (decision 031): a write shows on the very next list
 * request (the tenant's stamp is renewed by the write itself, so a second instance with its own
 * cache sees it too), district limits hold, and a warm list request sends a constant number of
 * database commands, whatever the number of enterprises.
 */
import mongoose, { type Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Enterprise } from "../../models/enterprise";
import { RubricVersion } from "../../models/rubric-version";
import { changeCertificateStatus, issueCertificateForApplication } from "~/data/certificates.server";
import { listCertificateLevels, listCertificates, listCertificatesWithLevels } from "~/data/certificates/queries.server";
import { applyCreditRecordEvent, createCreditDraft, listCreditRecords } from "~/data/credit-records.server";
import { enterpriseDirectoryTable } from "~/data/enterprise-directory.server";
import { createEnterprise as createEnterpriseRecord, listEnterprises, updateEnterprise } from "~/data/enterprises.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { clearTenantListCache, tenantListStamp } from "~/data/tenant-list-cache.server";
import { createEnterprise, createMember, createTenant, randomCreditCode } from "../factories";
import { memberOf } from "../grading-fixtures";

const DAY = 86_400_000;

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

async function world() {
  const tenant = await createTenant();
  const regulator = await createMember(tenant._id, "regulator");
  return { tenant, regulator, actor: { id: regulator.user._id, email: regulator.user.email } };
}

/** Database commands sent while `run` runs (the test setup turns command monitoring on). */
async function commandsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const client = mongoose.connection.getClient();
  const seen: string[] = [];
  const on = (e: { commandName: string }) => seen.push(e.commandName);
  client.on("commandStarted", on);
  try {
    await run();
  } finally {
    client.off("commandStarted", on);
  }
  return seen;
}

async function certifiedApplication(tenantId: Types.ObjectId, enterpriseId: Types.ObjectId, cycle: string) {
  const meta = await RubricVersion.findOne({ tenantId: null, key: "general-tier3" }).lean();
  if (!meta) throw new Error("rubric general-tier3 not imported");
  const pending = { level: "level3", appliedLevel: "level3", lowerLevel: false, issuedAt: new Date(Date.now() - 5 * DAY), certifiedBy: null, version: 12 };
  return Assessment.create({
    tenantId,
    enterpriseId,
    cycle,
    rubricVersionId: meta._id,
    rubricKey: meta.key,
    rubricVersion: meta.version,
    createdBy: enterpriseId,
    appliedLevel: "level3",
    state: "certified",
    pendingCertificate: pending,
    version: 12,
  });
}

const draft = (creditCode: string, subjectName: string) => ({
  subjectName,
  creditCode,
  subjectType: "enterprise",
  responsibleName: "张三",
  responsibleIdNumber: "510104198001011234",
  listType: "serious2023",
  conditionKey: "c2023_concealed_accident",
  facts: "瞒报一起生产安全事故。",
  legalBasis: "《安全生产严重失信主体名单管理办法》第七条",
  penaltyDecisionNo: "成应急罚〔2026〕12号",
  authority: "成都市应急管理局",
});

describe("enterprise list from cached rows", () => {
  it("shows a created and an edited enterprise on the next request, on this and on a second instance", async () => {
    const { tenant, actor } = await world();
    for (let i = 0; i < 3; i++) await createEnterprise(tenant._id, { name: `甲企业${i}有限公司` });
    const before = await listEnterprises({ tenantId: tenant._id });
    expect(before.total).toBe(3);
    const stamp = await tenantListStamp("enterprises", String(tenant._id));

    const fields = { name: "新建企业有限公司", creditCode: randomCreditCode(), industry: "machinery", sizeClass: "small", districtCode: "510105", address: "", contactName: "", contactPhone: "" } as const;
    const created = await createEnterpriseRecord({ tenantId: tenant._id, fields, actor, ip: "127.0.0.1" });
    if (!created.ok) throw new Error(`create failed: ${created.error}`);
    expect(await tenantListStamp("enterprises", String(tenant._id))).not.toBe(stamp);
    const after = await listEnterprises({ tenantId: tenant._id });
    expect(after.total).toBe(4);
    expect(after.items.map((e) => e.name)).toContain("新建企业有限公司");

    const doc = created.enterprise;
    const edited = await updateEnterprise({ tenantId: tenant._id, id: doc._id, expectedVersion: doc.version, fields: { ...fields, name: "改名后企业有限公司" }, actor, ip: "127.0.0.1" });
    expect(edited.ok).toBe(true);
    const renamed = await listEnterprises({ tenantId: tenant._id, q: "改名后" });
    expect(renamed.items.map((e) => e.name)).toEqual(["改名后企业有限公司"]);

    // A second instance (its own, empty cache) reads the same page.
    const warm = await listEnterprises({ tenantId: tenant._id });
    clearTenantListCache();
    expect(await listEnterprises({ tenantId: tenant._id })).toEqual(warm);
  });

  it("renews only the written tenant's stamp, and every tenant's when the tenant is unknown", async () => {
    const a = await world();
    const b = await world();
    await createEnterprise(a.tenant._id);
    await createEnterprise(b.tenant._id);
    const stampA = await tenantListStamp("enterprises", String(a.tenant._id));
    const stampB = await tenantListStamp("enterprises", String(b.tenant._id));
    await createEnterprise(b.tenant._id);
    expect(await tenantListStamp("enterprises", String(a.tenant._id))).toBe(stampA);
    expect(await tenantListStamp("enterprises", String(b.tenant._id))).not.toBe(stampB);

    // A cross-tenant write (a platform job) cannot name one tenant: every tenant's list reloads.
    const warmA = await tenantListStamp("enterprises", String(a.tenant._id));
    await Enterprise.updateMany({ status: "active" }, { $set: { contactName: "平台任务" } }).setOptions({ crossTenant: true });
    expect(await tenantListStamp("enterprises", String(a.tenant._id))).not.toBe(warmA);
    const table = await enterpriseDirectoryTable({ tenant: a.tenant, filters: {}, locale: "zh-CN" });
    expect(table.rows[0]).toContain("平台任务");
  });

  it("keeps filters, search, paging, totals and district limits", async () => {
    const { tenant } = await world();
    const docs = await Enterprise.insertMany(
      Array.from({ length: 45 }, (_, i) => ({
        tenantId: tenant._id,
        name: `${i % 2 ? "ABC" : "乙"}企业${String(i).padStart(2, "0")}有限公司`,
        creditCode: randomCreditCode(),
        industry: i % 3 === 0 ? "chemical" : "machinery",
        sizeClass: "small",
        districtCode: i % 5 === 0 ? "510105" : "510104",
      })),
    );
    const all = await listEnterprises({ tenantId: tenant._id, page: 3, pageSize: 20 });
    expect(all.total).toBe(45);
    expect(all.items).toHaveLength(5);
    const names = docs.map((d) => d.name).sort();
    expect(all.items.map((e) => e.name)).toEqual(names.slice(40));

    expect((await listEnterprises({ tenantId: tenant._id, q: "abc" })).total).toBe(22);
    expect((await listEnterprises({ tenantId: tenant._id, industry: "chemical" })).total).toBe(15);
    const code = docs[7]?.creditCode ?? "";
    const byCode = await listEnterprises({ tenantId: tenant._id, q: code.slice(0, 14).toLowerCase() });
    expect(byCode.items.map((e) => e.creditCode)).toContain(code);

    const limited = { districtCodes: ["510105"] };
    const own = await listEnterprises({ tenantId: tenant._id, scope: limited });
    expect(own.total).toBe(9);
    expect(own.items.every((e) => e.districtCode === "510105")).toBe(true);
    expect((await listEnterprises({ tenantId: tenant._id, scope: limited, districtCode: "510104" })).total).toBe(0);
    const exported = await enterpriseDirectoryTable({ tenant, filters: {}, locale: "zh-CN", scope: limited });
    expect(exported.rows).toHaveLength(9);
  });

  it("answers a warm list request with the same small number of commands for 50 and for 500 enterprises", async () => {
    const counts: number[] = [];
    for (const n of [50, 500]) {
      const { tenant } = await world();
      await Enterprise.insertMany(
        Array.from({ length: n }, (_, i) => ({ tenantId: tenant._id, name: `企业${i}有限公司`, creditCode: randomCreditCode(), industry: "machinery", sizeClass: "small", districtCode: "510104" })),
      );
      await listEnterprises({ tenantId: tenant._id });
      const sent = await commandsDuring(() => listEnterprises({ tenantId: tenant._id, q: "企业1", page: 2 }));
      // The tenant's stamp, by its `_id`.
      expect(sent).toEqual(["find"]);
      counts.push(sent.length);
    }
    expect(counts[0]).toBe(counts[1]);
  });
});

describe("certificate list from cached rows", () => {
  it("shows an issued and a revoked certificate on the next request, with the level options, in one command when warm", async () => {
    const { tenant, actor } = await world();
    const enterprise = await createEnterprise(tenant._id, { name: "证书企业有限公司", districtCode: "510105" });
    expect((await listCertificates({ tenantId: tenant._id })).total).toBe(0);
    expect(await listCertificateLevels({ tenantId: tenant._id })).toEqual([]);

    const app = await certifiedApplication(tenant._id, enterprise._id, "2026");
    const issued = await issueCertificateForApplication({ tenantId: tenant._id, applicationId: app._id });
    if (!issued.ok) throw new Error(`issue failed: ${issued.error}`);
    const list = await listCertificates({ tenantId: tenant._id });
    expect(list.items.map((c) => c.number)).toEqual([issued.certificate.number]);
    expect((await listCertificateLevels({ tenantId: tenant._id })).map((l) => l.key)).toEqual(["level3"]);
    expect((await listCertificates({ tenantId: tenant._id, filters: { scope: { districtCodes: ["510104"] } } })).total).toBe(0);

    const revoked = await changeCertificateStatus({ tenantId: tenant._id, id: issued.certificate._id, change: "revoke", reason: "事故", grounds: ["fatalAccident"], actor, now: new Date() });
    expect(revoked.ok).toBe(true);
    const filtered = await listCertificates({ tenantId: tenant._id, filters: { status: "revoked" } });
    expect(filtered.items.map((c) => c.status)).toEqual(["revoked"]);
    expect((await listCertificates({ tenantId: tenant._id, filters: { status: "active" } })).total).toBe(0);

    // The list page takes the page and the level options from one stamp check.
    const sent = await commandsDuring(async () => {
      const page = await listCertificatesWithLevels({ tenantId: tenant._id, filters: { q: "证书" } });
      expect(page.total).toBe(1);
      expect(page.levels.map((l) => l.key)).toEqual(["level3"]);
    });
    expect(sent).toEqual(["find"]);
  });
});

describe("credit list from cached rows", () => {
  it("shows a created and a published record on the next request; a district-limited regulator sees its districts only", async () => {
    const { tenant, regulator } = await world();
    const inside = await createEnterprise(tenant._id, { districtCode: "510104" });
    const outside = await createEnterprise(tenant._id, { districtCode: "510105" });
    const reg = memberOf(tenant._id, regulator.user, "regulator");
    expect((await listCreditRecords({ tenantId: tenant._id, member: reg, filters: {} })).total).toBe(0);

    const ids: string[] = [];
    for (const e of [inside, outside]) {
      const created = await createCreditDraft({ tenantId: tenant._id, member: reg, input: draft(e.creditCode, e.name) });
      if (!created.ok) throw new Error("draft failed");
      ids.push(created.id);
    }
    const drafts = await listCreditRecords({ tenantId: tenant._id, member: reg, filters: {} });
    expect(drafts.total).toBe(2);
    expect(drafts.years).toEqual([]);

    const now = new Date();
    const actor = { kind: "member", member: reg } as const;
    const id = ids[0] ?? "";
    const deadline = new Date(now.getTime() + 8 * 3_600_000 + 7 * DAY).toISOString().slice(0, 10);
    expect((await applyCreditRecordEvent({ tenantId: tenant._id, id, event: { type: "SEND_NOTICE", defenceDeadline: deadline }, actor, now })).ok).toBe(true);
    const later = new Date(now.getTime() + 9 * DAY);
    expect((await applyCreditRecordEvent({ tenantId: tenant._id, id, event: { type: "DECIDE_LIST", decisionText: "决定列入" }, actor, now: later })).ok).toBe(true);
    expect((await applyCreditRecordEvent({ tenantId: tenant._id, id, event: { type: "PUBLISH" }, actor, now: later })).ok).toBe(true);
    const published = await listCreditRecords({ tenantId: tenant._id, member: reg, filters: { status: "published" } });
    expect(published.items.map((r) => r.id)).toEqual([id]);
    expect(published.years).toHaveLength(1);
    expect(published.items[0]?.id).toBe(id);

    const limited = { ...reg, districtCodes: ["510104"] };
    const mine = await listCreditRecords({ tenantId: tenant._id, member: limited, filters: {} });
    expect(mine.items.map((r) => r.id)).toEqual([id]);

    // The enterprise sees its own record from the notice on, never the other one's draft.
    const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: outside._id });
    const own = await listCreditRecords({ tenantId: tenant._id, member: memberOf(tenant._id, admin.user, "enterprise_admin", outside._id), filters: {} });
    expect(own.total).toBe(0);

    const sent = await commandsDuring(() => listCreditRecords({ tenantId: tenant._id, member: limited, filters: { q: inside.name.slice(0, 4) } }));
    // Credit-record and enterprise stamps (district scope), one `_id` read each.
    expect(sent).toEqual(["find", "find"]);
  });
});
