/**
 * The public credit registry's search (decisions 012, 033) on the real database: every query is
 * top-level equality on `grams` / `codePrefixes` / `searchCode` / `listedMonth` (what FerretDB on
 * PostgreSQL pushes down and a MongoDB index serves), name candidates verified in Node.
 */
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { AppMigration } from "../../models/app-migration";
import { CreditPublication } from "../../models/credit-publication";
import { ensureCreditPublicationsCurrent } from "~/data/credit-publication.server";
import { registryCsvStream, searchCreditRegistry } from "~/data/credit-registry.server";
import { readNewestFirst, readTextMatches, registryPlan, walksMonthBuckets } from "~/data/credit/registry-search.server";
import { loader as apiLoader } from "~/routes/api.public.credit-records";
import { createCreditRecord } from "../credit-fixtures";
import { createTenant } from "../factories";
import { callLoader } from "../route-helpers";

const CODE = "91510100MA6CGUGA1W";
const query = { q: "", condition: "", year: null, listType: "" as const, page: 1, pageSize: 20 };

async function world() {
  const chengdu = await createTenant({ slug: "chengdu-g", zh: "成都市应急管理局" });
  const mianyang = await createTenant({ slug: "mianyang-g", zh: "绵阳市应急管理局" });
  await createCreditRecord(chengdu._id, { subjectName: "成都蜀新化工材料股份有限公司", creditCode: CODE });
  await createCreditRecord(chengdu._id, { subjectName: "Acme Safety Trading（成都）有限公司" });
  await createCreditRecord(chengdu._id, { subjectName: "成都锦城机械有限公司" });
  await createCreditRecord(mianyang._id, { subjectName: "绵阳蜀新化工有限公司" });
  return { chengdu, mianyang };
}

const names = async (q: string, tenantId: mongoose.Types.ObjectId | null = null) =>
  (await searchCreditRegistry({ query: { ...query, q }, tenantId })).items.map((i) => i.subjectName).sort();

