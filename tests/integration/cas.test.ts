import { describe, expect, it } from "vitest";
import { Claim } from "../../models/claim";
import { Enterprise } from "../../models/enterprise";
import { casUpdate, claimOnce, STALE_CLAIM_MS } from "~/data/cas.server";
import { createEnterprise, createTenant } from "../factories";

describe("compare-and-set on the real database", () => {
  it("lets exactly one of many parallel writers with the same expected version win", async () => {
    const tenant = await createTenant();
    const e = await createEnterprise(tenant._id);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        casUpdate(Enterprise, { _id: e._id, tenantId: tenant._id, expectedVersion: 0 }, { $set: { contactName: `writer-${i}` } }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const after = await Enterprise.findOne({ tenantId: tenant._id, _id: e._id }).lean();
    expect(after?.version).toBe(1);
    expect(after?.contactName).toBe(`writer-${results.indexOf(true)}`);
  });

  it("chains versions: the next writer must expect the new version", async () => {
    const tenant = await createTenant();
    const e = await createEnterprise(tenant._id);
    expect(await casUpdate(Enterprise, { _id: e._id, tenantId: tenant._id, expectedVersion: 0 }, { $set: { address: "a" } })).toBe(true);
    expect(await casUpdate(Enterprise, { _id: e._id, tenantId: tenant._id, expectedVersion: 0 }, { $set: { address: "b" } })).toBe(false);
    expect(await casUpdate(Enterprise, { _id: e._id, tenantId: tenant._id, expectedVersion: 1 }, { $set: { address: "c" } })).toBe(true);
    expect((await Enterprise.findOne({ tenantId: tenant._id, _id: e._id }).lean())?.address).toBe("c");
  });

  it("frees the claim when a state guard fails, so a later valid writer can proceed", async () => {
    const tenant = await createTenant();
    const e = await createEnterprise(tenant._id);
    const guarded = await casUpdate(
      Enterprise,
      { _id: e._id, tenantId: tenant._id, expectedVersion: 0, extra: { status: "suspended" } },
      { $set: { address: "x" } },
    );
    expect(guarded).toBe(false);
    expect(await casUpdate(Enterprise, { _id: e._id, tenantId: tenant._id, expectedVersion: 0 }, { $set: { address: "y" } })).toBe(true);
  });

  it("recovers from a writer that crashed after claiming, once its claim is stale", async () => {
    const tenant = await createTenant();
    const e = await createEnterprise(tenant._id);
    const key = `enterprises:${String(e._id)}:v1`;
    expect(await claimOnce(key, new Date(Date.now() - STALE_CLAIM_MS - 1000))).toBe(true);
    expect(await casUpdate(Enterprise, { _id: e._id, tenantId: tenant._id, expectedVersion: 0 }, { $set: { address: "z" } })).toBe(true);
    expect(await Claim.countDocuments({ _id: key })).toBe(1);
  });

  it("does not take over a fresh claim", async () => {
    const tenant = await createTenant();
    const e = await createEnterprise(tenant._id);
    await claimOnce(`enterprises:${String(e._id)}:v1`);
    expect(await casUpdate(Enterprise, { _id: e._id, tenantId: tenant._id, expectedVersion: 0 }, { $set: { address: "z" } })).toBe(false);
  });
});
