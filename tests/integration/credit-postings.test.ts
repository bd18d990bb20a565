/**
 * The registry's name index (decision 036) on the real database: postings follow publications
 * through publish, rename and removal; a search of 3+ characters is answered from one posting,
 * exactly also while changes wait for the writer; an overflowing gram falls back to the
 * publications' own `grams` read.
 */
import { type Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { Claim } from "../../models/claim";
import { CreditPosting, CreditPostingChange, CreditPostingRef } from "../../models/credit-posting";
import { CreditPublication } from "../../models/credit-publication";
import { CreditRecord } from "../../models/credit-record";
import { syncCreditPublication } from "~/data/credit-publication.server";
import { searchCreditRegistry } from "~/data/credit-registry.server";
import {
  creditPostingsJob,
  notePublicationChange,
  readPostingMatches,
  rebuildCreditPostings,
  runCreditPostings,
} from "~/data/credit/postings.server";
import { unpackEntries } from "~/lib/credit-postings";
import { createCreditRecord } from "../credit-fixtures";
import { createTenant } from "../factories";

const query = { q: "", condition: "", year: null, listType: "" as const, page: 1, pageSize: 20 };
const ALL = { tenantId: null, conditionKey: null, listedYear: null, listType: null };

const names = async (q: string, tenantId: Types.ObjectId | null = null) =>
  (await searchCreditRegistry({ query: { ...query, q }, tenantId })).items.map((i) => i.subjectName).sort();

const postingIds = async (gram: string) => unpackEntries((await CreditPosting.findById(gram).lean())?.d ?? "").map((e) => e.i).sort();

/** The publications lose their own `grams`: only the name index can still find a 3+ character name. */
const withoutPublicationGrams = () => CreditPublication.collection.updateMany({}, { $set: { grams: [] } });

describe("credit registry name index (postings)", () => {
  it("posts every published name under its grams and answers a search from the posting alone", async () => {
    const t = await createTenant({ slug: "postings-a" });
    const a = await createCreditRecord(t._id, { subjectName: "成都蜀新化工材料股份有限公司" });
    const b = await createCreditRecord(t._id, { subjectName: "绵阳蜀新化工有限公司" });
    await createCreditRecord(t._id, { subjectName: "成都锦城机械有限公司" });
    expect(await postingIds("蜀新化")).toEqual([String(a._id), String(b._id)].sort());
    expect((await CreditPostingRef.findById(a._id).lean())?.grams).toContain("蜀新化");
    expect(await CreditPostingChange.countDocuments()).toBe(0);
    await withoutPublicationGrams();
    expect(await names("蜀新化工")).toEqual(["成都蜀新化工材料股份有限公司", "绵阳蜀新化工有限公司"]);
    expect(await names("锦城机械")).toEqual(["成都锦城机械有限公司"]);
    expect(await names("蜀新工")).toEqual([]);
    // Two characters are below the index's grams: the emptied publication grams find nothing.
    expect(await names("蜀新")).toEqual([]);
    // The page's rows are the publications themselves, with every public field.
    const page = await searchCreditRegistry({ query: { ...query, q: "蜀新化工" }, tenantId: null });
    expect(page.total).toBe(2);
    expect(page.items[0]).toMatchObject({ subjectName: "绵阳蜀新化工有限公司", authority: "成都市应急管理局" });
  });

  it("follows a rename and a removal: old grams lose the entry, refs and postings are cleaned up", async () => {
    const t = await createTenant({ slug: "postings-b" });
    const r = await createCreditRecord(t._id, { subjectName: "德阳旌湖化工有限公司" });
    expect(await postingIds("旌湖化")).toEqual([String(r._id)]);
    await CreditRecord.updateOne({ _id: r._id, tenantId: t._id }, { $set: { subjectName: "德阳岷江化工有限公司" }, $inc: { version: 1 } });
    await syncCreditPublication({ tenantId: t._id, recordId: r._id });
    expect(await CreditPosting.findById("旌湖化").lean()).toBeNull();
    expect(await postingIds("岷江化")).toEqual([String(r._id)]);
    await withoutPublicationGrams();
    expect(await names("旌湖化工")).toEqual([]);
    expect(await names("岷江化工")).toEqual(["德阳岷江化工有限公司"]);
    await CreditRecord.updateOne({ _id: r._id, tenantId: t._id }, { $set: { status: "removed", state: "removed" }, $inc: { version: 1 } });
    expect(await syncCreditPublication({ tenantId: t._id, recordId: r._id })).toBe("deleted");
    expect(await CreditPosting.findById("岷江化").lean()).toBeNull();
    expect(await CreditPostingRef.findById(r._id).lean()).toBeNull();
    expect(await names("岷江化工")).toEqual([]);
  });

  it("is exact while changes wait for a busy writer, which applies them later", async () => {
    const t = await createTenant({ slug: "postings-c" });
    const kept = await createCreditRecord(t._id, { subjectName: "广元剑门建材有限公司" });
    const gone = await createCreditRecord(t._id, { subjectName: "广元剑门物流有限公司" });
    // Another instance holds the writer's lease: syncs leave their markers.
    await Claim.create({ _id: "credit-postings:writer", at: new Date(), owner: "other-instance" });
    const added = await createCreditRecord(t._id, { subjectName: "广元剑门化工有限公司" });
    await CreditRecord.updateOne({ _id: gone._id, tenantId: t._id }, { $set: { status: "removed", state: "removed" }, $inc: { version: 1 } });
    await syncCreditPublication({ tenantId: t._id, recordId: gone._id });
    expect(await runCreditPostings()).toEqual({ applied: 0, busy: true });
    expect(await CreditPostingChange.countDocuments()).toBe(2);
    // The posting still lists `gone` and not `added`; the answer is right anyway.
    expect(await postingIds("剑门物")).toEqual([String(gone._id)]);
    await withoutPublicationGrams();
    expect(await names("广元剑门")).toEqual(["广元剑门化工有限公司", "广元剑门建材有限公司"]);
    const matches = await readPostingMatches("广元剑门", ALL);
    expect(matches?.map((m) => String(m._id)).sort()).toEqual([String(kept._id), String(added._id)].sort());
    // The holder stops without releasing: after the lease time another writer takes over.
    await Claim.updateOne({ _id: "credit-postings:writer" }, { $set: { at: new Date(Date.now() - 60_000) } });
    expect(await creditPostingsJob()).toBe("applied 2");
    expect(await CreditPostingChange.countDocuments()).toBe(0);
    expect(await postingIds("剑门物")).toEqual([]);
    expect(await postingIds("剑门化")).toEqual([String(added._id)]);
    expect(await Claim.findById("credit-postings:writer").lean()).toBeNull();
  });

  it("keeps every entry when syncs of names sharing grams run at once", async () => {
    const t = await createTenant({ slug: "postings-d" });
    const records = await Promise.all(
      Array.from({ length: 6 }, (_, i) => createCreditRecord(t._id, { subjectName: `遂宁船山${"甲乙丙丁戊己"[i]}号厂` })),
    );
    await runCreditPostings();
    expect(await postingIds("遂宁船")).toEqual(records.map((r) => String(r._id)).sort());
    await withoutPublicationGrams();
    expect(await names("遂宁船山")).toHaveLength(6);
  });

  it("falls back to the publications' grams when every gram of the query overflows", async () => {
    const t = await createTenant({ slug: "postings-e" });
    await createCreditRecord(t._id, { subjectName: "眉山东坡酒业有限公司" });
    for (const gram of ["眉山东", "山东坡", "东坡酒", "坡酒业"]) await CreditPosting.replaceOne({ _id: gram }, { d: "", over: true });
    expect(await readPostingMatches("眉山东坡酒业", ALL)).toBeNull();
    expect(await names("眉山东坡酒业")).toEqual(["眉山东坡酒业有限公司"]);
    // One gram still listed is enough.
    await CreditPosting.deleteOne({ _id: "坡酒业" });
    expect(await readPostingMatches("眉山东坡酒业", ALL)).toEqual([]);
  });

  it("is built once from the publications, and rebuilt on request", async () => {
    const t = await createTenant({ slug: "postings-f" });
    const r = await createCreditRecord(t._id, { subjectName: "乐山嘉州陶瓷有限公司" });
    await CreditPosting.collection.drop();
    await CreditPostingRef.collection.drop();
    // A marker left behind is covered by the build.
    await notePublicationChange(r._id);
    expect(await rebuildCreditPostings()).toBe(true);
    expect(await postingIds("嘉州陶")).toEqual([String(r._id)]);
    expect(await CreditPostingChange.countDocuments()).toBe(0);
    await withoutPublicationGrams();
    expect(await names("嘉州陶瓷")).toEqual(["乐山嘉州陶瓷有限公司"]);
  });
});
