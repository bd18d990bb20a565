/**
 * Writes the grading workflow diagram (Mermaid stateDiagram-v2), generated from the machine
 * definition, to docs/grading-workflow.mmd.
 *
 *   npx tsx scripts/export-workflow-diagram.ts           write the file
 *   npx tsx scripts/export-workflow-diagram.ts --check   exit 1 when the file is out of date
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { gradingMachine, toMermaid } from "../app/workflows/grading.machine";

const DIAGRAM_PATH = path.resolve(import.meta.dirname, "..", "docs", "grading-workflow.mmd");

function main(): void {
  const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
  const diagram = toMermaid(gradingMachine);
  if (values.check) {
    const current = existsSync(DIAGRAM_PATH) ? readFileSync(DIAGRAM_PATH, "utf8") : null;
    if (current !== diagram) {
      process.stderr.write(
        `${path.relative(process.cwd(), DIAGRAM_PATH)} is out of date: run npx tsx scripts/export-workflow-diagram.ts\n`,
      );
      process.exit(1);
    }
    process.stdout.write("grading workflow diagram is up to date\n");
    return;
  }
  mkdirSync(path.dirname(DIAGRAM_PATH), { recursive: true });
  writeFileSync(DIAGRAM_PATH, diagram);
  process.stdout.write(`wrote ${path.relative(process.cwd(), DIAGRAM_PATH)}\n`);
}

main();
