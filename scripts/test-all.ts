/**
 * `npm test`: typecheck, lint, then every vitest project (unit, integration on a real FerretDB,
 * e2e in Chromium). Ends with one line `N passed, N failed[, N skipped]` totalled from the
 * runners' own reports (tsc and eslint count as one check each).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./lib/database";
import { checkSystem } from "./lib/prerequisites";

// System packages first (PostgreSQL, Chromium, fonts, pdftotext, zbarimg; FerretDB build): install or stop.
const problem = checkSystem({
  tests: true,
  embeddedDatabase: !process.env.TEST_MONGODB_URI?.trim(),
  log: (line) => process.stdout.write(`${line}\n`),
});
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.stdout.write("\n0 passed, 1 failed\n");
  process.exit(1);
}

const bin = (name: string) => path.join(PROJECT_ROOT, "node_modules/.bin", name);
let passed = 0;
let failed = 0;
let skipped = 0;

function step(title: string, command: string, args: string[]): boolean {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, stdio: "inherit", env: process.env });
  return result.status === 0;
}

for (const [title, cmd, args] of [
  ["typecheck (tsc)", bin("tsc"), ["--noEmit"]],
  ["lint (eslint)", bin("eslint"), ["--max-warnings=0", "."]],
] as const) {
  if (step(title, cmd, [...args])) passed += 1;
  else {
    failed += 1;
    process.stdout.write(`✖ ${title} failed\n`);
  }
}

const reportDir = path.join(PROJECT_ROOT, ".cache");
mkdirSync(reportDir, { recursive: true });
const report = path.join(reportDir, "vitest-report.json");
rmSync(report, { force: true });
const extra = process.argv.slice(2);
process.stdout.write("\n▶ vitest: unit, integration, e2e, instances, security\n");
const vitestRun = await runCapturing(bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...extra,
]);
const vitestOk = vitestRun.ok;

if (existsSync(report)) {
  const json: unknown = JSON.parse(readFileSync(report, "utf8"));
  const num = (key: string): number => {
    if (typeof json === "object" && json !== null && key in json) {
      const value: unknown = Reflect.get(json, key);
      return typeof value === "number" ? value : 0;
    }
    return 0;
  };
  passed += num("numPassedTests");
  failed += num("numFailedTests");
  skipped += num("numPendingTests") + num("numTodoTests");
  // A suite that fails to load (syntax error, setup crash) has no tests but must still fail the run.
  if (!vitestOk && num("numFailedTests") === 0) failed += Math.max(1, num("numFailedTestSuites"));
  // CI shows only the tail of the output: name every failure (and every skipped test) last.
  process.stdout.write(failureSummary(json));
  if (!vitestOk) process.stdout.write(vitestErrors(vitestRun.output));
} else {
  failed += 1;
  process.stdout.write("✖ vitest produced no report\n");
}

if (skipped > 0) process.stdout.write(`\n${skipped} skipped`);
// The very last line is the plain total, alone on its line (`.ci/run` repeats it).
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);

/** The failed and skipped tests of vitest's JSON report, with the first lines of each error. */
function failureSummary(report: unknown): string {
  const list = (value: unknown, key: string): unknown[] => {
    const inner: unknown = typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;
    return Array.isArray(inner) ? inner : [];
  };
  const text = (value: unknown, key: string): string => {
    const inner: unknown = typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;
    return typeof inner === "string" ? inner : "";
  };
  const excerpt = (message: string) =>
    message
      .split("\n")
      .slice(0, 8)
      .map((line) => `      ${line.slice(0, 300)}`)
      .join("\n");
  const lines: string[] = [];
  for (const file of list(report, "testResults")) {
    const name = path.relative(PROJECT_ROOT, text(file, "name"));
    const tests = list(file, "assertionResults");
    for (const test of tests) {
      const status = text(test, "status");
      if (status !== "failed" && status !== "skipped" && status !== "pending") continue;
      lines.push(`  ${status === "failed" ? "✖" : "↓"} ${name} › ${text(test, "fullName")}`);
      for (const message of list(test, "failureMessages")) if (typeof message === "string") lines.push(excerpt(message));
    }
    if (text(file, "status") === "failed" && !tests.some((t) => text(t, "status") === "failed")) {
      lines.push(`  ✖ ${name} (the file failed outside its tests)`);
      const message = text(file, "message");
      if (message) lines.push(excerpt(message));
    }
  }
  return lines.length > 0 ? `\nFailed or skipped:\n${lines.join("\n")}\n` : "";
}

/** Runs a command with its output passed through as it comes, and kept for the summary. */
function runCapturing(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ["inherit", "pipe", "pipe"], env: process.env });
    const chunks: string[] = [];
    const forward = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
      target.write(chunk);
      chunks.push(chunk.toString("utf8"));
    };
    child.stdout.on("data", forward(process.stdout));
    child.stderr.on("data", forward(process.stderr));
    child.on("close", (code) => resolve({ ok: code === 0, output: chunks.join("") }));
  });
}

/** vitest's own error sections (failed suites and hooks, unhandled errors), repeated near the end. */
function vitestErrors(output: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
  const start = plain.findIndex((line) => /⎯+ (Failed (Suites|Tests)|Unhandled Errors?) \d*/.test(line));
  if (start < 0) return "";
  const end = plain.findIndex((line, i) => i > start && /^\s*Test Files\s/.test(line));
  const section = plain.slice(start, end < 0 ? undefined : end).filter((line) => !/^\s*[|❯]?\s*\d+\|/.test(line));
  const shown = section.slice(0, 120);
  return `\nvitest's errors (first ${shown.length} of ${section.length} lines):\n${shown.join("\n")}\n`;
}
