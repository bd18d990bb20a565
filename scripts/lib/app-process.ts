/** Runs scripts/e2e-server.ts as a child process and waits for its READY line. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "./database";

/** Builds once per test run: the e2e, security and instances projects' global setups share the process. */
export function buildApp(): void {
  if (process.env.SAFEGRADE_APP_BUILT === "1") return;
  const result = spawnSync(path.join(PROJECT_ROOT, "node_modules/.bin/remix"), ["build"], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error(`remix build failed:\n${result.stdout}\n${result.stderr}`);
  process.env.SAFEGRADE_APP_BUILT = "1";
}

export type AppProcess = {
  url: string;
  /** The app's database (with its name), for command-line tools run against the same data. */
  databaseUri: string;
  /** Where the app writes captured mail (.eml files): the recipients' mailboxes in e2e runs. */
  mailDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
};

export async function startAppProcess(options: { env?: Record<string, string> } = {}): Promise<AppProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-app-"));
  const child = spawn(path.join(PROJECT_ROOT, "node_modules/.bin/tsx"), [path.join(PROJECT_ROOT, "scripts/e2e-server.ts")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", E2E_DATA_DIR: dataDir, SAFEGRADE_TEST_CLOCK: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start within 120s:\n${output}`)), 120_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited with ${code}:\n${output}`));
    });
  });
  const databaseUri = /^DATABASE (\S+)$/m.exec(output)?.[1] ?? "";
  return {
    url,
    databaseUri,
    mailDir: options.env?.MAIL_CAPTURE_DIR ?? path.join(dataDir, "mail"),
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dataDir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.once("exit", () => {
          clearTimeout(timer);
          done();
        });
        child.kill("SIGTERM");
      }),
  };
}
