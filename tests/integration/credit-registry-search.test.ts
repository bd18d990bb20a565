/**
 * The public credit registry's n-gram search (decision 012) on the real database: every query is
 * top-level equality on `grams` / `searchCode` (what FerretDB on PostgreSQL pushes down and a
 * MongoDB multikey index serves), candidates verified in Node.
 */
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { CreditPublication } from "../../models/credit-publication";
import { ensureCreditPublicationsCurrent } from "~/data/credit-publication.server";
import { searchCreditRegistry } from "~/data/credit-registry.server";
import { readTextMatches, registryPlan } from "~/data/credit/registry-search.server";
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
      const { filter } = registryPlan({ q, condition: "c2023_concealed_accident", year: 2025, listType: "serious2023" }, w.chengdu._id);
      for (const [key, value] of Object.entries(filter)) {
        expect(key.startsWith("$") || key.includes(".")).toBe(false);
        expect(value === null || typeof value !== "object" || value instanceof mongoose.Types.ObjectId).toBe(true);
      }
    }
    // The gram filter is served by the declared multikey indexes on MongoDB.
    const indexes = CreditPublication.schema.indexes().map(([fields]) => JSON.stringify(fields));
    expect(indexes).toEqual(expect.arrayContaining(['{"grams":1}', '{"tenantId":1,"grams":1}', '{"searchCode":1,"listedAt":-1,"_id":-1}', '{"tenantId":1,"searchCode":1,"listedAt":-1,"_id":-1}']));
  });

  it("a search too common to read whole says so (truncated); the JSON API reports the flag", async () => {
    await world();
    const plan = registryPlan({ ...query, q: "有限公司" }, null);
    if (!plan.verify) throw new Error("expected a text plan");
    const some = await readTextMatches({ ...plan, verify: plan.verify }, { subjectName: 1 }, 2);
    expect(some.truncated).toBe(true);
    const all = await readTextMatches({ ...plan, verify: plan.verify }, { subjectName: 1 });
    expect(all).toMatchObject({ truncated: false });
    expect(all.docs).toHaveLength(4);
    const api = await callLoader(apiLoader, `/api/public/credit-records?q=${encodeURIComponent("蜀新")}`, {});
    expect(api.status).toBe(200);
    expect(api.data).toMatchObject({ total: 2, truncated: false });
  });

  it("start-up backfills the grams and the code of publications written before them, once", async () => {
    await world();
    await ensureCreditPublicationsCurrent();
    // Publications as an older version wrote them, and no mark.
    await CreditPublication.collection.updateMany({}, { $unset: { grams: "", searchCode: "" } });
    await mongoose.connection.db?.collection("app_migrations").deleteMany({});
    expect(await names("蜀新")).toEqual([]);
    expect(await ensureCreditPublicationsCurrent()).toBe(true);
    expect(await names("蜀新")).toEqual(["成都蜀新化工材料股份有限公司", "绵阳蜀新化工有限公司"]);
    expect(await names(CODE)).toEqual(["成都蜀新化工材料股份有限公司"]);
    expect(await ensureCreditPublicationsCurrent()).toBe(false);
  });
});
