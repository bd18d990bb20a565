/**
 * Starts the database the app and the tests run against:
 *   1. MONGODB_URI, when set (production: a MongoDB replica set);
 *   2. else a `mongod` found on PATH;
 *   3. else FerretDB 1.24.2 with its SQLite backend, built into .tools/bin on first use.
 * Readiness is a real `ping` over the wire protocol, never a sleep.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FERRETDB_BIN = path.join(PROJECT_ROOT, ".tools/bin/ferretdb");

export type DatabaseKind = "external" | "mongod" | "ferretdb";
export type RunningDatabase = {
  kind: DatabaseKind;
  /** Server URI without a database name; callers append their own. */
  uri: string;
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
  log?: (line: string) => void;
};

export async function startDatabase(options: StartOptions): Promise<RunningDatabase> {
  const log = options.log ?? (() => {});
  const external = process.env.MONGODB_URI?.trim();
  if (external && !options.forceEmbedded) {
    await waitForPing(external, 15_000);
    return { kind: "external", uri: external, stop: async () => {} };
  }

  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  const logFile = openSync(path.join(options.dataDir, "database.log"), "a");

  const mongod = options.forceEmbedded ? null : findOnPath("mongod");
  let child: ChildProcess;
  let kind: DatabaseKind;
  if (mongod) {
    const dbPath = path.join(options.dataDir, "mongod");
    mkdirSync(dbPath, { recursive: true });
    child = spawn(mongod, ["--dbpath", dbPath, "--bind_ip", "127.0.0.1", "--port", String(port)], {
      stdio: ["ignore", logFile, logFile],
    });
    kind = "mongod";
  } else {
    const bin = ensureFerretDbBuilt(log);
    const sqliteDir = path.join(options.dataDir, "sqlite");
    mkdirSync(sqliteDir, { recursive: true });
    child = spawn(
      bin,
      [
        "--handler=sqlite",
        `--sqlite-url=file:${sqliteDir}/`,
        `--state-dir=${options.dataDir}`,
        `--listen-addr=127.0.0.1:${port}`,
        "--telemetry=disable",
        "--debug-addr=-",
        "--log-level=warn",
      ],
      { stdio: ["ignore", logFile, logFile], env: { ...process.env, DO_NOT_TRACK: "1" } },
    );
    kind = "ferretdb";
  }
  try {
    await waitForPing(uri, 30_000, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  log(`Database: ${kind} on 127.0.0.1:${port} (files in ${path.relative(PROJECT_ROOT, options.dataDir) || "."})`);
  return { kind, uri, stop: () => stopChild(child) };
}

/** Joins a server URI and a database name, keeping any query string (replica set options). */
export function withDatabaseName(serverUri: string, dbName: string): string {
  const url = new URL(serverUri);
  url.pathname = `/${dbName}`;
  return url.toString();
}
