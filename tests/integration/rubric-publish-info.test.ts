/**
 * The rubric publish dialog states what publishing changes (which version it replaces in the
 * enterprises' 开始自评 list, for how many enterprises) and a changed total must be confirmed.
 */
import type { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { RubricVersion } from "../../models/rubric-version";
import { importRubricFiles, listApplicableRubrics } from "~/data/rubrics.server";
import type { PublishInfo } from "~/lib/rubric/publish-impact";
import type { Rubric } from "~/lib/rubric/schema";
import { action as versionAction, loader as versionLoader } from "~/routes/t.$slug.rubrics.$id";
import { action as listAction } from "~/routes/t.$slug.rubrics._index";
import { callAction, callLoader } from "../route-helpers";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

async function shippedId(key: string): Promise<Types.ObjectId> {
  const doc = await RubricVersion.findOne({ tenantId: null, key }, { _id: 1 }).lean();
  if (!doc) throw new Error(`no shipped ${key}`);
  return doc._id;
}

async function clone(slug: string, cookie: string, id: string): Promise<string> {
  const res = await callAction(listAction, `/t/${slug}/rubrics`, { slug }, { cookie, form: { intent: "clone", id } });
  expect(res.status).toBe(302);
  const draftId = res.location?.split("/").pop();
  if (!draftId) throw new Error("no draft id");
  return draftId;
}

async function draftView(slug: string, cookie: string, id: string) {
  const res = await callLoader(versionLoader, `/t/${slug}/rubrics/${id}`, { slug, id }, { cookie });
  expect(res.status).toBe(200);
  return res.data as { publishInfo: PublishInfo | null; rubric: Rubric; version: { revision: number } };
}

function publish(slug: string, cookie: string, id: string, form: Record<string, string>) {
  return callAction(versionAction, `/t/${slug}/rubrics/${id}`, { slug, id }, { cookie, form: { intent: "publish", ...form } });
}

describe("publishing a tenant rubric says what it replaces", () => {
  it("names the system rubric it replaces and the enterprises it applies to; a changed total must be confirmed", async () => {
    const tenant = await createTenant();
    const admin = await createMember(tenant._id, "tenant_admin");
    const cookie = await cookieFor(admin.user._id);
    const slug = tenant.slug;
    await createEnterprise(tenant._id, { industry: "machinery", sizeClass: "medium" });
    await createEnterprise(tenant._id, { industry: "light", sizeClass: "micro" });
    await createEnterprise(tenant._id, { industry: "hazchem", sizeClass: "large" });

    const draftId = await clone(slug, cookie, String(await shippedId("general-tier3")));
    const view = await draftView(slug, cookie, draftId);
    expect(view.publishInfo).toMatchObject({
      replaces: [{ label: "general-tier3@2025.1", tenantOwned: false }],
      industries: ["*"],
      sizeClasses: ["large", "medium", "small", "micro"],
      enterpriseCount: 3,
      totalChange: null,
    });

    // Rename it and raise one item by 5 points: 1000 → 1005. The description's total follows.
    const edited = structuredClone(view.rubric);
    edited.title = { zh: "成都市工贸企业评分细则（2026）", en: "Chengdu industry and trade rubric (2026)" };
    const item = edited.elements[0]?.subElements[0]?.items[0];
    if (!item) throw new Error("no item");
    item.points += 5;
    edited.totalPoints = 1005;
    const saved = await callAction(versionAction, `/t/${slug}/rubrics/${draftId}`, { slug, id: draftId }, {
      cookie,
      form: { intent: "save", revision: "0", rubric: JSON.stringify(edited) },
    });
    expect(saved.status).toBe(200);
    const after = await draftView(slug, cookie, draftId);
    expect(after.rubric.title.zh).toBe("成都市工贸企业评分细则（2026）");
    expect(after.rubric.description?.zh).toContain("满分1005分");
    expect(after.publishInfo?.totalChange).toEqual({ from: 1000, to: 1005 });
    const doc = await RubricVersion.findOne({ tenantId: tenant._id, _id: draftId }).lean();
    expect(doc?.title.zh).toBe("成都市工贸企业评分细则（2026）");

    // Not confirmed, or confirmed with another number: 400, still a draft.
    const attempts: Array<Record<string, string>> = [{ revision: "1" }, { revision: "1", confirmTotal: "1000" }, { revision: "1", confirmTotal: "abc" }];
    for (const form of attempts) {
      const refused = await publish(slug, cookie, draftId, form);
      expect(refused.status).toBe(400);
      expect((await RubricVersion.findOne({ tenantId: tenant._id, _id: draftId }).lean())?.status).toBe("draft");
    }
    const published = await publish(slug, cookie, draftId, { revision: "1", confirmTotal: "1005" });
    expect(published.status).toBe(302);

    // What the dialog said: the machinery company's 开始自评 list now offers the tenant version, not the system one.
    const offered = await listApplicableRubrics({ tenantId: tenant._id, industry: "machinery", sizeClass: "medium" });
    expect(offered.map((r) => `${r.key}@${r.version}`)).toEqual([`general-tier3@2025.1-${slug}.1`]);

    // A copy of the tenant version replaces the tenant's own published version.
    const second = await clone(slug, cookie, draftId);
    expect((await draftView(slug, cookie, second)).publishInfo?.replaces).toEqual([
      expect.objectContaining({ label: `general-tier3@2025.1-${slug}.1`, tenantOwned: true }),
    ]);
  });
});
