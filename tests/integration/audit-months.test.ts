/**
 * The audit log at a city's size (decision 034): pages walk the month buckets newest first and
 * must show exactly what the sorted read shows; events from before the buckets are filled once;
 * the action filter's options come from `audit_actions`.
 */
import mongoose, { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { AppMigration } from "../../models/app-migration";
import { AuditEvent } from "../../models/audit-event";
import { ensureAuditLogCurrent, listAuditActions, listAuditEvents, recordAudit } from "~/data/audit.server";
import { chinaMonth } from "~/lib/month-buckets";
import { loader as auditLoader } from "~/routes/t.$slug.admin.audit";
import { callLoader } from "../route-helpers";
import { cookieFor, createMember, createTenant } from "../factories";

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const NOW = new Date("2026-12-05T10:00:00Z");

async function seed(tenantId: Types.ObjectId, count: number, actions: string[], offsetMinutes = 0) {
  for (let i = 0; i < count; i++) {
    // Every 3 days over ~13 months; pairs share an instant so the `_id` tie-break is exercised.
    await recordAudit({
      tenantId,
      action: actions[i % actions.length] ?? "login.success",
      at: new Date(START + Math.floor(i / 2) * 3 * DAY + offsetMinutes * 60_000),
      target: { type: "user", id: `u${i}`, label: `user${i}@example.com` },
    });
  }
}

const ids = (page: { items: Array<{ _id: Types.ObjectId }> }) => page.items.map((e) => String(e._id));

describe("audit log by month bucket", () => {
  it("walks to the same pages as the sorted read, per tenant and per action, and knows when there is more", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await seed(a._id, 130, ["login.success", "logout", "login.failure"]);
    await seed(b._id, 40, ["logout"], 7);
    expect(await ensureAuditLogCurrent()).toBe(true);

    for (const action of [undefined, "logout", "login.failure", "never.happened"]) {
      for (const page of [1, 2, 3, 4]) {
        const sorted = await listAuditEvents({ tenantId: a._id, action, page, walkFrom: Number.POSITIVE_INFINITY, now: NOW });
        const walked = await listAuditEvents({ tenantId: a._id, action, page, walkFrom: 0, now: NOW });
        expect(ids(walked), `${action} page ${page}`).toEqual(ids(sorted));
        expect(walked.hasMore, `${action} page ${page}`).toBe(sorted.hasMore);
        if (walked.total !== null) expect(walked.total).toBe(sorted.total);
      }
    }
    const first = await listAuditEvents({ tenantId: a._id, page: 1, walkFrom: 0, now: NOW });
    expect(first.items).toHaveLength(50);
    expect(first.hasMore).toBe(true);
    expect(first.items.every((e) => e.targetLabel.startsWith("user"))).toBe(true);
    const last = await listAuditEvents({ tenantId: a._id, page: 3, walkFrom: 0, now: NOW });
    expect(last.items.map((e) => e.targetLabel).at(-1)).toBe("user0@example.com");
    expect(last.hasMore).toBe(false);
    // Tenant b's 40 events never show in a's pages, and b's own walk reaches its end: exact total.
    const other = await listAuditEvents({ tenantId: b._id, page: 1, walkFrom: 0, now: NOW });
    expect(other.total).toBe(40);
    expect(other.hasMore).toBe(false);
    expect(await listAuditActions({ tenantId: a._id })).toEqual(["login.failure", "login.success", "logout"]);
    expect(await listAuditActions({ tenantId: b._id })).toEqual(["logout"]);
  });

  it("fills the month and the action list of events written before them, once; until then pages use the sorted read", async () => {
    const tenant = await createTenant();
    const legacy = Array.from({ length: 5 }, (_, i) => ({
      _id: new Types.ObjectId(),
      tenantId: tenant._id,
      at: new Date(START + i * 40 * DAY),
      action: "legacy.imported",
      actorId: null,
      actorEmail: "",
      ip: "",
      targetType: "",
      targetId: "",
      targetLabel: `legacy${i}`,
      details: {},
    }));
    await AuditEvent.collection.insertMany(legacy);
    await AppMigration.deleteOne({ _id: "audit-events:months-1" });

    const before = await listAuditEvents({ tenantId: tenant._id, page: 1, walkFrom: 0, now: NOW });
    expect(before.items.map((e) => e.targetLabel)).toEqual(["legacy4", "legacy3", "legacy2", "legacy1", "legacy0"]);
    expect(await listAuditActions({ tenantId: tenant._id })).toEqual([]);

    expect(await ensureAuditLogCurrent()).toBe(true);
    const stored = await AuditEvent.find({ tenantId: tenant._id }).lean();
    expect(stored.map((e) => e.month).sort()).toEqual(legacy.map((e) => chinaMonth(e.at)).sort());
    const after = await listAuditEvents({ tenantId: tenant._id, page: 1, walkFrom: 0, now: NOW });
    expect(after.items.map((e) => e.targetLabel)).toEqual(["legacy4", "legacy3", "legacy2", "legacy1", "legacy0"]);
    expect(after.total).toBe(5);
    expect(await listAuditActions({ tenantId: tenant._id })).toEqual(["legacy.imported"]);
    expect(await ensureAuditLogCurrent()).toBe(false);
  });

  it("the audit page of a large log offers the next page without counting it", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "tenant_admin");
    const cookie = await cookieFor(user._id);
    await ensureAuditLogCurrent();
    // The database passes the walk threshold (1,000 events); 60 of them are this tenant's.
    const elsewhere = new Types.ObjectId();
    await AuditEvent.insertMany(
      Array.from({ length: 1000 }, (_, i) => {
        const at = new Date(START + i * DAY);
        return { tenantId: elsewhere, at, month: chinaMonth(at), action: "login.success" };
      }),
    );
    await seed(tenant._id, 60, ["login.success"]);
    // The walk decision reads the storage statistics; `collStats` refreshes them (FerretDB: ANALYZE).
    await mongoose.connection.db?.command({ collStats: "audit_events" });
    const load = (query: string) =>
      callLoader(auditLoader, `/t/${tenant.slug}/admin/audit${query}`, { slug: tenant.slug }, { cookie });
    const first = (await load("")).data as { total: number | null; hasMore: boolean; items: Array<{ target: string }> };
    expect(first.items).toHaveLength(50);
    expect(first.items[0]?.target).toBe("user59@example.com");
    expect(first.hasMore).toBe(true);
    expect(first.total).toBeNull(); // walked: the log is not counted
    const second = (await load("?page=2")).data as { total: number | null; hasMore: boolean; items: Array<{ target: string }> };
    expect(second.items.map((e) => e.target).at(-1)).toBe("user0@example.com");
    expect(second.items).toHaveLength(10);
    expect(second.hasMore).toBe(false);
  });
});