describe("credit registry n-gram search", () => {
  it("finds Chinese names by any part, also a single character, per tenant and across tenants", async () => {
    const w = await world();
    expect(await names("蜀新化工")).toEqual(["成都蜀新化工材料股份有限公司", "绵阳蜀新化工有限公司"]);
    expect(await names("蜀")).toEqual(["成都蜀新化工材料股份有限公司", "绵阳蜀新化工有限公司"]);
    expect(await names("锦")).toEqual(["成都锦城机械有限公司"]);
    expect(await names("机械")).toEqual(["成都锦城机械有限公司"]);
    expect(await names("蜀新", w.mianyang._id)).toEqual(["绵阳蜀新化工有限公司"]);
    // All the query's grams are present ("蜀新", "化工") but not the query itself.
    expect(await names("蜀新工")).toEqual([]);
    // A long query: looked up by one gram, verified as a whole.
    expect(await names("成都蜀新化工材料股份有限公司")).toEqual(["成都蜀新化工材料股份有限公司"]);
    expect(await names("成都蜀新化工材料股份有限公司X")).toEqual([]);
  });

  it("finds mixed-case and full-width Latin names", async () => {
    await world();
    for (const q of ["acme", "ACME", "aCmE sAfEtY", "ｓａｆｅｔｙ", "Trading(成都", "e"]) {
      expect(await names(q), q).toContain("Acme Safety Trading（成都）有限公司");
    }
    expect(await names("acme trade")).toEqual([]);
  });

  it("finds a code exactly (one equality on searchCode) and by a prefix of 3 or more characters", async () => {
    await world();
    for (const q of [CODE, CODE.toLowerCase(), "９１５１０１００ＭＡ６ＣＧＵＧＡ１Ｗ"]) {
      expect(await names(q)).toEqual(["成都蜀新化工材料股份有限公司"]);
      expect(registryPlan({ ...query, q }, null).filter).toEqual({ searchCode: CODE });
    }
    expect(await names("91510100MA6C")).toEqual(["成都蜀新化工材料股份有限公司"]);
    // Inside the code, not at its start: not a code match.
    expect(await names("MA6CGU")).toEqual([]);
  });

  it("sends only top-level equality filters (no $regex, $or, $all, dot notation)", async () => {
    const w = await world();
    for (const q of ["", "蜀", "蜀新", "锦城机械", "acme", CODE, "915101"]) {
      const plan = registryPlan({ q, condition: "c2023_concealed_accident", year: 2025, listType: "serious2023" }, w.chengdu._id);
      for (const [key, value] of Object.entries({ ...plan.filter, ...plan.prefixFilter })) {
        expect(key.startsWith("$") || key.includes(".")).toBe(false);
        expect(value === null || typeof value !== "object" || value instanceof mongoose.Types.ObjectId).toBe(true);
      }
    }
    // The gram, prefix and month filters are served by the declared (multikey) indexes on MongoDB.
    const indexes = CreditPublication.schema.indexes().map(([fields]) => JSON.stringify(fields));
    expect(indexes).toEqual(
      expect.arrayContaining([
        '{"grams":1}',
        '{"tenantId":1,"grams":1}',
        '{"codePrefixes":1}',
        '{"tenantId":1,"codePrefixes":1}',
        '{"listedMonth":1,"listedAt":-1,"_id":-1}',
        '{"tenantId":1,"listedMonth":1,"listedAt":-1,"_id":-1}',
        '{"searchCode":1,"listedAt":-1,"_id":-1}',
        '{"tenantId":1,"searchCode":1,"listedAt":-1,"_id":-1}',
      ]),
    );
  });

  it("a search too common to read whole says so (truncated); the JSON API reports the flag", async () => {
    await world();
    // Two characters: below the name index's grams, so the publications' own grams are read.
    const plan = registryPlan({ ...query, q: "公司" }, null);
    if (!plan.verify) throw new Error("expected a text plan");
    const some = await readTextMatches({ ...plan, verify: plan.verify }, { subjectName: 1 }, 2);
    expect(some.truncated).toBe(true);
    const all = await readTextMatches({ ...plan, verify: plan.verify }, { subjectName: 1 });
    expect(all).toMatchObject({ truncated: false });
    expect(all.refs).toHaveLength(4);
    expect(await all.load(all.refs.slice(0, 2))).toHaveLength(2);
    const api = await callLoader(apiLoader, `/api/public/credit-records?q=${encodeURIComponent("蜀新")}`, {});
    expect(api.status).toBe(200);
    expect(api.data).toMatchObject({ total: 2, truncated: false });
  });

  it("start-up backfills the grams and the code of publications written before them, once", async () => {
    await world();
    await ensureCreditPublicationsCurrent();
    // Publications as an older version wrote them, and no mark.
    await CreditPublication.collection.updateMany({}, { $unset: { grams: "", searchCode: "", codePrefixes: "", listedMonth: "" } });
    await AppMigration.deleteMany({});
    expect(await names("蜀新")).toEqual([]);
    expect(await ensureCreditPublicationsCurrent()).toBe(true);
    expect(await names("蜀新")).toEqual(["成都蜀新化工材料股份有限公司", "绵阳蜀新化工有限公司"]);
    expect(await names(CODE)).toEqual(["成都蜀新化工材料股份有限公司"]);
    expect(await ensureCreditPublicationsCurrent()).toBe(false);
  });

  it("looks a code prefix up exactly (codePrefixes) and still finds code-like text in names", async () => {
    const w = await world();
    await createCreditRecord(w.chengdu._id, { subjectName: "ABC123 Logistics 有限公司" });
    // Eight or more characters with the division's six digits: only a code's start, one exact read.
    const plan = registryPlan({ ...query, q: "91510100ma6c" }, w.chengdu._id);
    expect(plan.filter).toEqual({ tenantId: w.chengdu._id, codePrefixes: "91510100MA6C" });
    expect(plan.prefixFilter).toBeNull();
    expect(await names("91510100MA6C", w.chengdu._id)).toEqual(["成都蜀新化工材料股份有限公司"]);
    // Shorter: the prefix read and the name read side by side.
    expect(registryPlan({ ...query, q: "915101" }, w.chengdu._id).prefixFilter).toEqual({ tenantId: w.chengdu._id, codePrefixes: "915101" });
    expect(await names("915101", w.chengdu._id)).toContain("成都蜀新化工材料股份有限公司");
    // Two characters: names only (no code prefix read).
    expect(registryPlan({ ...query, q: "91" }, null).prefixFilter).toBeNull();
    // Code-like, but in a name: the name read finds it.
    expect(await names("abc123")).toEqual(["ABC123 Logistics 有限公司"]);
    // Not a code's start, not in a name.
    expect(await names("MA6CGU")).toEqual([]);
  });

  it("at scale reads listings month by month newest first: every page, total and CSV as the sorted read", async () => {
    const chengdu = await createTenant({ slug: "chengdu-w", zh: "成都市应急管理局" });
    const deyang = await createTenant({ slug: "deyang-w", zh: "德阳市应急管理局" });
    const months = ["2017-03", "2019-11", "2023-01", "2023-01", "2024-06", "2025-02", "2025-02", "2025-12", "2026-01", "2026-07"];
    let n = 0;
    for (const month of months) {
      for (const tenant of [chengdu, deyang]) {
        n += 1;
        await createCreditRecord(tenant._id, {
          subjectName: `测试企业${n}有限公司`,
          listedAt: new Date(`${month}-15T0${n % 10}:00:00Z`),
          ...(n % 3 === 0 ? { listType: "dishonest2017" as const, conditionKey: "c2017_no_licence" } : {}),
        });
      }
    }
    const ids = (page: { items: Array<{ id: string }> }) => page.items.map((i) => i.id);
    for (const filter of [{}, { listType: "dishonest2017" as const }, { year: 2025 }, { year: 2018 }]) {
      for (const tenantId of [null, deyang._id]) {
        for (const page of [1, 2, 3, 5]) {
          const q = { ...query, ...filter, page, pageSize: 3 };
          const sorted = await searchCreditRegistry({ query: q, tenantId, walkFrom: Number.POSITIVE_INFINITY });
          const walked = await searchCreditRegistry({ query: q, tenantId, walkFrom: 0 });
          const label = JSON.stringify({ filter, tenantId, page });
          expect(ids(walked), label).toEqual(ids(sorted));
          expect(walked.total, label).toBe(sorted.total);
        }
      }
    }
    expect((await searchCreditRegistry({ query: { ...query, pageSize: 100 }, tenantId: null, walkFrom: 0 })).total).toBe(20);

    // A credit-code look-up (at most one match per city) is one indexed read, never a walk of ~130 buckets.
    expect(await walksMonthBuckets(registryPlan({ ...query, q: "" }, null).filter, 0)).toBe(true);
    expect(await walksMonthBuckets(registryPlan({ ...query, q: "91510100MA6CGUXXXX" }, null).filter, 0)).toBe(false);

    // The walk stops once it has enough: the newest year's buckets hold the first two.
    const firstTwo = await readNewestFirst({}, { _id: 1 }, 2, new Date("2026-08-01T00:00:00Z"));
    expect(firstTwo.complete).toBe(false);
    // The empty buckets ahead of today read 1, 2, 4 and 8 at a time; the last of those (2026-06
    // back from 2027-08) holds 2026-07's two, and the walk stops there.
    expect(firstTwo.docs.map((d) => d.listedAt?.toISOString().slice(0, 7))).toEqual(["2026-07", "2026-07"]);

    const csv = async (walkFrom: number, maxRows: number, year: number | null = null) => {
      const out = await registryCsvStream({ query: { ...query, year }, tenantId: null, locale: "zh-CN", maxRows, walkFrom });
      return { text: await new Response(out.stream).text(), total: out.total, truncated: out.truncated };
    };
    for (const [maxRows, year] of [[7, null], [50, null], [3, 2023]] as const) {
      const walked = await csv(0, maxRows, year);
      expect(walked).toEqual(await csv(Number.POSITIVE_INFINITY, maxRows, year));
    }
    expect(await csv(0, 7)).toMatchObject({ total: 20, truncated: true });
  });
});
