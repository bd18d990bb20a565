/**
 * Moves an earlier version's embedded store (FerretDB on SQLite, `<dataDir>/sqlite`) into the
 * embedded FerretDB on PostgreSQL: starts both, copies every collection with the driver, verifies
 * the counts, then marks the old directory as moved (its files stay, untouched).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { copyAllDatabases, type CollectionCopy } from "./copy-databases";
import { hasUnmigratedSqliteStore, SQLITE_MIGRATED_MARKER, sqliteDirOf, startDatabase, type RunningDatabase } from "./database";

export type MigrationResult = { moved: false } | { moved: true; copies: CollectionCopy[] };

export async function migrateSqliteStore(options: {
  dataDir: string;
  replace?: boolean;
  /** false in tests (no fsync); default true. */
  durable?: boolean;
  log?: (line: string) => void;
}): Promise<MigrationResult> {
  const log = options.log ?? (() => {});
  if (!hasUnmigratedSqliteStore(options.dataDir)) return { moved: false };
  const started: RunningDatabase[] = [];
  try {
    const oldStore = await startDatabase({ dataDir: options.dataDir, forceEmbedded: true, backend: "sqlite", log });
    started.push(oldStore);
    const newStore = await startDatabase({
      dataDir: options.dataDir,
      forceEmbedded: true,
      ignoreLegacySqlite: true,
      durable: options.durable ?? true,
      log,
    });
    started.push(newStore);
    log("Copying every collection…");
    const copies = await copyAllDatabases(oldStore.uri, newStore.uri, { replace: options.replace, log });
    const total = copies.reduce((n, c) => n + c.documents, 0);
    writeFileSync(
      path.join(sqliteDirOf(options.dataDir), SQLITE_MIGRATED_MARKER),
      `Copied into the embedded PostgreSQL store on ${new Date().toISOString()}: ` +
        `${copies.length} collections, ${total} documents (counts verified).\n` +
        copies.map((c) => `${c.database}.${c.collection}\t${c.documents}\n`).join(""),
    );
    return { moved: true, copies };
  } finally {
    for (const db of started.reverse()) await db.stop();
  }
}
