/**
 * One built app instance as its own Node process (scripts/e2e-server.ts run by `node --import tsx`,
 * so the child's pid is the app's pid: the scheduler's and outbox worker's ids start with it, and
 * SIGKILL really kills the app, not a wrapper).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../../scripts/lib/database";

export type AppInstance = {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  kill(): Promise<void>;
  stop(): Promise<void>;
};

export async function startInstance(name: string, env: Record<string, string>): Promise<AppInstance> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `safegrade-${name}-`));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts/e2e-server.ts")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", E2E_DATA_DIR: dataDir, SAFEGRADE_TEST_CLOCK: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60s:\n${output}`)), 60_000);
    const onData = () => {
      const match = /READY (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  return {
    name,
    url,
    pid: child.pid ?? -1,
    child,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      cleanup();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.kill("SIGTERM");
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}
