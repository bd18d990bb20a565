/**
 * The public read model `credit_publications` on the real database: it follows the record through
 * the real lifecycle (publish → in the registry; EXPIRE by the job, GRANT_REPAIR → gone; RESTORE →
 * back), never holds a non-public field or the full ID number, a crash between the record's write
 * and the sync is repaired by the credit-lifecycle job, and a repeated sync changes nothing.
 */
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { CreditPublication } from "../../models/credit-publication";
import { CreditRecord, type CreditRecordDoc } from "../../models/credit-record";
import { reconcileCreditPublications, syncCreditPublication } from "~/data/credit-publication.server";
import {
  applyCreditRecordEvent,
  createCreditDraft,
  runCreditLifecycle,
  type CreditMember,
} from "~/data/credit-records.server";
import { getPublicCreditRecord, searchCreditRegistry } from "~/data/credit-registry.server";
import { addMonths } from "~/lib/certificate";
import { creditGrams } from "~/lib/credit-grams";
import type { Role } from "~/lib/domain";
import { permissionsFor } from "~/lib/permissions";
import { createEnterprise, createMember, createTenant } from "../factories";
import { REPAIR_TICKED } from "../credit-fixtures";

const DAY = 24 * 60 * 60 * 1000;
const ID_NUMBER = "510104198001011234";

function memberOf(tenantId: Types.ObjectId, user: { _id: Types.ObjectId; email: string }, role: Role, enterpriseId: Types.ObjectId | null = null): CreditMember {
  return { tenantId, roles: [role], permissions: permissionsFor([role]), enterpriseId, user: { _id: user._id, email: user.email } };
}

async function setup() {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(tenant._id, { industry: "light", sizeClass: "micro" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  return {
    tenant,
    enterprise,
    reg: { kind: "member", member: memberOf(tenant._id, regulator.user, "regulator") } as const,
    admin: { kind: "member", member: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id) } as const,
  };
}
type Setup = Awaited<ReturnType<typeof setup>>;

let seq = 0;

async function newRecord(s: Setup): Promise<string> {
  seq += 1;
  const created = await createCreditDraft({
    tenantId: s.tenant._id,
    member: s.reg.member,
    input: {
      subjectName: `成都某某化工有限公司${seq}`,
      creditCode: s.enterprise.creditCode,
      subjectType: "enterprise",
      responsibleName: "张三",
      responsibleIdNumber: ID_NUMBER,
      listType: "serious2023",
      conditionKey: "c2023_concealed_accident",
      facts: "内部事实：2026年1月瞒报一起生产安全事故。",
      legalBasis: "《安全生产严重失信主体名单管理办法》第七条第（四）项",
      penaltyDecisionNo: `成应急罚〔2026〕${seq}号`,
      authority: "成都市应急管理局",
    },
  });
  if (!created.ok) throw new Error(`draft refused: ${JSON.stringify(created)}`);
  return created.id;
}

async function record(s: Setup, id: string): Promise<CreditRecordDoc> {
  const doc = await CreditRecord.findOne({ tenantId: s.tenant._id, _id: id }).lean<CreditRecordDoc>();
  if (!doc) throw new Error("record missing");
  return doc;
}

function isoDay(at: Date): string {
  return new Date(at.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** draft → notified → decided → published (PUBLISH at now + 9 days; `deferEffects` on PUBLISH). */
async function toPublished(s: Setup, id: string, now: Date, deferEffects = false) {
  const notice = await applyCreditRecordEvent({
    tenantId: s.tenant._id,
    id,
    event: { type: "SEND_NOTICE", defenceDeadline: isoDay(new Date(now.getTime() + 7 * DAY)) },
    actor: s.reg,
    now,
  });
  expect(notice.ok).toBe(true);
  const after = new Date(now.getTime() + 9 * DAY);
  expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "DECIDE_LIST", decisionText: "内部决定书：列入" }, actor: s.reg, now: after })).ok).toBe(true);
  const published = await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "PUBLISH" }, actor: s.reg, now: after, deferEffects });
  expect(published.ok).toBe(true);
  return after;
}

async function inRegistry(s: Setup, id: string): Promise<boolean> {
  const page = await searchCreditRegistry({
    query: { q: s.enterprise.creditCode, condition: "", year: null, listType: "", page: 1, pageSize: 100 },
    tenantId: s.tenant._id,
  });
  const listed = page.items.some((i) => i.id === id);
  const detail = await getPublicCreditRecord({ id, tenantId: null });
  expect(detail !== null).toBe(listed);
  return listed;
}

async function publication(id: string) {
  return CreditPublication.findOne({ _id: new Types.ObjectId(id) }).setOptions({ crossTenant: true }).lean();
}

