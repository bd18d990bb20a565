/**
 * `npm run db:migrate-sqlite [-- --replace] [-- --data-dir <dir>]`: copies the data of an earlier
 * version's embedded store (FerretDB on SQLite in .data/db/sqlite) into the embedded PostgreSQL one.
 */
import path from "node:path";
import { DatabaseStartError, PROJECT_ROOT } from "./lib/database";
import { CopyError } from "./lib/copy-databases";
import { migrateSqliteStore } from "./lib/migrate-sqlite";

const args = process.argv.slice(2);
const dirArg = args.includes("--data-dir") ? args[args.indexOf("--data-dir") + 1] : undefined;
const dataDir = dirArg ? path.resolve(dirArg) : path.join(PROJECT_ROOT, ".data/db");
const log = (line: string) => process.stdout.write(`${line}\n`);

try {
  const result = await migrateSqliteStore({ dataDir, replace: args.includes("--replace"), log });
  if (!result.moved) log(`Nothing to move: no earlier SQLite store in ${path.join(dataDir, "sqlite")} (or it was moved already).`);
  else {
    const total = result.copies.reduce((n, c) => n + c.documents, 0);
    log(`Done: ${result.copies.length} collections, ${total} documents copied and counted. \`npm start\` now uses them.`);
  }
} catch (error) {
  const known = error instanceof DatabaseStartError || error instanceof CopyError;
  process.stderr.write(`${known ? error.message : String(error)}\nNothing was changed in the old store.\n`);
  process.exit(1);
}
