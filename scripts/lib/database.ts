/**
 * Starts the database the app and the tests run against:
 *   1. MONGODB_URI, when set (production: a MongoDB replica set);
 *   2. else a `mongod` found on PATH;
 *   3. else FerretDB 1.24.2 (built into .tools/bin on first use) on a private PostgreSQL cluster
 *      under the data directory (decision 009). The old SQLite backend stays available as an
 *      option, for moving an earlier installation's data (scripts/migrate-sqlite.ts).
 * Readiness is a real check (pg_isready, then a `ping` over the wire protocol), never a sleep.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";
import { findPostgresBinDir, POSTGRES_MISSING_MESSAGE, PostgresError, startPostgres, type RunningPostgres } from "./postgres";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FERRETDB_BIN = path.join(PROJECT_ROOT, ".tools/bin/ferretdb");

export type DatabaseKind = "external" | "mongod" | "ferretdb" | "ferretdb-sqlite";
export type RunningDatabase = {
  kind: DatabaseKind;
  /** Server URI without a database name; callers append their own. */
  uri: string;
  /** The embedded PostgreSQL cluster's postgres:// URL (kind "ferretdb" only). */
  postgresUrl?: string;
  stop(): Promise<void>;
};

export class DatabaseStartError extends Error {}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function findOnPath(command: string): string | null {
  const result = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : null;
}

