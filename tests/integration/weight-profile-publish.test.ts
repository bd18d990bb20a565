/**
 * Weight profiles go draft → preview → publish like rubric versions: a rule must weigh an element,
 * item or tag that a published rubric has; errors are in words per row; title and description are
 * editable; a published profile is immutable.
 */
import type { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { WeightProfileModel } from "../../models/weight-profile";
import { importRubricFiles } from "~/data/rubrics.server";
import { action as profileAction, loader as profileLoader } from "~/routes/t.$slug.weights.$id";
import { action as listAction } from "~/routes/t.$slug.weights._index";
import { callAction, callLoader } from "../route-helpers";
import { cookieFor, createMember, createTenant } from "../factories";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

async function shippedProfileId(key: string): Promise<Types.ObjectId> {
  const doc = await WeightProfileModel.findOne({ tenantId: null, key }, { _id: 1 }).lean();
  if (!doc) throw new Error(`no shipped profile ${key}`);
  return doc._id;
}

type Row = { type: "tag" | "element" | "item"; target: string; weight: string };
function form(intent: string, revision: number, rows: Row[], extra: Record<string, string> = {}): Record<string, string> {
  const f: Record<string, string> = { intent, revision: String(revision), "title.zh": "本辖区权重（试行）", ...extra };
  rows.forEach((r, i) => {
    f[`rules.${i}.type`] = r.type;
    f[`rules.${i}.target`] = r.target;
    f[`rules.${i}.weight`] = r.weight;
  });
  return f;
}

type Issue = { path: string; row: number | null; message: string };
type View = {
  profile: { status: string; editable: boolean; revision: number; title: { zh: string }; description: { zh: string; en?: string } | null };
  preview: { chosen: string | null; shares: Array<{ id: string; before: number; after: number }> };
};

describe("weight profile: draft → preview → publish", () => {
  it("refuses rules for targets no rubric has, keeps edits as a draft until published, then is immutable", async () => {
    const tenant = await createTenant();
    const admin = await createMember(tenant._id, "tenant_admin");
    const cookie = await cookieFor(admin.user._id);
    const slug = tenant.slug;
    const cloned = await callAction(listAction, `/t/${slug}/weights`, { slug }, { cookie, form: { intent: "clone", id: String(await shippedProfileId("chengdu-2017")) } });
    expect(cloned.status).toBe(302);
    const id = cloned.location?.split("/").pop() ?? "";
    const post = (f: Record<string, string>) => callAction(profileAction, `/t/${slug}/weights/${id}`, { slug, id }, { cookie, form: f });
    const view = async (query = "") => (await callLoader(profileLoader, `/t/${slug}/weights/${id}${query}`, { slug, id }, { cookie })).data as View;

    // A clone starts as a draft, previewed against a published rubric.
    const first = await view();
    expect(first.profile).toMatchObject({ status: "draft", editable: true });
    expect(first.preview.shares.length).toBeGreaterThan(0);

    // E9 does not exist (the rubrics have E1–E8), nor does the tag: refused with words per row, nothing written.
    const refused = await post(form("save", 0, [
      { type: "element", target: "E9", weight: "2" },
      { type: "tag", target: "no-such-tag", weight: "1.5" },
      { type: "element", target: "E1", weight: "0" },
    ]));
    expect(refused.status).toBe(400);
    const issues = (refused.data as { issues: Issue[] }).issues;
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: "rules[2].weight", row: 2 })]));
    // The weight problem is found by the schema first; once fixed, the unknown targets are named.
    const refused2 = await post(form("save", 0, [
      { type: "element", target: "E9", weight: "2" },
      { type: "tag", target: "no-such-tag", weight: "1.5" },
      { type: "element", target: "E1", weight: "3" },
    ]));
    expect(refused2.status).toBe(400);
    const issues2 = (refused2.data as { issues: Issue[] }).issues;
    expect(issues2).toEqual([
      expect.objectContaining({ path: "rules[0].element", row: 0, message: 'unknown element "E9"' }),
      expect.objectContaining({ path: "rules[1].tag", row: 1, message: 'unknown tag "no-such-tag"' }),
    ]);
    expect((await WeightProfileModel.findById(id).lean())?.revision).toBe(0);

    // A valid edit with a new description: saved as a draft; the preview shows E1's larger share.
    const saved = await post(form("save", 0, [{ type: "element", target: "E1", weight: "3" }], { "description.zh": "提高目标职责要素的权重", "description.en": "E1 weighs more" }));
    expect(saved.status).toBe(200);
    const draft = await view();
    expect(draft.profile).toMatchObject({ status: "draft", revision: 1, title: { zh: "本辖区权重（试行）" }, description: { zh: "提高目标职责要素的权重", en: "E1 weighs more" } });
    const e1 = draft.preview.shares.find((s) => s.id === "E1");
    expect(e1?.after).toBeGreaterThan(e1?.before ?? Infinity);

    // Publish (stale revision refused), then it is immutable.
    expect((await post({ intent: "publish", revision: "0" })).status).toBe(409);
    expect((await post({ intent: "publish", revision: "1" })).status).toBe(200);
    const published = await view();
    expect(published.profile).toMatchObject({ status: "published", editable: false, revision: 2 });
    expect(await AuditEvent.countDocuments({ tenantId: tenant._id, action: "weights.published" })).toBe(1);
    const late = await post(form("save", 2, [{ type: "element", target: "E1", weight: "4" }]));
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.data)).toContain("weights.error.published");
    expect((await post({ intent: "publish", revision: "2" })).status).toBe(409);
  });
});
