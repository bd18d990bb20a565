/**
 * `npm test`: typecheck, lint, then every vitest project (unit, integration on a real FerretDB,
 * e2e in Chromium). Ends with one line `N passed, N failed[, N skipped]` totalled from the
 * runners' own reports (tsc and eslint count as one check each).
 */
import { spawnSync } from "node:child_process";
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
const vitestOk = step("vitest: unit, integration, e2e", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...extra,
]);

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
} else {
  failed += 1;
  process.stdout.write("✖ vitest produced no report\n");
}

process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
process.exit(failed > 0 ? 1 : 0);
