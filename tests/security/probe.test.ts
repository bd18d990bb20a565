/**
 * The project's own security probe. Against the real built app (tests/setup/global-security.ts) it
 * walks every page and resource route of the route table as anonymous, every demo role and an admin
 * of another tenant; GETs with hostile query parameters; POSTs malformed bodies of every content type,
 * cross-origin forms and hostile form values to every action and intent. It asserts: no status ≥ 500,
 * no marker of the other tenant's data in any response, no NUL or U+FFFD in any HTML, and no write
 * while requests are refused (collection hashes before and after). It prints the request count and
 * a histogram of statuses.
 */
import { createHash } from "node:crypto";
import mongoose from "mongoose";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../scripts/lib/seed";
import { createEnterprise, createMember, createTenant, TEST_PASSWORD } from "../factories";
import { readRouteTable, type RouteEntry } from "./route-table";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const origin = new URL(baseUrl).origin;
const MARKER = "LEAKMARK7F3A";
const OTHER_SLUG = "leakmark-other";

const HOSTILE = [
  `'"><script>alert(1)</script>`,
  `{"$gt":""}`,
  "../../etc/passwd",
  "x".repeat(10_000),
  "a\u0000b",
  "\u202Eevil\u202C",
  "__proto__",
  "-1",
  "Infinity",
  "1e308",
  "/%0d%0a/evil.example",
];

type Actor = { name: string; cookie: string };
type Outcome = { method: string; url: string; actor: string; status: number; note?: string };

const statuses = new Map<number, number>();
const failures: string[] = [];
let requests = 0;

function record(o: Outcome, body: string, contentType: string, checkLeak: boolean) {
  requests += 1;
  statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
  const where = `${o.method} ${o.url} as ${o.actor}${o.note ? ` (${o.note})` : ""}`;
  if (o.status >= 500) failures.push(`${o.status} ${where}`);
  if (checkLeak && body.includes(MARKER)) failures.push(`leak of the other tenant's data: ${where}`);
  if (contentType.includes("text/html") && (body.includes("\u0000") || body.includes("\uFFFD")))
    failures.push(`NUL/U+FFFD in HTML: ${where}`);
}

async function send(
  actor: Actor,
  method: string,
  path: string,
  init: { body?: BodyInit; headers?: Record<string, string>; note?: string; checkLeak?: boolean } = {},
): Promise<number> {
  const headers: Record<string, string> = { Origin: origin, Accept: "text/html", ...init.headers };
  if (actor.cookie) headers.Cookie = actor.cookie;
  let status = 0;
  let body = "";
  let type = "";
  try {
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: init.body, redirect: "manual" });
    status = res.status;
    type = res.headers.get("content-type") ?? "";
    const bytes = new Uint8Array(await res.arrayBuffer());
    body = type.startsWith("text/") || type.includes("json") || type.includes("csv") ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString("latin1");
  } catch (error) {
    status = 599;
    body = String(error);
  }
  record({ method, url: path, actor: actor.name, status, note: init.note }, body, type, init.checkLeak ?? actor.name !== "other-tenant");
  return status;
}

/** Runs tasks with bounded concurrency (the machine has two cores). */
async function pool(tasks: Array<() => Promise<unknown>>, width = 4) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        if (task) await task();
      }
    }),
  );
}

