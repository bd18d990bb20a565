/**
 * Scores an answer sheet from the command line and prints the breakdown as JSON.
 *
 *   npx tsx scripts/score.ts --rubric <key@version | path> --answers <file.json>
 *                            [--weights <profile key | path>] [--levels-allowed level3,level2]
 *
 * Exit codes: 0 scored; 2 bad input (missing flag, unreadable file, invalid JSON, schema errors).
 */
import { parseArgs } from "node:util";
import {
  loadAnswersFile,
  loadWeightProfile,
  resolveRubricRef,
} from "../app/lib/rubric/load-files.server";
import type { WeightProfile } from "../app/lib/rubric/schema";
import { weightProfileWarnings } from "../app/lib/rubric/schema";
import { scoreAssessment } from "../app/lib/scoring/engine";

const USAGE =
  "usage: npx tsx scripts/score.ts --rubric <key@version|path> --answers <file.json> [--weights <profile key|path>] [--levels-allowed <key,key>]";

function fail(lines: string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: {
    rubric?: string;
    answers?: string;
    weights?: string;
    "levels-allowed"?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        rubric: { type: "string" },
        answers: { type: "string" },
        weights: { type: "string" },
        "levels-allowed": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail([`score: ${err instanceof Error ? err.message : String(err)}`, USAGE]);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const missing = (["rubric", "answers"] as const).filter(
    (k) => values[k] === undefined || values[k] === "",
  );
  if (missing.length > 0)
    fail([`score: missing ${missing.map((k) => `--${k}`).join(" and ")}`, USAGE]);
  const rubricRef = values.rubric ?? "";
  const answersPath = values.answers ?? "";

  const rubric = await resolveRubricRef(rubricRef);
  if (!rubric.ok) fail(["score: invalid rubric", ...rubric.errors]);

  let weights: WeightProfile | null = null;
  if (values.weights !== undefined) {
    const profile = await loadWeightProfile(values.weights);
    if (!profile.ok) fail(["score: invalid weight profile", ...profile.errors]);
    weights = profile.value;
    for (const w of weightProfileWarnings(rubric.value, weights))
      process.stderr.write(`warning: weights ${w}\n`);
  }

  const answers = await loadAnswersFile(rubric.value, answersPath);
  if (!answers.ok) fail(["score: invalid answers", ...answers.errors]);

  const levelsAllowed = values["levels-allowed"]
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (levelsAllowed !== undefined) {
    const known = new Set(rubric.value.levels.map((l) => l.key));
    const unknown = levelsAllowed.filter((k) => !known.has(k));
    if (unknown.length > 0)
      fail([
        `score: --levels-allowed: unknown level key(s) ${unknown.join(", ")} (known: ${[...known].join(", ")})`,
      ]);
  }

  const breakdown = scoreAssessment({
    rubric: rubric.value,
    answers: answers.value,
    weights,
    levelsAllowed,
  });
  process.stdout.write(
    `${JSON.stringify(
      {
        rubric: `${rubric.value.key}@${rubric.value.version}`,
        weights: weights === null ? null : weights.key,
        ...breakdown,
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `score: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
