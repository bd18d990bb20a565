import type { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { AuditEvent } from "../../models/audit-event";
import { RubricVersion } from "../../models/rubric-version";
import { WeightProfileModel } from "../../models/weight-profile";
import type { RescorePreview } from "~/data/rubric-admin.server";
import { getWeightProfile, importRubricFiles, listWeightProfiles } from "~/data/rubrics.server";
import type { Rubric, RubricItem, WeightProfile } from "~/lib/rubric/schema";
import { action as rubricListAction } from "~/routes/t.$slug.rubrics._index";
import { loader as previewLoader } from "~/routes/t.$slug.rubrics.$id_.preview";
import { action as profileAction, loader as profileLoader } from "~/routes/t.$slug.weights.$id";
import { action as listAction, loader as listLoader } from "~/routes/t.$slug.weights._index";
import { callAction, callLoader } from "../route-helpers";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";

beforeEach(async () => {
  const report = await importRubricFiles();
  expect(report.errors).toEqual([]);
});

async function setup() {
  const tenant = await createTenant();
  const admin = await createMember(tenant._id, "tenant_admin");
  const regulator = await createMember(tenant._id, "regulator");
  return {
    tenant,
    slug: tenant.slug,
    admin: { ...admin, cookie: await cookieFor(admin.user._id) },
    regulator: { ...regulator, cookie: await cookieFor(regulator.user._id) },
  };
}

async function shippedProfileId(key: string): Promise<Types.ObjectId> {
  const doc = await WeightProfileModel.findOne({ tenantId: null, key }, { _id: 1 }).lean();
  if (!doc) throw new Error(`no shipped profile ${key}`);
  return doc._id;
}

type Row = { type: "tag" | "element" | "item"; target: string; weight: string };

function saveForm(revision: number, titleZh: string, rows: Row[]): Record<string, string> {
  const form: Record<string, string> = {
    intent: "save",
    revision: String(revision),
    "title.zh": titleZh,
  };
  rows.forEach((r, i) => {
    form[`rules.${i}.type`] = r.type;
    form[`rules.${i}.target`] = r.target;
    form[`rules.${i}.weight`] = r.weight;
  });
  return form;
}

function saveVia(slug: string, cookie: string, id: string, form: Record<string, string>) {
  return callAction(profileAction, `/t/${slug}/weights/${id}`, { slug, id }, { cookie, form });
}

function items(r: Rubric): RubricItem[] {
  return r.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));
}

/** round(num / den × 100, 1 decimal) half-up, on integers only. */
function expectedScore(num: bigint, den: bigint): number {
  const tenths = (num * 2000n + den) / (2n * den);
  return Number(tenths) / 10;
}

/**
 * The weighted formula done independently of the engine: per item an `item` rule, else the highest
 * matching `tag` rule, else an `element` rule, else 1; Σ(w·obtained) / Σ(w·applicable) × 100.
 * Weights in thousandths and points in hundredths, so everything is an exact integer.
 */
function weightedScore(
  rubric: Rubric,
  profile: WeightProfile | null,
  answers: Map<string, "full" | "none" | "na">,
): number {
  let num = 0n;
  let den = 0n;
  for (const element of rubric.elements) {
    for (const sub of element.subElements) {
      for (const item of sub.items) {
        let w: number | undefined;
        if (profile) {
          w = profile.rules.find((r) => r.item === item.id)?.weight;
          if (w === undefined) {
            const tagWeights = profile.rules
              .filter((r) => r.tag !== undefined && item.tags.includes(r.tag))
              .map((r) => r.weight);
            if (tagWeights.length > 0) w = Math.max(...tagWeights);
          }
          w ??= profile.rules.find((r) => r.element === element.id)?.weight;
        }
        const wT = BigInt(Math.round((w ?? 1) * 1000));
        const pointsH = BigInt(Math.round(item.points * 100));
        const answer = answers.get(item.id);
        if (answer === "na") continue;
        den += wT * pointsH;
        if (answer === "full") num += wT * pointsH;
      }
    }
  }
  return expectedScore(num, den);
}

