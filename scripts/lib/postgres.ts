/**
 * A private PostgreSQL cluster for the embedded FerretDB: found among Debian's server binaries,
 * created under the data directory on first start (initdb, UTF-8, trust auth on 127.0.0.1 only),
 * started as a child process and stopped with a fast shutdown. As root (CI) it runs as the
 * unprivileged `postgres` account through `runuser`, on a data directory that account owns.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export class PostgresError extends Error {}

export const POSTGRES_MISSING_MESSAGE =
  "PostgreSQL's server binaries (initdb, postgres) were not found. Install Debian's PostgreSQL server " +
  "(`apt-get install -y postgresql`), or set MONGODB_URI to a MongoDB server.";

const REQUIRED = ["initdb", "postgres", "pg_isready"] as const;
const PG_USER = "postgres";
/** The PostgreSQL database inside the cluster that holds FerretDB's data (one schema per MongoDB database). */
export const FERRETDB_PG_DATABASE = "ferretdb";

function hasServerBinaries(dir: string): boolean {
  return REQUIRED.every((name) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function versionOf(dirName: string): number {
  const n = Number.parseFloat(dirName);
  return Number.isFinite(n) ? n : -1;
}

/**
 * Candidate bin directories in order: `pg_config --bindir`, /usr/lib/postgresql/<newest>/bin, PATH.
 * PG_BINDIR, when set, is the only candidate.
 */
export function postgresBinDirCandidates(): string[] {
  const fromEnv = process.env.PG_BINDIR?.trim();
  if (fromEnv) return [fromEnv];
  const candidates: string[] = [];
  const pgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (pgConfig.status === 0 && pgConfig.stdout.trim()) candidates.push(pgConfig.stdout.trim());
  const debianRoot = "/usr/lib/postgresql";
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).sort((a, b) => versionOf(b) - versionOf(a));
    for (const v of versions) candidates.push(path.join(debianRoot, v, "bin"));
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir) candidates.push(dir);
  return candidates;
}

/** The first directory holding initdb, postgres and pg_isready, or null. */
export function findPostgresBinDir(): string | null {
  return postgresBinDirCandidates().find(hasServerBinaries) ?? null;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Runs a PostgreSQL program, as the `postgres` account when this process is root. */
function command(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", PG_USER, "--", bin, ...args]] : [bin, args];
}

function run(bin: string, args: string[], what: string): void {
  const [cmd, cmdArgs] = command(bin, args);
  const result = spawnSync(cmd, cmdArgs, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) {
    throw new PostgresError(`${what} failed (${cmd} ${cmdArgs.join(" ")}):\n${result.stdout}${result.stderr}${result.error ? String(result.error) : ""}`);
  }
}

/**
 * As root, gives the data directory to the `postgres` account and makes sure that account can
 * reach it (a private temp dir is 0700: its owner's directories get the search bit for others).
 */
function prepareOwnership(clusterDir: string, ownDataDir: string): void {
  if (!isRoot()) return;
  const parent = path.dirname(clusterDir);
  // Our own data directories (mkdtemp makes them 0700) get the search bit so `postgres` can pass through.
  const stop = path.dirname(path.resolve(ownDataDir));
  for (let dir = parent; dir !== stop && dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const st = statSync(dir);
    if ((st.mode & 0o001) === 0) chmodSync(dir, (st.mode & 0o7777) | 0o011);
  }
  const probe = spawnSync("runuser", ["-u", PG_USER, "--", "test", "-x", parent], { stdio: "ignore" });
  if (probe.status !== 0) {
    throw new PostgresError(
      `The ${PG_USER} account cannot reach ${parent}: PostgreSQL refuses to run as root, so as root it runs as ${PG_USER}. ` +
        `Give the directories above it the search permission (chmod o+x) or choose another data directory.`,
    );
  }
  const uid = spawnSync("id", ["-u", PG_USER], { encoding: "utf8" });
  if (uid.status !== 0) throw new PostgresError(`Running as root needs the ${PG_USER} account (Debian's postgresql package creates it).`);
  if (statSync(clusterDir).uid === Number(uid.stdout.trim())) return;
  const chown = spawnSync("chown", ["-R", `${PG_USER}:`, clusterDir], { encoding: "utf8" });
  if (chown.status !== 0) throw new PostgresError(`chown ${clusterDir} failed: ${chown.stderr}`);
}

export type PostgresOptions = {
  binDir: string;
  /** The data directory this process owns; directories from it down to the cluster may be opened to `postgres`. */
  dataDir: string;
  /** The cluster's data directory (created on first start). */
  clusterDir: string;
  port: number;
  /** false for tests and benchmarks: fsync, synchronous_commit and full_page_writes off. */
  durable: boolean;
  logFile: string;
};

export type RunningPostgres = {
  /** postgres:// URL of FerretDB's database in this cluster. */
  url: string;
  stop(): Promise<void>;
};

function initCluster(options: PostgresOptions): void {
  mkdirSync(options.clusterDir, { recursive: true, mode: 0o700 });
  prepareOwnership(options.clusterDir, options.dataDir);
  run(
    path.join(options.binDir, "initdb"),
    [
      "-D",
      options.clusterDir,
      "-U",
      PG_USER,
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      ...(options.durable ? [] : ["--no-sync"]),
    ],
    "initdb",
  );
}

/** Stops a postmaster left running on this data directory by a process that was killed. */
async function stopLeftover(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(options: PostgresOptions, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const isready = path.join(options.binDir, "pg_isready");
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new PostgresError(`PostgreSQL exited at start (code ${child.exitCode ?? child.signalCode}); see ${options.logFile}.`);
    }
    const probe = spawnSync(isready, ["-q", "-h", "127.0.0.1", "-p", String(options.port), "-U", PG_USER, "-d", "postgres"]);
    if (probe.status === 0) return;
    await sleep(100);
  }
  throw new PostgresError(`PostgreSQL did not accept connections within ${timeoutMs / 1000}s; see ${options.logFile}.`);
}

