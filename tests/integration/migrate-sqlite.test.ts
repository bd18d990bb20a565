/**
 * An earlier version's embedded store (FerretDB on SQLite) is refused at start, then moved into the
 * embedded PostgreSQL store by `npm run db:migrate-sqlite` with every collection, index and GridFS file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { GridFSBucket, MongoClient, ObjectId } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import {
  DatabaseStartError,
  SQLITE_MIGRATED_MARKER,
  hasUnmigratedSqliteStore,
  startDatabase,
  withDatabaseName,
} from "../../scripts/lib/database";
import { migrateSqliteStore } from "../../scripts/lib/migrate-sqlite";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-migrate-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function withClient<T>(uri: string, dbName: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(withDatabaseName(uri, dbName));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const evidence = Buffer.alloc(700_000, 7); // three GridFS chunks
evidence.write("%PDF-1.7 evidence", 0);
const ids = Array.from({ length: 1200 }, () => new ObjectId());

describe("moving an earlier SQLite store to PostgreSQL", () => {
  it("refuses to start on it, copies every collection with indexes and GridFS files, and marks it moved", async () => {
    // 1. The earlier version's store, written through the old code path (FerretDB on SQLite).
    const old = await startDatabase({ dataDir, forceEmbedded: true, backend: "sqlite" });
    expect(old.kind).toBe("ferretdb-sqlite");
    try {
      await withClient(old.uri, "safegrade", async (client) => {
        const db = client.db("safegrade");
        await db.collection("users").createIndex({ email: 1 }, { unique: true, name: "email_1" });
        await db.collection("users").insertMany(ids.map((_id, i) => ({ _id, email: `u${i}@example.cn`, name: `用户${i}`, at: new Date(2024, 0, 1 + (i % 28)) })));
        await db.collection("tenants").insertOne({ _id: new ObjectId(), slug: "chengdu", name: "成都市应急管理局" });
        const bucket = new GridFSBucket(db, { bucketName: "evidence" });
        await new Promise<void>((resolve, reject) => {
          Readable.from(evidence).pipe(bucket.openUploadStream("report.pdf", { metadata: { tenant: "chengdu" } })).on("finish", () => resolve()).on("error", reject);
        });
      });
      await withClient(old.uri, "other", (client) => client.db("other").collection("notes").insertOne({ text: "第二个数据库" }));
    } finally {
      await old.stop();
    }
    expect(hasUnmigratedSqliteStore(dataDir)).toBe(true);

    // 2. The new default refuses to start next to it (no silent empty store), pointing at the script.
    const refused = await startDatabase({ dataDir, forceEmbedded: true, durable: false }).then(
      async (db) => {
        await db.stop();
        return null;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DatabaseStartError);
    expect(String((refused as Error).message)).toContain("npm run db:migrate-sqlite");

    // 3. The migration copies everything and verifies the counts.
    const result = await migrateSqliteStore({ dataDir, durable: false });
    expect(result.moved).toBe(true);
    if (!result.moved) return;
    const counts = Object.fromEntries(result.copies.map((c) => [`${c.database}.${c.collection}`, c.documents]));
    expect(counts).toMatchObject({
      "safegrade.users": 1200,
      "safegrade.tenants": 1,
      "safegrade.evidence.files": 1,
      "safegrade.evidence.chunks": 3,
      "other.notes": 1,
    });
    expect(existsSync(path.join(dataDir, "sqlite", SQLITE_MIGRATED_MARKER))).toBe(true);
    expect(readFileSync(path.join(dataDir, "sqlite", SQLITE_MIGRATED_MARKER), "utf8")).toContain("safegrade.users\t1200");
    expect(hasUnmigratedSqliteStore(dataDir)).toBe(false);
    // A second run has nothing to do.
    expect(await migrateSqliteStore({ dataDir, durable: false })).toEqual({ moved: false });

    // 4. The PostgreSQL store now starts and serves the same data, the same file and the unique index.
    const moved = await startDatabase({ dataDir, forceEmbedded: true, durable: false });
    expect(moved.kind).toBe("ferretdb");
    try {
      await withClient(moved.uri, "safegrade", async (client) => {
        const db = client.db("safegrade");
        const user = await db.collection("users").findOne({ _id: ids[777] });
        expect(user).toMatchObject({ email: "u777@example.cn", name: "用户777" });
        expect(user?.at).toBeInstanceOf(Date);
        await expect(db.collection("users").insertOne({ email: "u1@example.cn" })).rejects.toMatchObject({ code: 11000 });
        const bucket = new GridFSBucket(db, { bucketName: "evidence" });
        const [file] = await bucket.find({ filename: "report.pdf" }).toArray();
        expect(file?.metadata).toEqual({ tenant: "chengdu" });
        const chunks: Buffer[] = [];
        for await (const chunk of bucket.openDownloadStream(file!._id)) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).equals(evidence)).toBe(true);
      });
      expect(await withClient(moved.uri, "other", (client) => client.db("other").collection("notes").findOne({}))).toMatchObject({ text: "第二个数据库" });
    } finally {
      await moved.stop();
    }
  }, 180_000);
});
