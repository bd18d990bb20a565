/**
 * Loading rubric, weight-profile and answer files from disk (CLI scripts, seeding, bench).
 * Everything returns a result instead of throwing, so callers can print every problem at once.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { findDuplicateKey } from "../json-duplicates";
import type { Answers, Rubric, WeightProfile } from "./schema";
import { validateAnswers, validateRubric, validateWeightProfile } from "./schema";

export type LoadResult<T> =
  { ok: true; value: T; path: string } | { ok: false; errors: string[]; path: string | null };

/** `RUBRICS_DIR` overrides the default `<cwd>/rubrics` (tests and deployments with a data volume). */
export function defaultRubricsDir(): string {
  return path.resolve(process.env.RUBRICS_DIR ?? path.join(process.cwd(), "rubrics"));
}

export function weightsDir(rubricsDir: string = defaultRubricsDir()): string {
  return path.join(rubricsDir, "weights");
}

/** Paths relative to the working directory read better in messages; fall back to absolute outside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel)
    ? rel.split(path.sep).join("/")
    : file;
}

async function listJson(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if (isErrnoException(err) && err.code === "ENOENT") return [];
    throw err;
  }
  return entries
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => path.join(dir, name));
}

/** The rubric files (`<dir>/*.json`, not recursive), sorted by name. A missing directory lists nothing. */
export function listRubricFiles(dir: string = defaultRubricsDir()): Promise<string[]> {
  return listJson(dir);
}

/** The weight-profile files (`<dir>/weights/*.json`), sorted by name. */
export function listWeightProfileFiles(dir: string = defaultRubricsDir()): Promise<string[]> {
  return listJson(weightsDir(dir));
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && "code" in err;
}

/** Rubric, weight and answers files are small; anything bigger is refused before it is read. */
export const MAX_JSON_BYTES = 20 * 1_048_576;

async function readJson(
  file: string,
): Promise<{ ok: true; data: unknown } | { ok: false; error: string }> {
  const label = displayPath(file);
  let text: string;
  try {
    // Checked before reading: a 600 MB file would otherwise fail deep inside with "Invalid string length".
    const { size } = await stat(file);
    if (size > MAX_JSON_BYTES) {
      return {
        ok: false,
        error: `${label}: file too large (${Math.ceil(size / 1_048_576)} MB; the limit is ${MAX_JSON_BYTES / 1_048_576} MB)`,
      };
    }
    text = await readFile(file, "utf8");
  } catch (err) {
    const reason =
      isErrnoException(err) && err.code === "ENOENT"
        ? "file not found"
        : `cannot read file (${String(err)})`;
    return { ok: false, error: `${label}: ${reason}` };
  }
  try {
    // A UTF-8 BOM is common from Windows editors and is not valid JSON.
    const clean = text.replace(/^\uFEFF/, "");
    const data: unknown = JSON.parse(clean);
    // JSON.parse keeps the last of two equal keys: refuse instead of scoring a silently changed answer.
    const duplicate = findDuplicateKey(clean);
    if (duplicate !== null) return { ok: false, error: `${label}: duplicate key "${duplicate}"` };
    return { ok: true, data };
  } catch (err) {
    return {
      ok: false,
      error: `${label}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/**
 * Loads and validates one rubric file. The file name must be `<key>@<version>.json` so that a
 * reference like `general-tier3@2025.1` always finds the version it names.
 */
export async function loadRubricFile(file: string): Promise<LoadResult<Rubric>> {
  const abs = path.resolve(file);
  const label = displayPath(abs);
  const json = await readJson(abs);
  if (!json.ok) return { ok: false, errors: [json.error], path: abs };
  const result = validateRubric(json.data, label);
  if (!result.ok) return { ok: false, errors: result.errors, path: abs };
  const expected = `${result.value.key}@${result.value.version}.json`;
  if (path.basename(abs) !== expected) {
    return {
      ok: false,
      errors: [`${label}: (root): file name must be "${expected}" (from key and version)`],
      path: abs,
    };
  }
  return { ok: true, value: result.value, path: abs };
}

export async function loadWeightProfileFile(file: string): Promise<LoadResult<WeightProfile>> {
  const abs = path.resolve(file);
  const label = displayPath(abs);
  const json = await readJson(abs);
  if (!json.ok) return { ok: false, errors: [json.error], path: abs };
  const result = validateWeightProfile(json.data, label);
  if (!result.ok) return { ok: false, errors: result.errors, path: abs };
  const expected = `${result.value.key}.json`;
  if (path.basename(abs) !== expected) {
    return {
      ok: false,
      errors: [`${label}: (root): file name must be "${expected}" (from key)`],
      path: abs,
    };
  }
  return { ok: true, value: result.value, path: abs };
}

function looksLikePath(ref: string): boolean {
  return ref.includes("/") || ref.includes(path.sep) || ref.endsWith(".json");
}

const RUBRIC_REF = /^([a-z0-9-]+)@([0-9A-Za-z.-]+)$/;
const PROFILE_REF = /^[a-z0-9-]+$/;

/** `ref` is `key@version` (looked up in the rubrics directory) or a path to a rubric file. */
export async function resolveRubricRef(
  ref: string,
  dir: string = defaultRubricsDir(),
): Promise<LoadResult<Rubric>> {
  if (looksLikePath(ref)) return loadRubricFile(ref);
  const m = RUBRIC_REF.exec(ref);
  if (m === null) {
    return {
      ok: false,
      errors: [
        `rubric reference "${ref}": expected key@version (e.g. general-tier3@2025.1) or a path to a .json file`,
      ],
      path: null,
    };
  }
  return loadRubricFile(path.join(dir, `${ref}.json`));
}

/** `ref` is a profile key (looked up in `<rubrics>/weights`) or a path to a profile file. */
export async function loadWeightProfile(
  ref: string,
  dir: string = defaultRubricsDir(),
): Promise<LoadResult<WeightProfile>> {
  if (looksLikePath(ref)) return loadWeightProfileFile(ref);
  if (!PROFILE_REF.test(ref)) {
    return {
      ok: false,
      errors: [
        `weight profile reference "${ref}": expected a profile key ([a-z0-9-]+) or a path to a .json file`,
      ],
      path: null,
    };
  }
  return loadWeightProfileFile(path.join(weightsDir(dir), `${ref}.json`));
}

/** Loads an answer sheet and validates it against the rubric it is meant for. */
export async function loadAnswersFile(rubric: Rubric, file: string): Promise<LoadResult<Answers>> {
  const abs = path.resolve(file);
  const json = await readJson(abs);
  if (!json.ok) return { ok: false, errors: [json.error], path: abs };
  const result = validateAnswers(rubric, json.data, displayPath(abs));
  return result.ok
    ? { ok: true, value: result.value, path: abs }
    : { ok: false, errors: result.errors, path: abs };
}
