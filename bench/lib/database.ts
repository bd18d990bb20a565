/**
 * The bench database: the database the launcher gives (scripts/lib/database.ts `startDatabase`:
 * MONGODB_URI, else mongod, else the embedded FerretDB), files under .data/bench so the city
 * scenario survives between runs. This process connects through the app's own `connectDb()`.
 */
import path from "node:path";
import mongoose from "mongoose";
import { connectDb } from "../../app/db.server";
import { ALL_MODELS, ensureIndexes } from "../../models/index";
import { analyzeAll, ensureLookupIndexes, lookupFieldsOf } from "../../scripts/lib/postgres-lookups";
import { PROJECT_ROOT, startDatabase, withDatabaseName, type DatabaseKind } from "../../scripts/lib/database";

export const BENCH_DATA_DIR = path.join(PROJECT_ROOT, ".data/bench");

export type BenchDatabase = {
  kind: DatabaseKind;
  uri: string;
  /** The embedded cluster's PostgreSQL URL (FerretDB on PostgreSQL only). */
  postgresUrl?: string;
  /** The lookup indexes of decision 030 and fresh planner statistics after a bulk load (embedded PostgreSQL only). */
  analyze(): void;
  stop(): Promise<void>;
};

export async function openBenchDatabase(options: { dbName: string; log?: (line: string) => void }): Promise<BenchDatabase> {
  // fsync off: the bench data can always be seeded again.
  const db = await startDatabase({ dataDir: BENCH_DATA_DIR, durable: false, ignoreLegacySqlite: true, log: options.log });
  const uri = withDatabaseName(db.uri, options.dbName);
  process.env.MONGODB_URI = uri;
  process.env.SESSION_SECRET ??= "bench-secret-bench-secret-bench-secret-0123";
  process.env.LOG_LEVEL ??= "warn";
  try {
    await connectDb();
    await ensureIndexes();
    if (db.postgresUrl) ensureLookupIndexes({ postgresUrl: db.postgresUrl, database: options.dbName, fields: lookupFieldsOf(ALL_MODELS) });
  } catch (error) {
    await db.stop();
    throw error;
  }
  return {
    kind: db.kind,
    uri,
    postgresUrl: db.postgresUrl,
    // After a (re)seed the collections' tables are new: their lookup indexes go back first (the
    // 2026-12-05 run measured the in-process registry without them: a code look-up took 27 s).
    analyze: () => {
      if (!db.postgresUrl) return;
      ensureLookupIndexes({ postgresUrl: db.postgresUrl, database: options.dbName, fields: lookupFieldsOf(ALL_MODELS) });
      analyzeAll(db.postgresUrl);
    },
    stop: async () => {
      await mongoose.disconnect().catch(() => {});
      await db.stop();
    },
  };
}

/** For a benchmark module run on its own (`npx tsx bench/x.ts`): its own database name, then stop. */
export async function withBenchDatabase<T>(dbName: string, fn: () => Promise<T>): Promise<T> {
  const db = await openBenchDatabase({ dbName, log: (line) => console.log(line) });
  try {
    return await fn();
  } finally {
    await db.stop();
  }
}

/** What the report says about the database: the launcher's kind and what the server says it is. */
export async function describeDatabase(kind: DatabaseKind): Promise<string> {
  const info = (await mongoose.connection.db?.admin().command({ buildInfo: 1 }).catch(() => null)) as Record<string, unknown> | null;
  const ferret = info?.ferretdbVersion ?? (info?.ferretdb as { version?: string } | undefined)?.version;
  const backend = kind === "ferretdb" ? " on PostgreSQL (embedded)" : kind === "ferretdb-sqlite" ? " on SQLite (embedded)" : "";
  const server = ferret ? `FerretDB ${String(ferret)}${backend}` : `MongoDB-compatible server ${String(info?.version ?? "?")}`;
  return `${server} (launcher: ${kind})`;
}