function ensureDatabase(options: PostgresOptions): void {
  const psql = path.join(options.binDir, "psql");
  const conn = ["-h", "127.0.0.1", "-p", String(options.port), "-U", PG_USER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tA"];
  const check = spawnSync(psql, [...conn, "-c", `SELECT 1 FROM pg_database WHERE datname = '${FERRETDB_PG_DATABASE}'`], { encoding: "utf8" });
  if (check.status !== 0) throw new PostgresError(`psql failed: ${check.stderr}`);
  if (check.stdout.trim() === "1") return;
  const create = spawnSync(psql, [...conn, "-c", `CREATE DATABASE ${FERRETDB_PG_DATABASE}`], { encoding: "utf8" });
  if (create.status !== 0) throw new PostgresError(`CREATE DATABASE failed: ${create.stderr}`);
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  if (!existsSync(path.join(options.clusterDir, "PG_VERSION"))) initCluster(options);
  else {
    prepareOwnership(options.clusterDir, options.dataDir);
    await stopLeftover(options.clusterDir);
  }
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(options.port),
    // No Unix socket: TCP on 127.0.0.1 only (a socket path inside a deep data dir can exceed 107 bytes).
    unix_socket_directories: "",
    max_connections: "200",
    ...(options.durable
      ? { fsync: "on", synchronous_commit: "on", full_page_writes: "on" }
      : { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }),
  };
  const args = ["-D", options.clusterDir, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const [cmd, cmdArgs] = command(path.join(options.binDir, "postgres"), args);
  const log = openSync(options.logFile, "a");
  const child = spawn(cmd, cmdArgs, { stdio: ["ignore", log, log] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGINT = fast shutdown of the postmaster (its pid is in postmaster.pid; as root the child is runuser).
    const pidFile = path.join(options.clusterDir, "postmaster.pid");
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : NaN;
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) process.kill(pid, "SIGINT");
    else child.kill("SIGINT");
    if (await waitExit(child, 30_000)) return;
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) process.kill(pid, "SIGQUIT");
    await waitExit(child, 10_000);
  };
  try {
    await waitReady(options, child, 60_000);
    ensureDatabase(options);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://${PG_USER}@127.0.0.1:${options.port}/${FERRETDB_PG_DATABASE}`, stop };
}