export function ensureFerretDbBuilt(log: (line: string) => void = () => {}): string {
  if (existsSync(FERRETDB_BIN)) return FERRETDB_BIN;
  if (!findOnPath("go")) {
    throw new DatabaseStartError(
      "No database available: set MONGODB_URI to a MongoDB server, or install mongod or Go (to build the embedded FerretDB 1.24.2).",
    );
  }
  log("Building FerretDB v1.24.2 into .tools/bin (first run only, about two minutes)…");
  const build = spawnSync("bash", [path.join(PROJECT_ROOT, "scripts/build-ferretdb.sh")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (build.status !== 0 || !existsSync(FERRETDB_BIN)) {
    throw new DatabaseStartError(
      "Building FerretDB failed (see the output above): check that Go can reach its module proxy, or set MONGODB_URI.",
    );
  }
  return FERRETDB_BIN;
}

export async function waitForPing(uri: string, timeoutMs = 30_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new DatabaseStartError(`The database process exited early with code ${child.exitCode}.`);
    }
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
    try {
      await client.connect();
      await client.db("admin").command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.close().catch(() => {});
    }
  }
  throw new DatabaseStartError(
    `The database did not answer a ping within ${timeoutMs / 1000}s (${String(lastError)}).`,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export type StartOptions = {
  /** Directory for the embedded database's files. */
  dataDir: string;
  /** Ignore MONGODB_URI and mongod (tests that must use the embedded FerretDB). */
  forceEmbedded?: boolean;
  /**
   * false for tests and benchmarks: the embedded PostgreSQL runs without fsync (a crash may lose
   * the last writes). Default true: `npm start` keeps every write.
   */
  durable?: boolean;
  /** The embedded FerretDB's backend: "postgresql" (default) or "sqlite" (earlier versions' store). */
  backend?: "postgresql" | "sqlite";
  /** Start PostgreSQL even when an earlier version's SQLite store was not moved (the migration itself). */
  ignoreLegacySqlite?: boolean;
  log?: (line: string) => void;
};

/** Written into the old SQLite directory once `npm run db:migrate-sqlite` copied it. */
export const SQLITE_MIGRATED_MARKER = "MIGRATED-TO-POSTGRESQL.txt";

export const sqliteDirOf = (dataDir: string) => path.join(dataDir, "sqlite");

/** True when dataDir holds an earlier version's FerretDB/SQLite data that was not yet copied. */
export function hasUnmigratedSqliteStore(dataDir: string): boolean {
  const dir = sqliteDirOf(dataDir);
  if (!existsSync(dir) || existsSync(path.join(dir, SQLITE_MIGRATED_MARKER))) return false;
  return readdirSync(dir).some((name) => name.endsWith(".sqlite"));
}

export function legacySqliteMessage(dataDir: string): string {
  const dir = path.relative(PROJECT_ROOT, sqliteDirOf(dataDir)) || sqliteDirOf(dataDir);
  return (
    `${dir} holds data from an earlier SafeGrade version (FerretDB on SQLite); the embedded database is now ` +
    `FerretDB on PostgreSQL. To keep that data, run \`npm run db:migrate-sqlite\` once, then start again. ` +
    `To start over with an empty database instead, move the directory away (e.g. \`mv ${dir} ${dir}.old\`).`
  );
}

export async function startDatabase(options: StartOptions): Promise<RunningDatabase> {
  const log = options.log ?? (() => {});
  const external = process.env.MONGODB_URI?.trim();
  if (external && !options.forceEmbedded) {
    await waitForPing(external, 15_000);
    return { kind: "external", uri: external, stop: async () => {} };
  }

  mkdirSync(options.dataDir, { recursive: true });
  const logPath = path.join(options.dataDir, "database.log");
  const mongod = options.forceEmbedded ? null : findOnPath("mongod");
  if (mongod) return startMongod(mongod, options.dataDir, logPath, log);
  const started = options.backend === "sqlite" ? await startSqliteFerretDb(options, logPath) : await startPostgresFerretDb(options, logPath, log);
  log(`Database: ${started.kind} on ${started.uri} (files in ${path.relative(PROJECT_ROOT, options.dataDir) || "."})`);
  return started;
}

async function startMongod(mongod: string, dataDir: string, logPath: string, log: (line: string) => void): Promise<RunningDatabase> {
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  const dbPath = path.join(dataDir, "mongod");
  mkdirSync(dbPath, { recursive: true });
  const logFile = openSync(logPath, "a");
  const child = spawn(mongod, ["--dbpath", dbPath, "--bind_ip", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", logFile, logFile],
  });
  await waitOrStop(uri, child);
  log(`Database: mongod on 127.0.0.1:${port}`);
  return { kind: "mongod", uri, stop: () => stopChild(child) };
}

async function waitOrStop(uri: string, child: ChildProcess, after?: () => Promise<void>): Promise<void> {
  try {
    await waitForPing(uri, 30_000, child);
  } catch (error) {
    await stopChild(child);
    await after?.();
    throw error;
  }
}

const FERRETDB_COMMON_FLAGS = ["--telemetry=disable", "--debug-addr=-", "--log-level=warn"];

function spawnFerretDb(bin: string, args: string[], logPath: string): ChildProcess {
  const logFile = openSync(logPath, "a");
  return spawn(bin, [...args, ...FERRETDB_COMMON_FLAGS], {
    stdio: ["ignore", logFile, logFile],
    env: { ...process.env, DO_NOT_TRACK: "1" },
  });
}

async function startSqliteFerretDb(options: StartOptions, logPath: string): Promise<RunningDatabase> {
  const bin = ensureFerretDbBuilt(options.log);
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  const sqliteDir = sqliteDirOf(options.dataDir);
  // Its own state dir: during the migration it runs next to the PostgreSQL one on the same data dir.
  const stateDir = path.join(options.dataDir, "ferretdb-sqlite-state");
  mkdirSync(sqliteDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const child = spawnFerretDb(
    bin,
    ["--handler=sqlite", `--sqlite-url=file:${sqliteDir}/`, `--state-dir=${stateDir}`, `--listen-addr=127.0.0.1:${port}`],
    logPath,
  );
  await waitOrStop(uri, child);
  return { kind: "ferretdb-sqlite", uri, stop: () => stopChild(child) };
}

async function startPostgresFerretDb(options: StartOptions, logPath: string, log: (line: string) => void): Promise<RunningDatabase> {
  if (!options.ignoreLegacySqlite && hasUnmigratedSqliteStore(options.dataDir)) {
    throw new DatabaseStartError(legacySqliteMessage(options.dataDir));
  }
  const binDir = findPostgresBinDir();
  if (!binDir) throw new DatabaseStartError(POSTGRES_MISSING_MESSAGE);
  const bin = ensureFerretDbBuilt(log);
  let postgres: RunningPostgres;
  try {
    postgres = await startPostgres({
      binDir,
      dataDir: options.dataDir,
      clusterDir: path.join(options.dataDir, "postgresql"),
      port: await freePort(),
      durable: options.durable ?? true,
      logFile: path.join(options.dataDir, "postgresql.log"),
    });
  } catch (error) {
    throw error instanceof PostgresError ? new DatabaseStartError(error.message) : error;
  }
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  const child = spawnFerretDb(
    bin,
    ["--handler=postgresql", `--postgresql-url=${postgres.url}`, `--state-dir=${options.dataDir}`, `--listen-addr=127.0.0.1:${port}`],
    logPath,
  );
  await waitOrStop(uri, child, () => postgres.stop());
  return {
    kind: "ferretdb",
    uri,
    postgresUrl: postgres.url,
    stop: async () => {
      await stopChild(child);
      await postgres.stop();
    },
  };
}

/** Joins a server URI and a database name, keeping any query string (replica set options). */
export function withDatabaseName(serverUri: string, dbName: string): string {
  const url = new URL(serverUri);
  url.pathname = `/${dbName}`;
  return url.toString();
}
