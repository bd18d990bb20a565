/** `tsx scripts/check-system.ts start|test`: the system prerequisites check on its own (npm start runs it before building). */
import { checkSystem, needsEmbeddedDatabase } from "./lib/prerequisites";

const tests = process.argv[2] === "test";
const problem = checkSystem({
  tests,
  embeddedDatabase: tests ? !process.env.TEST_MONGODB_URI?.trim() : needsEmbeddedDatabase(process.env.MONGODB_URI, true),
  log: (line) => process.stdout.write(`${line}\n`),
});
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