describe("credit publications (public read model)", () => {
  it("holds the publishable fields only, and a repeated sync changes nothing", async () => {
    const s = await setup();
    const id = await newRecord(s);
    expect(await publication(id)).toBeNull();
    await toPublished(s, id, new Date());
    const doc = await record(s, id);
    expect(doc).toMatchObject({ status: "published", publicationPending: false, effectsPending: false });

    const pub = await publication(id);
    expect(pub).not.toBeNull();
    expect(Object.keys(pub ?? {}).sort()).toEqual(
      [
        "_id",
        "authority",
        "conditionKey",
        "creditCode",
        "endsAt",
        "legalBasis",
        "listType",
        "listedAt",
        "listedYear",
        "listedMonth",
        "codePrefixes",
        "penaltyDecisionNo",
        "responsiblePerson",
        "search",
        "searchCode",
        "grams",
        "subjectName",
        "subjectType",
        "tenantId",
        "version",
      ].sort(),
    );
    expect(pub).toMatchObject({
      tenantId: s.tenant._id,
      subjectName: doc.subjectName,
      creditCode: doc.creditCode,
      responsiblePerson: { name: "张三", idNumberMasked: "510104********1234" },
      listedAt: doc.listedAt,
      listedYear: doc.listedYear,
      endsAt: doc.endsAt,
      search: doc.search,
    });
    const text = JSON.stringify(pub);
    for (const secret of [ID_NUMBER, "内部事实", "内部决定书", "history", "facts", "decisionText", "defence", "repair"])
      expect(text).not.toContain(secret);

    // The registry shows it, with the same masked number it always showed.
    expect(await inRegistry(s, id)).toBe(true);
    expect((await getPublicCreditRecord({ id, tenantId: s.tenant._id }))?.responsiblePerson).toEqual({ name: "张三", idNumberMasked: "510104********1234" });

    // Idempotent: twice more, nothing written.
    expect(await syncCreditPublication({ tenantId: s.tenant._id, recordId: new Types.ObjectId(id) })).toBe("unchanged");
    expect(await syncCreditPublication({ tenantId: s.tenant._id, recordId: new Types.ObjectId(id) })).toBe("unchanged");
    expect(await publication(id)).toEqual(pub);
  });

  it("follows EXPIRE by the job, GRANT_REPAIR and RESTORE", async () => {
    const s = await setup();
    const expiring = await newRecord(s);
    await toPublished(s, expiring, new Date());
    const endsAt = (await record(s, expiring)).endsAt;
    if (!endsAt) throw new Error("no endsAt");
    expect(await inRegistry(s, expiring)).toBe(true);
    await runCreditLifecycle({ now: endsAt });
    expect((await record(s, expiring)).state).toBe("removed.expired");
    expect(await publication(expiring)).toBeNull();
    expect(await inRegistry(s, expiring)).toBe(false);

    const repaired = await newRecord(s);
    const listedAt = await toPublished(s, repaired, new Date());
    const later = addMonths(listedAt, 13);
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id: repaired, event: { type: "APPLY_REPAIR", statement: "已完成整改" }, actor: s.admin, now: later })).ok).toBe(true);
    expect(await inRegistry(s, repaired)).toBe(true);
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id: repaired, event: { type: "GRANT_REPAIR", reasons: "整改到位", ...REPAIR_TICKED }, actor: s.reg, now: later })).ok).toBe(true);
    expect((await record(s, repaired)).state).toBe("removed.repaired");
    expect(await publication(repaired)).toBeNull();
    expect(await inRegistry(s, repaired)).toBe(false);

    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id: repaired, event: { type: "RESTORE", reasons: "修复材料系伪造" }, actor: s.reg, now: later })).ok).toBe(true);
    expect((await record(s, repaired)).state).toBe("published.listed");
    expect(await inRegistry(s, repaired)).toBe(true);
    expect((await publication(repaired))?.version).toBe((await record(s, repaired)).version - 1);
  });

  it("repairs a crash between the record's write and the sync (credit-lifecycle job)", async () => {
    const s = await setup();
    const id = await newRecord(s);
    // The request "crashes" after writing the state.
    const at = await toPublished(s, id, new Date(), true);
    expect(await record(s, id)).toMatchObject({ status: "published", publicationPending: true, effectsPending: true });
    expect(await inRegistry(s, id)).toBe(false);

    const run = await runCreditLifecycle({ now: at });
    expect(run.redelivered).toBeGreaterThanOrEqual(1);
    expect(await record(s, id)).toMatchObject({ publicationPending: false, effectsPending: false });
    expect(await inRegistry(s, id)).toBe(true);

    // The same for a removal: the stale publication stays until the job runs.
    const later = addMonths(at, 13);
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "APPLY_REPAIR", statement: "已完成整改" }, actor: s.admin, now: later })).ok).toBe(true);
    expect((await applyCreditRecordEvent({ tenantId: s.tenant._id, id, event: { type: "GRANT_REPAIR", reasons: "整改到位", ...REPAIR_TICKED }, actor: s.reg, now: later, deferEffects: true })).ok).toBe(true);
    expect(await record(s, id)).toMatchObject({ status: "removed", publicationPending: true });
    expect(await inRegistry(s, id)).toBe(true);
    await runCreditLifecycle({ now: later });
    expect(await record(s, id)).toMatchObject({ publicationPending: false, effectsPending: false });
    expect(await inRegistry(s, id)).toBe(false);
  });

  it("a full reconcile rebuilds missing publications and drops stray ones", async () => {
    const s = await setup();
    const published = await newRecord(s);
    await toPublished(s, published, new Date());
    const draft = await newRecord(s);
    await CreditPublication.deleteOne({ _id: new Types.ObjectId(published), tenantId: s.tenant._id });
    // A stray publication of a record that is not published.
    const source = await record(s, draft);
    await CreditPublication.create({
      _id: source._id,
      tenantId: s.tenant._id,
      subjectName: source.subjectName,
      creditCode: source.creditCode,
      subjectType: source.subjectType,
      responsiblePerson: { name: "", idNumberMasked: "" },
      listType: source.listType,
      conditionKey: source.conditionKey,
      search: source.search,
      searchCode: source.search.code,
      grams: creditGrams(source.search.name),
      version: source.version,
    });
    expect(await inRegistry(s, published)).toBe(false);
    expect(await inRegistry(s, draft)).toBe(true);

    expect((await reconcileCreditPublications({ full: true })).synced).toBeGreaterThanOrEqual(2);
    expect(await inRegistry(s, published)).toBe(true);
    expect(await inRegistry(s, draft)).toBe(false);
    expect((await reconcileCreditPublications({ full: true })).synced).toBe(0);
  });
});
