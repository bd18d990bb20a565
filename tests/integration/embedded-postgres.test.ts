/** The embedded database: FerretDB on a private PostgreSQL cluster, durable or not, stopped without leftovers. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MongoClient } from "mongodb";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DatabaseStartError, startDatabase, withDatabaseName } from "../../scripts/lib/database";
import { findPostgresBinDir, POSTGRES_MISSING_MESSAGE } from "../../scripts/lib/postgres";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-pg-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function psql(url: string, sql: string): string {
  const bin = path.join(findPostgresBinDir() ?? "", "psql");
  const result = spawnSync(bin, [url, "-tAc", sql], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

/** Processes whose command line names this data directory (postgres backends show only in the postmaster's). */
function processesOn(dir: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,user,args"], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.includes(dir));
}

describe("embedded FerretDB on PostgreSQL", () => {
  const savedBinDir = process.env.PG_BINDIR;
  afterEach(() => {
    if (savedBinDir === undefined) delete process.env.PG_BINDIR;
    else process.env.PG_BINDIR = savedBinDir;
  });

  it("creates the cluster once, keeps data across restarts, honours durability and leaves no process behind", async () => {
    const first = await startDatabase({ dataDir, forceEmbedded: true, durable: true });
    expect(first.kind).toBe("ferretdb");
    expect(first.postgresUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/ferretdb$/);
    try {
      expect(psql(first.postgresUrl!, "SHOW fsync")).toBe("on");
      expect(psql(first.postgresUrl!, "SHOW synchronous_commit")).toBe("on");
      expect(psql(first.postgresUrl!, "SHOW server_encoding")).toBe("UTF8");
      expect(psql(first.postgresUrl!, "SHOW listen_addresses")).toBe("127.0.0.1");
      const client = new MongoClient(withDatabaseName(first.uri, "safegrade"));
      await client.connect();
      await client.db("safegrade").collection("tenants").insertOne({ slug: "chengdu", name: "成都" });
      // Top-level equality reaches PostgreSQL (the reason for this backend).
      const plan = await client.db("safegrade").collection("tenants").find({ slug: "chengdu" }).explain();
      expect(plan.filterPushdown).toBe(true);
      await client.close();
      if (process.getuid?.() === 0) {
        const owner = spawnSync("stat", ["-c", "%U", path.join(dataDir, "postgresql")], { encoding: "utf8" }).stdout.trim();
        expect(owner).toBe("postgres");
        expect(processesOn(dataDir).some((line) => /^\s*\d+\s+postgres\s/.test(line))).toBe(true);
      }
    } finally {
      await first.stop();
    }
    expect(processesOn(dataDir)).toEqual([]);
    expect(existsSync(path.join(dataDir, "postgresql", "postmaster.pid"))).toBe(false);

    const second = await startDatabase({ dataDir, forceEmbedded: true, durable: false });
    try {
      expect(psql(second.postgresUrl!, "SHOW fsync")).toBe("off");
      expect(psql(second.postgresUrl!, "SHOW full_page_writes")).toBe("off");
      const client = new MongoClient(withDatabaseName(second.uri, "safegrade"));
      await client.connect();
      expect(await client.db("safegrade").collection("tenants").findOne({ slug: "chengdu" })).toMatchObject({ name: "成都" });
      await client.close();
    } finally {
      await second.stop();
    }
    expect(processesOn(dataDir)).toEqual([]);
  }, 120_000);

  it("without PostgreSQL's server binaries, says what to install (or to set MONGODB_URI)", async () => {
    process.env.PG_BINDIR = path.join(dataDir, "no-such-bin");
    const error = await startDatabase({ dataDir: path.join(dataDir, "other"), forceEmbedded: true, durable: false }).then(
      (db) => db.stop().then(() => null),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseStartError);
    expect((error as Error).message).toBe(POSTGRES_MISSING_MESSAGE);
    expect(POSTGRES_MISSING_MESSAGE).toContain("apt-get install -y postgresql");
    expect(POSTGRES_MISSING_MESSAGE).toContain("MONGODB_URI");
  });
});
