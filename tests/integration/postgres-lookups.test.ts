/**
 * Decision 030: on the embedded FerretDB/PostgreSQL, `_id` reads and the equality lookups the models
 * index are served by an index (not a scan of the whole collection) once the launcher has run
 * `ensureLookupIndexes`. Checked on PostgreSQL's own plan, which FerretDB's explain returns.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MongoClient, ObjectId, type Document } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_MODELS } from "../../models/index";
import { startDatabase, withDatabaseName, type RunningDatabase } from "../../scripts/lib/database";
import { ensureLookupIndexes, lookupFieldsOf } from "../../scripts/lib/postgres-lookups";

const DB = "lookups";
const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-lookups-"));
let db: RunningDatabase;
let client: MongoClient;

beforeAll(async () => {
  db = await startDatabase({ dataDir, forceEmbedded: true, durable: false });
  client = await MongoClient.connect(withDatabaseName(db.uri, DB));
}, 120_000);

afterAll(async () => {
  await client?.close();
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The PostgreSQL plan node types of one find, e.g. ["Bitmap Heap Scan", "Bitmap Index Scan"]. */
async function planNodes(collection: string, filter: Document): Promise<string[]> {
  const explained = await client.db(DB).collection(collection).find(filter).explain();
  const nodes: string[] = [];
  const walk = (plan: unknown) => {
    if (!plan || typeof plan !== "object") return;
    const type: unknown = Reflect.get(plan, "Node Type");
    if (typeof type === "string") nodes.push(type);
    const children: unknown = Reflect.get(plan, "Plans");
    if (Array.isArray(children)) for (const child of children) walk(child);
  };
  walk((explained.queryPlanner as { Plan?: unknown } | undefined)?.Plan);
  return nodes;
}

describe("lookup indexes on the embedded PostgreSQL (decision 030)", () => {
  it("derives the looked-up fields from the models' declared indexes", () => {
    const fields = lookupFieldsOf(ALL_MODELS);
    expect(fields.get("users")).toEqual(expect.arrayContaining(["_id", "email"]));
    expect(fields.get("sessions")).toEqual(expect.arrayContaining(["_id", "userId"]));
    // Tenant-owned collections are also looked up by the tenant alone (the per-tenant list loads).
    expect(fields.get("credit_records")).toEqual(expect.arrayContaining(["_id", "tenantId"]));
    expect(fields.get("users")).not.toContain("tenantId");
    for (const list of fields.values()) {
      expect(list[0]).toBe("_id");
      expect(list.every((f) => !f.includes("."))).toBe(true);
    }
  });

  it("turns the request path's _id reads and indexed equality lookups from scans into index reads", async () => {
    const users = Array.from({ length: 4000 }, (_, i) => ({ _id: new ObjectId(), email: `u${i}@example.cn`, name: `用户${i}` }));
    const sessions = users.map((u) => ({ _id: `s-${String(u._id)}`, userId: u._id, expiresAt: new Date(Date.now() + 86_400_000) }));
    for (let i = 0; i < users.length; i += 1000) {
      await client.db(DB).collection("users").insertMany(users.slice(i, i + 1000));
      await client.db(DB).collection<{ _id: string; userId: ObjectId; expiresAt: Date }>("sessions").insertMany(sessions.slice(i, i + 1000));
    }
    const user = users[2345]!;
    const probes: Array<[string, Document]> = [
      ["users", { _id: user._id }],
      ["users", { email: user.email }],
      ["sessions", { _id: `s-${String(user._id)}` }],
      ["sessions", { userId: user._id }],
    ];
    // Without the indexes every one of these reads the whole table.
    for (const [collection, filter] of probes) expect(await planNodes(collection, filter)).toEqual(["Seq Scan"]);

    const fields = lookupFieldsOf(ALL_MODELS);
    const first = ensureLookupIndexes({ postgresUrl: db.postgresUrl!, database: DB, fields });
    expect(first.created).toBeGreaterThanOrEqual(4);
    for (const [collection, filter] of probes) {
      const nodes = await planNodes(collection, filter);
      expect(nodes, `${collection} ${JSON.stringify(filter)}`).not.toContain("Seq Scan");
      expect(nodes.some((n) => /Index/.test(n))).toBe(true);
    }
    // Same answers as before, and FerretDB's own index list is untouched.
    expect(await client.db(DB).collection("users").findOne({ _id: user._id })).toMatchObject({ email: user.email });
    expect(await client.db(DB).collection("sessions").countDocuments({ userId: user._id })).toBe(1);
    expect((await client.db(DB).collection("users").listIndexes().toArray()).map((i) => i.name)).toEqual(["_id_"]);
    // Idempotent: a second start creates nothing.
    expect(ensureLookupIndexes({ postgresUrl: db.postgresUrl!, database: DB, fields }).created).toBe(0);
  });

  it("does nothing for a database that does not exist yet", () => {
    expect(ensureLookupIndexes({ postgresUrl: db.postgresUrl!, database: "nothing_here", fields: lookupFieldsOf(ALL_MODELS) }).created).toBe(0);
  });
});
