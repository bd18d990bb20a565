/**
 * The regulator's application queues from the tenant's cached rows (decision 031, section
 * "Application rows"): a transition shows in the queues and counts on the next request (the write
 * renews the tenant's stamp, so another instance's cache is invalidated too), a district-limited
 * regulator sees only its districts, and a warm list request sends the same small number of
 * database commands with 20 and with 200 applications, none of them on `application_rows`.
 */
import mongoose, { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { ApplicationRow } from "../../models/application-row";
import { RubricVersion } from "../../models/rubric-version";
import { listApplicationQueues } from "~/data/grading-views.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { clearTenantListCache } from "~/data/tenant-list-cache.server";
import { createEnterprise, createTenant } from "../factories";
import { T0, days, expectOk, gradingSetup, readyApplication, send } from "../grading-fixtures";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

async function commandsDuring(run: () => Promise<unknown>): Promise<Array<{ name: string; collection: unknown }>> {
  const client = mongoose.connection.getClient();
  const seen: Array<{ name: string; collection: unknown }> = [];
  const on = (e: { commandName: string; command: Record<string, unknown> }) =>
    seen.push({ name: e.commandName, collection: e.command[e.commandName] });
  client.on("commandStarted", on);
  try {
    await run();
  } finally {
    client.off("commandStarted", on);
  }
  return seen;
}

/** `n` submitted rows (the list reads rows only), over a few enterprises. */
async function submittedRows(n: number) {
  const tenant = await createTenant();
  const meta = await RubricVersion.findOne({ tenantId: null, key: "general-tier3" }).lean();
  if (!meta) throw new Error("rubric general-tier3 not imported");
  const enterprises = await Promise.all([0, 1, 2].map(() => createEnterprise(tenant._id)));
  await ApplicationRow.insertMany(
    Array.from({ length: n }, (_, i) => ({
      _id: new Types.ObjectId(),
      tenantId: tenant._id,
      enterpriseId: enterprises[i % 3]?._id,
      districtCode: "",
      cycle: "2026",
      state: "submitted",
      appliedLevel: null,
      submittedAt: new Date(T0.getTime() + i * 1000),
      updatedAt: T0,
      deadlines: { acceptBy: days(10) },
      reviewerIds: [],
      rubricVersionId: meta._id,
      sourceUpdatedAt: T0,
    })),
  );
  return tenant;
}

describe("regulator's application queues from cached rows", () => {
  it("show a transition in the queue and its count on the next request, in this and a second instance", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    const acceptance = () => listApplicationQueues({ tenantId: s.tenant._id, queue: "acceptance", now: days(1) });
    expect((await acceptance()).counts.acceptance).toBe(0);

    await expectOk(await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    // Same process, cache warm before the write: the write renewed the stamp.
    const submitted = await acceptance();
    expect(submitted.counts.acceptance).toBe(1);
    expect(submitted.items.map((i) => i.id)).toEqual([String(app._id)]);
    expect(submitted.items[0]?.enterpriseName).toBe(s.enterprise.name);

    await expectOk(await send(s, app._id, s.m.regulator, { type: "ACCEPT" }, days(1)));
    const accepted = await acceptance();
    expect(accepted.counts.acceptance).toBe(0);
    expect(accepted.items).toEqual([]);

    // A second instance (an empty cache) reads the same.
    clearTenantListCache();
    const fresh = await acceptance();
    expect(fresh.counts).toEqual(accepted.counts);
    expect(fresh.total).toBe(0);
  });

  it("filters by the search box and overdue deadlines, and keeps a district-limited regulator in its districts", async () => {
    const tenant = await submittedRows(6);
    const rows = await ApplicationRow.find({ tenantId: tenant._id }).sort({ submittedAt: 1 }).lean();
    await ApplicationRow.updateOne({ tenantId: tenant._id, _id: rows[0]?._id }, { $set: { districtCode: "510104" } });
    await ApplicationRow.updateOne(
      { tenantId: tenant._id, _id: rows[1]?._id },
      { $set: { deadlines: { acceptBy: new Date(T0.getTime() - 1000) } } },
    );
    const limited = await listApplicationQueues({
      tenantId: tenant._id,
      queue: "acceptance",
      now: T0,
      scope: { districtCodes: ["510104"] },
    });
    expect(limited.items.map((i) => i.id)).toEqual([String(rows[0]?._id)]);
    expect(limited.counts.acceptance).toBe(1);
    const elsewhere = await listApplicationQueues({
      tenantId: tenant._id,
      queue: "acceptance",
      now: T0,
      scope: { districtCodes: ["510105"] },
    });
    expect(elsewhere.total).toBe(0);
    expect(elsewhere.counts.acceptance).toBe(0);

    const overdue = await listApplicationQueues({ tenantId: tenant._id, queue: "acceptance", overdue: "any", now: T0 });
    expect(overdue.items.map((i) => i.id)).toEqual([String(rows[1]?._id)]);

    const first = await listApplicationQueues({ tenantId: tenant._id, queue: "acceptance", now: T0 });
    expect(first.total).toBe(6);
    const name = first.items[0]?.enterpriseName ?? "";
    expect(name).not.toBe("");
    const searched = await listApplicationQueues({ tenantId: tenant._id, queue: "acceptance", q: name, now: T0 });
    expect(searched.total).toBe(2);
    expect(searched.items.every((i) => i.enterpriseName === name)).toBe(true);
  });

  it("sends the same small number of commands for a warm list with 20 and with 200 applications", async () => {
    const counts: number[] = [];
    for (const n of [20, 200]) {
      const tenant = await submittedRows(n);
      const list = () => listApplicationQueues({ tenantId: tenant._id, queue: "acceptance", pageSize: 50, now: T0 });
      const cold = await list();
      expect(cold.total).toBe(n);
      const warm = await commandsDuring(list);
      expect(warm.filter((c) => c.collection === "application_rows" || c.collection === "enterprises")).toEqual([]);
      counts.push(warm.length);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeLessThanOrEqual(6);
  });
});
