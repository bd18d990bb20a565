/**
 * The tenant admin's email pages: outbox list (status filter, pagination), detail with attempts,
 * retry and cancel (compare-and-set, audited), template previews, and the capture transport with
 * its page (development/test: no SMTP_URL → .eml files).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Types } from "mongoose";
import { afterAll, describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { OutboxMessage } from "../../models/outbox-message";
import { EMAIL_TEMPLATE_NAMES } from "../../emails/index";
import { runOutboxWorker } from "~/data/outbox-worker.server";
import { cancelQueuedEmail, enqueueEmail } from "~/data/outbox.server";
import { OUTBOX_PAGE_SIZE } from "~/lib/outbox";
import { loader as previewLoader } from "~/routes/t.$slug.admin.emails";
import { action as detailAction, loader as detailLoader } from "~/routes/t.$slug.admin.outbox.$id";
import { loader as listLoader } from "~/routes/t.$slug.admin.outbox._index";
import { loader as capturedLoader } from "~/routes/t.$slug.admin.outbox.captured";
import { cookieFor, createMember, createTenant } from "../factories";
import { callAction, callLoader } from "../route-helpers";

// Read by the app's environment on first use (after this module runs).
const captureDir = mkdtempSync(path.join(os.tmpdir(), "sg-mail-"));
process.env.MAIL_CAPTURE_DIR = captureDir;
afterAll(() => rmSync(captureDir, { recursive: true, force: true }));

async function setup() {
  const tenant = await createTenant();
  const { user: admin } = await createMember(tenant._id, "tenant_admin");
  const { user: regulator } = await createMember(tenant._id, "regulator");
  return { tenant, admin, cookie: await cookieFor(admin._id), regulatorCookie: await cookieFor(regulator._id) };
}

async function queue(tenantId: Types.ObjectId, key: string, now = new Date(), to = `${key}@example.com`) {
  await enqueueEmail({
    tenantId,
    idempotencyKey: key,
    template: "registration-refused",
    to,
    locale: "en",
    data: { registrationId: key, enterpriseName: `Ent <${key}>`, creditCode: "91510100MA6CXXXX0X", adminName: "Li", reason: "test" },
    now,
  });
  const doc = await OutboxMessage.findOne({ tenantId, idempotencyKey: key }).lean();
  if (!doc) throw new Error("not queued");
  return doc;
}

describe("outbox list and detail", () => {
  it("lists the tenant's emails with filters and pages; regulators are refused", async () => {
    const s = await setup();
    const other = await createTenant();
    await queue(other._id, "other-tenant");
    for (let i = 0; i < OUTBOX_PAGE_SIZE + 2; i += 1) await queue(s.tenant._id, `m${i}`);
    await OutboxMessage.updateOne({ tenantId: s.tenant._id, idempotencyKey: "m0" }, { $set: { status: "failed", lastError: "550 gone" } });
    const url = `/t/${s.tenant.slug}/admin/outbox`;
    const params = { slug: s.tenant.slug };

    const page1 = await callLoader(listLoader, url, params, { cookie: s.cookie });
    expect(page1.status).toBe(200);
    const d1 = page1.data as { total: number; items: Array<{ to: string; status: string }> };
    expect(d1.total).toBe(OUTBOX_PAGE_SIZE + 2);
    expect(d1.items).toHaveLength(OUTBOX_PAGE_SIZE);
    expect(d1.items.some((m) => m.to === "other-tenant@example.com")).toBe(false);
    const page2 = await callLoader(listLoader, `${url}?page=2`, params, { cookie: s.cookie });
    expect((page2.data as { items: unknown[] }).items).toHaveLength(2);

    const failed = await callLoader(listLoader, `${url}?status=failed`, params, { cookie: s.cookie });
    expect(failed.data).toMatchObject({ total: 1, items: [{ to: "m0@example.com", status: "failed", lastError: "550 gone" }] });
    expect((await callLoader(listLoader, `${url}?status=bogus`, params, { cookie: s.cookie })).status).toBe(400);
    expect((await callLoader(listLoader, url, params, { cookie: s.regulatorCookie })).status).toBe(403);
  });

  it("shows every attempt; retry (failed → pending) and cancel (pending → cancelled) by compare-and-set, audited", async () => {
    const s = await setup();
    const t = new Date("2026-06-01T00:00:00Z");
    const doc = await queue(s.tenant._id, "detail", t);
    const params = { slug: s.tenant.slug, id: String(doc._id) };
    const url = `/t/${s.tenant.slug}/admin/outbox/${String(doc._id)}`;

    // A permanent failure from the (capture) transport is simulated with a worker that cannot render:
    await OutboxMessage.updateOne({ _id: doc._id, tenantId: s.tenant._id }, { $set: { "data.reason": 42 } });
    await runOutboxWorker({ now: t });
    const page = await callLoader(detailLoader, url, params, { cookie: s.cookie });
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({
      message: { status: "failed", messageId: `<${String(doc._id)}@safegrade>`, attempts: [{ outcome: "failed" }] },
    });
    expect((page.data as { message: { lastError: string } }).message.lastError).toMatch(/invalid data/);

    // Cancel is refused for a failed message; retry puts it back, the attempt stays on record.
    const cancelFailed = await callAction(detailAction, url, params, { cookie: s.cookie, form: { intent: "cancel" } });
    expect(cancelFailed.status).toBe(400);
    expect(cancelFailed.data).toMatchObject({ errors: { _form: "email.errors.invalidState" } });
    await OutboxMessage.updateOne({ _id: doc._id, tenantId: s.tenant._id }, { $set: { "data.reason": "fixed" } });
    const retried = await callAction(detailAction, url, params, { cookie: s.cookie, form: { intent: "retry" } });
    expect(retried).toMatchObject({ status: 200, data: { notice: "email.outbox.retried" } });
    let row = await OutboxMessage.findOne({ _id: doc._id, tenantId: s.tenant._id }).lean();
    expect(row).toMatchObject({ status: "pending", countFrom: 1 });
    expect(row?.attempts).toHaveLength(1);

    // Now pending: cancel works, once.
    const [c1, c2] = await Promise.all([
      callAction(detailAction, url, params, { cookie: s.cookie, form: { intent: "cancel" } }),
      callAction(detailAction, url, params, { cookie: s.cookie, form: { intent: "cancel" } }),
    ]);
    // Exactly one wins; the other finds it cancelled (400) or loses the compare-and-set (409).
    const statuses = [c1.status, c2.status].sort();
    expect(statuses[0]).toBe(200);
    expect([400, 409]).toContain(statuses[1]);
    row = await OutboxMessage.findOne({ _id: doc._id, tenantId: s.tenant._id }).lean();
    expect(row?.status).toBe("cancelled");
    expect(await AuditEvent.countDocuments({ tenantId: s.tenant._id, action: "outbox.cancel" })).toBe(1);
    expect(await AuditEvent.countDocuments({ tenantId: s.tenant._id, action: "outbox.retry" })).toBe(1);
    // A cancelled message is not sent.
    expect((await runOutboxWorker({ now: new Date(t.getTime() + 3_600_000) })).claimed).toBe(0);

    // Bad intent, other tenant, regulator.
    expect((await callAction(detailAction, url, params, { cookie: s.cookie, form: { intent: "explode" } })).status).toBe(400);
    const stranger = await setup();
    expect((await callLoader(detailLoader, url, { slug: stranger.tenant.slug, id: String(doc._id) }, { cookie: stranger.cookie })).status).toBe(404);
    expect((await callAction(detailAction, url, params, { cookie: s.regulatorCookie, form: { intent: "retry" } })).status).toBe(403);
  });

  it("a revoked invitation's queued email is cancelled by compare-and-set", async () => {
    const s = await setup();
    await queue(s.tenant._id, "invitation:abc");
    expect(await cancelQueuedEmail({ tenantId: s.tenant._id, idempotencyKey: "invitation:abc" })).toBe(true);
    expect(await cancelQueuedEmail({ tenantId: s.tenant._id, idempotencyKey: "invitation:abc" })).toBe(false);
    expect((await OutboxMessage.findOne({ tenantId: s.tenant._id, idempotencyKey: "invitation:abc" }).lean())?.status).toBe("cancelled");
  });
});

describe("template previews", () => {
  it("renders every template in Chinese and English for tenant admins only", async () => {
    const s = await setup();
    const url = `/t/${s.tenant.slug}/admin/emails`;
    const res = await callLoader(previewLoader, url, { slug: s.tenant.slug }, { cookie: s.cookie });
    expect(res.status).toBe(200);
    const templates = (res.data as { templates: Array<{ name: string; renders: Array<{ locale: string; subject: string; html: string; text: string }> }> }).templates;
    expect(templates.map((t) => t.name)).toEqual([...EMAIL_TEMPLATE_NAMES]);
    for (const t of templates) {
      expect(t.renders.map((r) => r.locale)).toEqual(["zh-CN", "en"]);
      for (const r of t.renders) {
        expect(r.subject).not.toBe("");
        expect(r.html).toContain(r.locale === "en" ? s.tenant.name.en : s.tenant.name.zh);
        expect(r.text).toContain("http://localhost:3000/");
      }
    }
    expect((await callLoader(previewLoader, url, { slug: s.tenant.slug }, { cookie: s.regulatorCookie })).status).toBe(403);
  });
});

describe("mail capture (no SMTP_URL outside production)", () => {
  it("the worker writes .eml files through the outbox; the page lists the tenant's own and shows one", async () => {
    const s = await setup();
    const other = await setup();
    const t = new Date();
    await queue(s.tenant._id, "cap-1", t, "first@example.com");
    await queue(other.tenant._id, "cap-2", t, "theirs@example.com");
    const run = await runOutboxWorker({ now: t });
    expect(run.sent).toBeGreaterThanOrEqual(2);
    const files = readdirSync(captureDir);
    expect(files.some((f) => f.startsWith(String(s.tenant._id)))).toBe(true);
    const mine = files.find((f) => f.startsWith(String(s.tenant._id))) ?? "";
    expect(readFileSync(path.join(captureDir, mine), "utf8")).toMatch(/Message-ID: <[0-9a-f]{24}@safegrade>/i);
    expect((await OutboxMessage.findOne({ tenantId: s.tenant._id, idempotencyKey: "cap-1" }).lean())?.attempts[0]?.response).toMatch(/^captured /);

    const url = `/t/${s.tenant.slug}/admin/outbox/captured`;
    const params = { slug: s.tenant.slug };
    const list = await callLoader(capturedLoader, url, params, { cookie: s.cookie });
    expect(list.status).toBe(200);
    const mails = (list.data as { mails: Array<{ file: string; to: string; subject: string }> }).mails;
    expect(mails.map((m) => m.to)).toEqual(["first@example.com"]);
    const one = await callLoader(capturedLoader, `${url}?file=${encodeURIComponent(mails[0]?.file ?? "")}`, params, { cookie: s.cookie });
    expect(one.data).toMatchObject({ selected: { to: "first@example.com", subject: expect.stringContaining("Ent <cap-1>") } });
    expect((one.data as { selected: { html: string } }).selected.html).toContain("Ent &lt;cap-1&gt;");
    // Another tenant's file, path tricks, non-admins: 404/403.
    const theirs = files.find((f) => f.startsWith(String(other.tenant._id))) ?? "";
    expect((await callLoader(capturedLoader, `${url}?file=${encodeURIComponent(theirs)}`, params, { cookie: s.cookie })).status).toBe(404);
    expect((await callLoader(capturedLoader, `${url}?file=..%2F..%2Fetc%2Fpasswd`, params, { cookie: s.cookie })).status).toBe(404);
    expect((await callLoader(capturedLoader, url, params, { cookie: s.regulatorCookie })).status).toBe(403);
  });
});