async function login(slug: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/t/${slug}/login`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, redirectTo: `/t/${slug}` }),
    redirect: "manual",
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__sg_session="));
  return cookie?.split(";")[0] ?? "";
}

const routes: RouteEntry[] = readRouteTable();
let actors: Actor[] = [];
const ids = new Map<string, string>();

/** Real ids of the demo tenant's documents, so that detail pages and actions reach their checks. */
async function collectIds(tenantId: mongoose.Types.ObjectId) {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database");
  const names = (await db.listCollections().toArray()).map((c) => c.name);
  const pick = async (key: string, match: (n: string) => boolean) => {
    for (const name of names.filter(match)) {
      const doc = await db.collection(name).findOne({ tenantId }, { projection: { _id: 1 } });
      if (doc) return ids.set(key, String(doc._id));
    }
  };
  await pick("assessments", (n) => n === "assessments");
  // Applications are assessments past the draft: the workflow actions only reach their checks there.
  const application = await db
    .collection("assessments")
    .findOne({ tenantId, state: { $nin: ["draft.editing", "draft.returned"] } }, { projection: { _id: 1 } });
  if (application) {
    ids.set("applications", String(application._id));
    ids.set("reviews", String(application._id));
    ids.set("panels", String(application._id));
  }
  await pick("certificates", (n) => n === "certificates");
  await pick("credit", (n) => n.startsWith("credit") && n.includes("record"));
  await pick("enterprises", (n) => n === "enterprises");
  await pick("rubrics", (n) => n.includes("rubric"));
  await pick("criteria", (n) => n.includes("rubric"));
  await pick("weights", (n) => n.includes("weight"));
  await pick("outbox", (n) => n.includes("outbox"));
}

/** Ids of the other tenant's application and credit record (copies of the demo's, named with the marker). */
const otherIds = new Map<string, string>();

async function otherTenantDocuments(
  chengdu: mongoose.Types.ObjectId,
  otherTenant: mongoose.Types.ObjectId,
  otherEnterprise: mongoose.Types.ObjectId,
) {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database");
  const application = await db.collection("assessments").findOne({ tenantId: chengdu, _id: new mongoose.Types.ObjectId(ids.get("applications")) });
  const record = await db.collection("credit_records").findOne({ tenantId: chengdu });
  if (!application || !record) throw new Error("demo application or credit record missing");
  const appId = new mongoose.Types.ObjectId();
  await db.collection("assessments").insertOne({ ...application, _id: appId, tenantId: otherTenant, enterpriseId: otherEnterprise, cycle: MARKER });
  const recordId = new mongoose.Types.ObjectId();
  await db.collection("credit_records").insertOne({ ...record, _id: recordId, tenantId: otherTenant, enterpriseId: otherEnterprise, subjectName: `${MARKER}化工有限公司`, status: "draft", state: "draft" });
  otherIds.set("applications", String(appId));
  otherIds.set("reviews", String(appId));
  otherIds.set("panels", String(appId));
  otherIds.set("credit", String(recordId));
}

/** Plausible values for every field a workflow event may carry (the stale version refuses them all). */
const EVENT_FIELDS: Record<string, string> = {
  version: "999999",
  reason: "测试原因",
  appliedLevel: "qualified",
  days: "10",
  recommendedLevel: "qualified",
  reviewerIds: "000000000000000000000000",
  defenceDeadline: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10),
  statement: "申辩陈述",
  decisionText: "决定文本",
  reasons: "理由",
};

function fillPath(route: RouteEntry, hostile = false): string {
  const parts = route.pattern.split("/");
  return parts
    .map((part, i) => {
      if (part === "*") return "no-such-page";
      if (!part.startsWith(":")) return part;
      const name = part.slice(1).replace(/\..*$/, "");
      const suffix = part.slice(1 + name.length);
      if (name === "slug") return "chengdu";
      if (hostile) return encodeURIComponent(HOSTILE[i % HOSTILE.length] ?? "x").slice(0, 200) + suffix;
      const owner = parts[i - 1] ?? "";
      return (ids.get(owner) ?? "000000000000000000000000") + suffix;
    })
    .join("/");
}

/** Collection hashes (sessions and rate-limit counters excepted: they count requests, not data). */
async function snapshot(): Promise<Record<string, string>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database");
  const out: Record<string, string> = {};
  for (const { name } of await db.listCollections().toArray()) {
    if (/session|rate|lock|job/i.test(name)) continue;
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    out[name] = createHash("sha256").update(JSON.stringify(docs)).digest("hex");
  }
  return out;
}

function truncatedMultipart(): { body: string; type: string } {
  const boundary = "----sgprobe";
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nsave\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 ${"x".repeat(3000)}`;
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

const MALFORMED: Array<{ note: string; body?: string; type?: string }> = [
  { note: "json", body: JSON.stringify({ intent: "save", email: { $gt: "" }, __proto__: { admin: true } }), type: "application/json" },
  { note: "text/plain", body: "intent=save\nemail=a@b.c", type: "text/plain" },
  { note: "empty, no type" },
  { note: "truncated multipart", ...truncatedMultipart() },
];

beforeAll(async () => {
  await mongoose.connect(databaseUri);
  // The tenant's name is public (tenant list, public registry); its enterprise and people are not.
  const other = await createTenant({ slug: OTHER_SLUG });
  const enterprise = await createEnterprise(other._id, { name: `${MARKER}化工有限公司` });
  const otherAdmin = await createMember(other._id, "tenant_admin", { email: `${MARKER.toLowerCase()}@other.example` });
  await createMember(other._id, "enterprise_admin", { enterpriseId: enterprise._id, email: `ent-${MARKER.toLowerCase()}@other.example` });
  await mongoose.connection.db?.collection("users").updateMany({ email: /leakmark/ }, { $set: { name: `${MARKER} 用户` } });
  const chengdu = await mongoose.connection.db?.collection("tenants").findOne({ slug: "chengdu" });
  if (!chengdu) throw new Error("demo tenant missing");
  await collectIds(chengdu._id as mongoose.Types.ObjectId);
  await otherTenantDocuments(chengdu._id as mongoose.Types.ObjectId, other._id, enterprise._id);
  const demo = async (name: string, email: string) => ({ name, cookie: await login("chengdu", email, DEMO_PASSWORD) });
  actors = [
    { name: "anonymous", cookie: "" },
    await demo("tenant-admin", "admin@demo.safegrade.cn"),
    await demo("regulator", "regulator@demo.safegrade.cn"),
    await demo("reviewer", "reviewer@demo.safegrade.cn"),
    await demo("enterprise-admin", "ent-admin@demo.safegrade.cn"),
    await demo("enterprise-member", "ent-member@demo.safegrade.cn"),
    await demo("platform-admin", "platform@demo.safegrade.cn"),
    { name: "other-tenant", cookie: await login(OTHER_SLUG, otherAdmin.user.email, TEST_PASSWORD) },
  ];
  expect(actors.filter((a) => a.name !== "anonymous" && a.name !== "platform-admin").every((a) => a.cookie)).toBe(true);
}, 120_000);

afterAll(async () => {
  const histogram = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(", ");
  process.stdout.write(`\nsecurity probe: ${requests} requests; statuses ${histogram}\n`);
  if (failures.length > 0) process.stdout.write(`failures:\n  ${failures.slice(0, 50).join("\n  ")}\n`);
  await mongoose.disconnect();
});

beforeEach(() => {
  failures.length = 0;
});

const actor = (name: string) => actors.find((a) => a.name === name) ?? { name, cookie: "" };

describe("security probe", () => {
  it("GET: every route as every actor, plain and with hostile parameters", async () => {
    const hostileQuery = `?${new URLSearchParams({ page: "Infinity", pageSize: "1e308", year: "-1", q: HOSTILE[0] ?? "", status: "__proto__", redirectTo: "/\t/evil.example", table: "../../etc/passwd", month: "9999-99" })}`;
    const tasks: Array<() => Promise<unknown>> = [];
    for (const route of routes) {
      for (const a of actors) tasks.push(() => send(a, "GET", fillPath(route)));
      for (const name of ["anonymous", "tenant-admin", "enterprise-admin"]) {
        tasks.push(() => send(actor(name), "GET", `${fillPath(route)}${hostileQuery}`, { note: "hostile query" }));
        if (route.params.length > 1) tasks.push(() => send(actor(name), "GET", fillPath(route, true), { note: "hostile params" }));
      }
    }
    await pool(tasks);
    expect(failures).toEqual([]);
  }, 240_000);

  it("POST: malformed bodies and cross-origin forms are refused and write nothing", async () => {
    const before = await snapshot();
    const tasks: Array<() => Promise<unknown>> = [];
    for (const route of routes.filter((r) => r.hasAction)) {
      const path = fillPath(route);
      for (const name of ["anonymous", "tenant-admin", "regulator", "enterprise-admin", "other-tenant"]) {
        for (const m of MALFORMED) {
          tasks.push(async () => {
            const status = await send(actor(name), "POST", path, { body: m.body, headers: m.type ? { "Content-Type": m.type } : {}, note: m.note });
            if (status < 300) failures.push(`accepted ${m.note}: POST ${path} as ${name} → ${status}`);
          });
        }
      }
      for (const intent of route.intents.length > 0 ? route.intents : [""]) {
        for (const name of ["tenant-admin", "enterprise-admin"]) {
          const form = new URLSearchParams({ intent, locale: "en", redirectTo: "/" });
          for (const field of route.fields) form.set(field, "1");
          tasks.push(async () => {
            const status = await send(actor(name), "POST", path, {
              body: form.toString(),
              headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://evil.example" },
              note: `cross-origin ${intent}`,
            });
            if (status !== 403) failures.push(`cross-origin POST ${path} intent=${intent} as ${name} → ${status}, expected 403`);
          });
        }
      }
    }
    await pool(tasks);
    const after = await snapshot();
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
    expect(changed, "collections written by refused requests").toEqual([]);
    expect(failures).toEqual([]);
  }, 240_000);

  it("workflow events: every event of both machines, as every actor and another tenant's user, stale or malformed, is refused without a write", async () => {
    const before = await snapshot();
    const tasks: Array<() => Promise<unknown>> = [];
    const eventRoutes = routes.filter((r) => r.events);
    expect(eventRoutes.map((r) => r.events?.machine).sort()).toEqual(["credit", "grading", "grading", "grading"]);
    for (const route of eventRoutes) {
      // "/t/:slug/<owner>/:id": the demo's id and the other tenant's copy.
      const owner = route.pattern.split("/")[3] ?? "";
      const own = fillPath(route);
      const otherId = otherIds.get(owner) ?? "";
      const targets = [
        { path: own, note: "own tenant" },
        { path: own.replace(ids.get(owner) ?? "-", otherId), note: "other tenant's id" },
        { path: own.replace(ids.get(owner) ?? "-", otherId).replace("/t/chengdu/", `/t/${OTHER_SLUG}/`), note: "other tenant's URL" },
      ];
      for (const type of route.events?.types ?? []) {
        for (const a of actors) {
          for (const target of targets) {
            const form = new URLSearchParams({ intent: type, ...EVENT_FIELDS });
            tasks.push(async () => {
              const status = await send(a, "POST", target.path, {
                body: form.toString(),
                headers: { "Content-Type": "application/x-www-form-urlencoded" },
                note: `stale ${type}, ${target.note}`,
                // The platform administrator may open every tenant (the other tenant's own URL included).
                checkLeak: !(a.name === "platform-admin" && target.note === "other tenant's URL") && a.name !== "other-tenant",
              });
              if (status < 300) failures.push(`applied a stale ${type}: ${target.path} as ${a.name} → ${status}`);
              // Another tenant's document is not found: never a version or state answer (409/422)
              // that would tell it exists (a 400 for a malformed event comes before the lookup).
              const foreign = target.note !== "own tenant" || a.name === "other-tenant";
              if (foreign && status >= 400 && ![400, 401, 403, 404].includes(status))
                failures.push(`${type} on another tenant's ${owner}: ${target.path} as ${a.name} → ${status}, expected 400/403/404`);
            });
          }
          // The JSON body names the event; the other malformed bodies do not (sent once per route below).
          for (const m of MALFORMED.filter((x) => x.type === "application/json")) {
            const body = JSON.stringify({ intent: type, ...EVENT_FIELDS, version: 0 });
            tasks.push(async () => {
              const status = await send(a, "POST", own, { body, headers: { "Content-Type": m.type ?? "" }, note: `${m.note} ${type}` });
              if (status < 300) failures.push(`accepted ${m.note} ${type}: ${own} as ${a.name} → ${status}`);
            });
          }
        }
      }
      for (const a of actors) {
        for (const m of MALFORMED.filter((x) => x.type !== "application/json")) {
          tasks.push(async () => {
            const status = await send(a, "POST", own, { body: m.body, headers: m.type ? { "Content-Type": m.type } : {}, note: m.note });
            if (status < 300) failures.push(`accepted ${m.note}: ${own} as ${a.name} → ${status}`);
          });
        }
      }
    }
    const sent = requests;
    await pool(tasks);
    process.stdout.write(`workflow events: ${requests - sent} requests\n`);
    const after = await snapshot();
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
    expect(changed, "collections written by refused workflow events").toEqual([]);
    expect(failures).toEqual([]);
  }, 240_000);

  it("POST: hostile values in every field of every intent give no 5xx and no leak", async () => {
    const tasks: Array<() => Promise<unknown>> = [];
    // Logout last: it ends the sessions the other requests use.
    const actionRoutes = routes.filter((r) => r.hasAction).sort((a, b) => Number(a.pattern.endsWith("logout")) - Number(b.pattern.endsWith("logout")));
    for (const route of actionRoutes) {
      for (const intent of route.intents.length > 0 ? route.intents : [""]) {
        for (const [variant, name] of ["regulator", "enterprise-admin", "reviewer", "other-tenant"].entries()) {
          const form = new URLSearchParams({ intent });
          const fields = [...route.fields, "version", "expectedVersion", "id", "email", "name", "reason", "comment", "redirectTo"];
          fields.forEach((field, i) => form.set(field, HOSTILE[(i + variant) % HOSTILE.length] ?? ""));
          if (variant === 0)
            tasks.push(() =>
              send(actor(name), "POST", fillPath(route), {
                body: "%%%&&&==&intent&=%E4%B8",
                headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
                note: "junk urlencoded",
              }),
            );
          tasks.push(() =>
            send(actor(name), "POST", fillPath(route), {
              body: form.toString(),
              headers: { "Content-Type": "application/x-www-form-urlencoded" },
              note: `hostile ${intent}`,
            }),
          );
        }
      }
    }
    await pool(tasks);
    expect(failures).toEqual([]);
  }, 240_000);
});