describe("tenant weight profiles", () => {
  it("clones, edits with validation and compare-and-set, stays tenant-scoped, and drives the re-score preview", async () => {
    const { tenant, slug, admin, regulator } = await setup();
    const shippedId = await shippedProfileId("chengdu-2017");
    const shippedBefore = await WeightProfileModel.findById(shippedId).lean();

    // The list shows the shipped profile; the regulator may not manage weights.
    const list = await callLoader(
      listLoader,
      `/t/${slug}/weights`,
      { slug },
      { cookie: admin.cookie },
    );
    expect(list.status).toBe(200);
    expect(list.data).toMatchObject({
      profiles: expect.arrayContaining([
        expect.objectContaining({ key: "chengdu-2017", shipped: true }),
      ]),
    });
    expect(
      (await callLoader(listLoader, `/t/${slug}/weights`, { slug }, { cookie: regulator.cookie }))
        .status,
    ).toBe(403);

    // Shipped profiles are read-only.
    const shippedPage = await callLoader(
      profileLoader,
      `/t/${slug}/weights/${String(shippedId)}`,
      { slug, id: String(shippedId) },
      { cookie: admin.cookie },
    );
    expect(shippedPage.status).toBe(200);
    expect(shippedPage.data).toMatchObject({ profile: { key: "chengdu-2017", editable: false } });
    const shippedSave = await saveVia(
      slug,
      admin.cookie,
      String(shippedId),
      saveForm(0, "改", [{ type: "tag", target: "risk-management", weight: "9" }]),
    );
    expect(shippedSave.status).toBe(409);

    // Clone: a tenant-owned copy with the same rules.
    const cloned = await callAction(
      listAction,
      `/t/${slug}/weights`,
      { slug },
      { cookie: admin.cookie, form: { intent: "clone", id: String(shippedId) } },
    );
    expect(cloned.status).toBe(302);
    const id = cloned.location?.split("/").pop() ?? "";
    const doc0 = await WeightProfileModel.findById(id).lean();
    expect(doc0).toMatchObject({ key: "chengdu-2017-1", parentKey: "chengdu-2017", revision: 0 });
    expect(String(doc0?.tenantId)).toBe(String(tenant._id));
    expect(JSON.parse(doc0?.contentJson ?? "{}").rules).toEqual(
      JSON.parse(shippedBefore?.contentJson ?? "{}").rules,
    );
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "weights.cloned" }),
    ).toBe(1);
    // A key of one's own that a shipped profile already uses is refused.
    const taken = await callAction(
      listAction,
      `/t/${slug}/weights`,
      { slug },
      {
        cookie: admin.cookie,
        form: { intent: "clone", id: String(shippedId), key: "chengdu-2017" },
      },
    );
    expect(taken.status).toBe(409);

    // Edit valid: tag, element and item rules; an empty row is ignored.
    const rubricDoc = await RubricVersion.findOne({ tenantId: null, key: "general-tier3" }).lean();
    if (!rubricDoc) throw new Error("no general-tier3");
    const rubric = JSON.parse(rubricDoc.contentJson) as Rubric;
    const firstElement = rubric.elements[0]?.id ?? "";
    const lastElement = rubric.elements.at(-1)?.id ?? "";
    const someItem = items(rubric)[5]?.id ?? "";
    const validRows: Row[] = [
      { type: "tag", target: "risk-management", weight: "2" },
      { type: "tag", target: "", weight: "" },
      { type: "tag", target: "occupational-health", weight: "1.25" },
      { type: "element", target: firstElement, weight: "3" },
      { type: "element", target: lastElement, weight: "0.5" },
      { type: "item", target: someItem, weight: "0.125" },
    ];
    const saved = await saveVia(slug, admin.cookie, id, saveForm(0, "本辖区权重", validRows));
    expect(saved.status).toBe(200);
    expect(saved.data).toMatchObject({ ok: true, revision: 1 });
    const doc1 = await WeightProfileModel.findById(id).lean();
    expect(doc1?.revision).toBe(1);
    expect(doc1?.title.zh).toBe("本辖区权重");
    expect(JSON.parse(doc1?.contentJson ?? "{}").rules).toEqual([
      { tag: "risk-management", weight: 2 },
      { tag: "occupational-health", weight: 1.25 },
      { element: firstElement, weight: 3 },
      { element: lastElement, weight: 0.5 },
      { item: someItem, weight: 0.125 },
    ]);

    // Edit invalid: 400, JSON-path errors mapped back to the form rows, nothing written.
    const invalid = await saveVia(
      slug,
      admin.cookie,
      id,
      saveForm(1, "本辖区权重", [
        { type: "tag", target: "risk-management", weight: "abc" },
        { type: "tag", target: "", weight: "" },
        { type: "tag", target: "occupational-health", weight: "1" },
        { type: "tag", target: "occupational-health", weight: "2" },
      ]),
    );
    expect(invalid.status).toBe(400);
    const issues = (invalid.data as { issues: Array<{ path: string; row: number | null }> }).issues;
    expect(issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "rules[0].weight", row: 0 })]),
    );
    const emptyTitle = await saveVia(slug, admin.cookie, id, saveForm(1, "", validRows));
    expect(emptyTitle.status).toBe(400);
    expect(
      (emptyTitle.data as { issues: Array<{ path: string }> }).issues.map((i) => i.path),
    ).toContain("title.zh");
    const duplicate = await saveVia(
      slug,
      admin.cookie,
      id,
      saveForm(1, "本辖区权重", [
        { type: "tag", target: "occupational-health", weight: "1" },
        { type: "tag", target: "", weight: "" },
        { type: "tag", target: "occupational-health", weight: "2" },
      ]),
    );
    expect(duplicate.status).toBe(400);
    expect(
      (duplicate.data as { issues: Array<{ path: string; row: number | null }> }).issues,
    ).toEqual([expect.objectContaining({ path: "rules[1]", row: 2 })]);
    const doc1b = await WeightProfileModel.findById(id).lean();
    expect(doc1b).toMatchObject({ revision: 1, contentHash: doc1?.contentHash });

    // Compare-and-set: a stale revision is refused; of two writers at the same revision one wins.
    const stale = await saveVia(slug, admin.cookie, id, saveForm(0, "过期", validRows));
    expect(stale.status).toBe(409);
    const racers = await Promise.all(
      [0, 1, 2, 3].map((k) => saveVia(slug, admin.cookie, id, saveForm(1, `并发${k}`, validRows))),
    );
    expect(racers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(racers.filter((r) => r.status === 409)).toHaveLength(3);
    expect((await WeightProfileModel.findById(id).lean())?.revision).toBe(2);

    // Tenant B sees neither the profile nor its key; the regulator may not edit.
    const other = await createTenant();
    const otherAdmin = await createMember(other._id, "tenant_admin");
    const otherCookie = await cookieFor(otherAdmin.user._id);
    expect(
      (
        await callLoader(
          profileLoader,
          `/t/${other.slug}/weights/${id}`,
          { slug: other.slug, id },
          { cookie: otherCookie },
        )
      ).status,
    ).toBe(404);
    expect(
      (await saveVia(other.slug, otherCookie, id, saveForm(2, "别人的", validRows))).status,
    ).toBe(404);
    expect((await listWeightProfiles({ tenantId: other._id })).map((p) => p.key)).not.toContain(
      "chengdu-2017-1",
    );
    expect(await getWeightProfile({ key: "chengdu-2017-1", tenantId: other._id })).toBeNull();
    expect(await getWeightProfile({ key: "chengdu-2017-1" })).toBeNull();
    expect((await saveVia(slug, regulator.cookie, id, saveForm(2, "监管", validRows))).status).toBe(
      403,
    );
    expect((await WeightProfileModel.findById(id).lean())?.revision).toBe(2);
    // The shipped profile never changed.
    expect((await WeightProfileModel.findById(shippedId).lean())?.contentHash).toBe(
      shippedBefore?.contentHash,
    );

    // Re-score preview under a chosen profile: old and new equal the formula computed here.
    const tenantProfile = await getWeightProfile({ key: "chengdu-2017-1", tenantId: tenant._id });
    const chengdu = await getWeightProfile({ key: "chengdu-2017" });
    expect(tenantProfile?.rules).toHaveLength(5);
    const draftClone = await callAction(
      rubricListAction,
      `/t/${slug}/rubrics`,
      { slug },
      { cookie: admin.cookie, form: { intent: "clone", id: String(rubricDoc._id) } },
    );
    expect(draftClone.status).toBe(302);
    const draftId = draftClone.location?.split("/").pop() ?? "";
    const answers = new Map<string, "full" | "none" | "na">();
    items(rubric).forEach((item, k) => {
      if (item.veto) answers.set(item.id, "full");
      else if (k % 7 === 0 && item.naAllowed) answers.set(item.id, "na");
      else if (k % 3 === 0) answers.set(item.id, "none");
      else if (k % 11 !== 5) answers.set(item.id, "full");
      // else unanswered: applicable, 0 points
    });
    const enterprise = await createEnterprise(tenant._id, { name: "加权公司" });
    await Assessment.create({
      tenantId: tenant._id,
      enterpriseId: enterprise._id,
      cycle: "2026",
      state: "submitted",
      rubricVersionId: rubricDoc._id,
      rubricKey: rubricDoc.key,
      rubricVersion: rubricDoc.version,
      createdBy: admin.user._id,
      answers: [...answers].map(([itemId, choice]) => ({ itemId, choice })),
    });

    async function previewWith(weights: string | null): Promise<RescorePreview> {
      const query = weights === null ? "" : `?weights=${encodeURIComponent(weights)}`;
      const res = await callLoader(
        previewLoader,
        `/t/${slug}/rubrics/${draftId}/preview${query}`,
        { slug, id: draftId },
        { cookie: admin.cookie },
      );
      expect(res.status).toBe(200);
      return (res.data as { preview: RescorePreview }).preview;
    }
    const unweighted = weightedScore(rubric, null, answers);
    const withTenant = weightedScore(rubric, tenantProfile ?? null, answers);
    const withChengdu = weightedScore(rubric, chengdu ?? null, answers);
    expect(new Set([unweighted, withTenant, withChengdu]).size).toBe(3);

    for (const [param, expected, mode] of [
      [null, unweighted, "assessment"],
      ["none", unweighted, "none"],
      ["chengdu-2017", withChengdu, "profile"],
      ["chengdu-2017-1", withTenant, "profile"],
    ] as const) {
      const preview = await previewWith(param);
      expect(preview.weights.mode).toBe(mode);
      expect(preview.rows).toHaveLength(1);
      expect(preview.rows[0]?.before.score).toBe(expected);
      expect(preview.rows[0]?.after.score).toBe(expected);
    }

    // An unknown profile key (or another tenant's) is not found.
    const unknown = await callLoader(
      previewLoader,
      `/t/${slug}/rubrics/${draftId}/preview?weights=no-such-profile`,
      { slug, id: draftId },
      { cookie: admin.cookie },
    );
    expect(unknown.status).toBe(404);
  });
});
