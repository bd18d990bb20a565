/**
 * One real HTTP request through the production server (Express + the built app): the tenant
 * layout loader and the page loader share one resolution of tenant, session, user and access —
 * at most 4 request-path reads — and each of those reads is a filter of exactly `{ _id }`, which
 * FerretDB reports as pushed down (`filterPushdown: true`) on SQLite and on PostgreSQL alike
 * (decision 010).
 */
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../scripts/lib/app-process";
import { startHttpServer } from "../../scripts/lib/http-server";
import { cookieFor, createMember, createTenant } from "../factories";

const REQUEST_PATH = new Set(["sessions", "users", "member_access", "tenants", "tenant_slugs", "memberships"]);
type Op = { collection: string; method: string; filter: Record<string, unknown> };

let server: Awaited<ReturnType<typeof startHttpServer>> | null = null;

beforeAll(async () => {
  buildApp();
  server = await startHttpServer({ port: 0, host: "127.0.0.1" });
}, 120_000);

afterAll(async () => {
  mongoose.set("debug", false);
  await server?.close();
});

/** Every operation mongoose sends while `fn` runs. */
async function recordOps(fn: () => Promise<void>): Promise<Op[]> {
  const ops: Op[] = [];
  mongoose.set("debug", (collection: string, method: string, filter: unknown) => {
    ops.push({ collection, method, filter: (filter ?? {}) as Record<string, unknown> });
  });
  try {
    await fn();
  } finally {
    mongoose.set("debug", false);
  }
  return ops;
}

async function explain(op: Op): Promise<Record<string, unknown>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database");
  return (await db.collection(op.collection).find(op.filter).explain()) as Record<string, unknown>;
}

describe("request path over HTTP", () => {
  it.each([
    ["tenant home (document)", (slug: string) => `/t/${slug}`, "text/html"],
    ["applications list (document)", (slug: string) => `/t/${slug}/applications`, "text/html"],
    ["applications list (data request)", (slug: string) => `/t/${slug}/applications.data`, "*/*"],
  ])("%s: ≤ 4 request-path reads, each an _id lookup pushed down", async (_name, path, accept) => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(user._id);
    const url = `${server?.url}${path(tenant.slug)}`;
    let status = 0;
    let body = "";
    const ops = await recordOps(async () => {
      const res = await fetch(url, { headers: { cookie, accept } });
      status = res.status;
      body = await res.text();
    });
    expect(status).toBe(200);
    expect(body).toContain(tenant.name.zh);
    const reads = ops.filter((o) => REQUEST_PATH.has(o.collection));
    expect(reads.map((o) => o.collection).sort()).toEqual(["member_access", "sessions", "tenants", "users"]);
    for (const op of reads) {
      expect(op.method).toBe("findOne");
      expect(Object.keys(op.filter)).toEqual(["_id"]);
      expect((await explain(op)).filterPushdown, `${op.collection} ${JSON.stringify(op.filter)}`).toBe(true);
    }
  });

  it("a second request of the same user resolves again (nothing kept between requests)", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(user._id);
    const url = `${server?.url}/t/${tenant.slug}/applications`;
    for (let i = 0; i < 2; i++) {
      const ops = await recordOps(async () => {
        expect((await fetch(url, { headers: { cookie } })).status).toBe(200);
      });
      expect(ops.filter((o) => REQUEST_PATH.has(o.collection))).toHaveLength(4);
    }
  });
});
