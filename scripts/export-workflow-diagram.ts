/**
 * Writes the workflow diagrams (Mermaid stateDiagram-v2), generated from the machine definitions,
 * to docs/grading-workflow.mmd and docs/credit-workflow.mmd.
 *
 *   npx tsx scripts/export-workflow-diagram.ts           write the file
 *   npx tsx scripts/export-workflow-diagram.ts --check   exit 1 when the file is out of date
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { creditMachine } from "../app/workflows/credit.machine";
import { gradingMachine, toMermaid } from "../app/workflows/grading.machine";

const DOCS = path.resolve(import.meta.dirname, "..", "docs");
const DIAGRAMS = [
  { file: path.join(DOCS, "grading-workflow.mmd"), diagram: () => toMermaid(gradingMachine) },
  { file: path.join(DOCS, "credit-workflow.mmd"), diagram: () => toMermaid(creditMachine) },
];

function main(): void {
  const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
  for (const { file, diagram } of DIAGRAMS) {
    const text = diagram();
    const name = path.relative(process.cwd(), file);
    if (values.check) {
      const current = existsSync(file) ? readFileSync(file, "utf8") : null;
      if (current !== text) {
        process.stderr.write(`${name} is out of date: run npx tsx scripts/export-workflow-diagram.ts\n`);
        process.exit(1);
      }
      process.stdout.write(`${name} is up to date\n`);
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    process.stdout.write(`wrote ${name}\n`);
  }
}

main();
