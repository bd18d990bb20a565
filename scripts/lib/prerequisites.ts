/**
 * System prerequisites of `npm test` and `npm start`, checked before anything runs: PostgreSQL's
 * server binaries for the embedded database, and for the tests Chromium, the CJK fonts, pdftotext
 * and zbarimg. Missing Debian packages are installed with apt-get when this process can (root with
 * apt-get); otherwise it stops with the one command to run. The embedded FerretDB is built too.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { DatabaseStartError, ensureFerretDbBuilt } from "./database";
import { findPostgresBinDir } from "./postgres";

export type Prerequisite = {
  /** What is missing, in words. */
  label: string;
  /** The Debian package that provides it. */
  aptPackage: string;
  present(): boolean;
};

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function debianPackageInstalled(name: string): boolean {
  const query = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
  return query.status === 0 && query.stdout.includes("install ok installed");
}

export const POSTGRESQL: Prerequisite = {
  label: "PostgreSQL server binaries (initdb, postgres, pg_isready)",
  aptPackage: "postgresql",
  present: () => findPostgresBinDir() !== null,
};

export const TEST_TOOLS: Prerequisite[] = [
  { label: "Chromium (/usr/bin/chromium)", aptPackage: "chromium", present: () => executable("/usr/bin/chromium") },
  {
    label: "Noto CJK fonts",
    aptPackage: "fonts-noto-cjk",
    present: () => debianPackageInstalled("fonts-noto-cjk") || existsSync("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
  },
  { label: "pdftotext", aptPackage: "poppler-utils", present: () => onPath("pdftotext") },
  { label: "zbarimg", aptPackage: "zbar-tools", present: () => onPath("zbarimg") },
];

/** Whether the embedded database will be started (no external MongoDB, no mongod). */
export function needsEmbeddedDatabase(externalUri: string | undefined, consultMongod: boolean): boolean {
  if (externalUri?.trim()) return false;
  return !(consultMongod && onPath("mongod"));
}

export function installCommand(packages: string[], asRoot: boolean): string {
  const sudo = asRoot ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(" ")}`;
}

export class PrerequisiteError extends Error {}

const canInstall = () => typeof process.getuid === "function" && process.getuid() === 0 && onPath("apt-get");

/**
 * Installs what is missing when possible; throws a PrerequisiteError naming the exact command
 * otherwise (or when the installation failed). `install` is injectable for tests.
 */
export function ensurePrerequisites(
  required: Prerequisite[],
  options: { log?: (line: string) => void; install?: ((packages: string[]) => boolean) | null } = {},
): void {
  const log = options.log ?? (() => {});
  const missing = required.filter((p) => !p.present());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((p) => p.aptPackage))];
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const install = options.install === undefined ? (canInstall() ? aptInstall : null) : options.install;
  const what = missing.map((p) => p.label).join(", ");
  if (!install) {
    throw new PrerequisiteError(`Missing: ${what}. Install them with:\n  ${installCommand(packages, asRoot)}`);
  }
  log(`Missing: ${what}. Installing ${packages.join(" ")} with apt-get…`);
  const ok = install(packages);
  const still = required.filter((p) => !p.present());
  if (!ok || still.length > 0) {
    throw new PrerequisiteError(
      `Installing ${packages.join(" ")} failed (see the output above). Run:\n  ${installCommand(packages, asRoot)}`,
    );
  }
}

function aptInstall(packages: string[]): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
  if (update.status !== 0) return false;
  const install = spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: ["ignore", "ignore", "inherit"], env });
  return install.status === 0;
}

/**
 * The check both entry points run first. Returns an error message to print (and stop), or null.
 * `tests`: also Chromium, fonts, pdftotext and zbarimg.
 */
export function checkSystem(options: { tests: boolean; embeddedDatabase: boolean; log: (line: string) => void }): string | null {
  const required = [...(options.embeddedDatabase ? [POSTGRESQL] : []), ...(options.tests ? TEST_TOOLS : [])];
  try {
    ensurePrerequisites(required, { log: options.log });
    if (options.embeddedDatabase) ensureFerretDbBuilt(options.log);
    return null;
  } catch (error) {
    if (error instanceof PrerequisiteError || error instanceof DatabaseStartError) return error.message;
    throw error;
  }
}
