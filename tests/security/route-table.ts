/** The app's route table, read from the route files (Remix flat routes), with each action's intents and fields. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { CREDIT_EVENT_TYPES } from "~/workflows/credit.machine";
import { GRADING_EVENT_TYPES } from "~/workflows/grading.machine";

export type RouteEntry = {
  file: string;
  /** URL pattern with `:param` placeholders and `*` for a splat. */
  pattern: string;
  params: string[];
  hasAction: boolean;
  intents: string[];
  /** Workflow events the action takes as `intent` (every event of the machine it drives). */
  events: { machine: "grading" | "credit"; types: string[] } | null;
  fields: string[];
};

/** A route whose action sends the form to a machine takes every event of that machine as intent. */
function machineEvents(source: string): RouteEntry["events"] {
  if (source.includes("workflowFormAction(")) return { machine: "grading", types: [...GRADING_EVENT_TYPES] };
  if (source.includes("creditEventFromForm(")) return { machine: "credit", types: [...CREDIT_EVENT_TYPES] };
  return null;
}

const ROUTES_DIR = path.resolve(import.meta.dirname, "../../app/routes");

/** Splits a flat-route file name on dots that are not inside [ ] escapes. */
function segmentsOf(name: string): string[] {
  const out: string[] = [];
  let current = "";
  let escaped = false;
  for (const ch of name) {
    if (ch === "[") escaped = true;
    else if (ch === "]") escaped = false;
    if (ch === "." && !escaped) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out;
}

function patternOf(file: string): { pattern: string; params: string[] } {
  const name = file.replace(/\.(tsx|ts)$/, "");
  const params: string[] = [];
  const parts: string[] = [];
  for (const raw of segmentsOf(name)) {
    const seg = raw.replace(/_$/, "").replace(/\[|\]/g, "");
    if (seg === "_index" || seg.startsWith("_")) continue;
    if (seg === "$") parts.push("*");
    else if (seg.startsWith("$")) {
      params.push(seg.slice(1));
      parts.push(`:${seg.slice(1)}`);
    } else parts.push(seg);
  }
  return { pattern: `/${parts.join("/")}`.replace(/\/(\.\w+)/g, "$1"), params };
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export function readRouteTable(): RouteEntry[] {
  return readdirSync(ROUTES_DIR)
    .filter((f) => /\.(tsx|ts)$/.test(f))
    .map((file) => {
      const source = readFileSync(path.join(ROUTES_DIR, file), "utf8");
      const { pattern, params } = patternOf(file);
      const intents = unique(
        [
          ...source.matchAll(/intent\s*(?:===|!==|:)\s*"([\w:-]+)"/g),
          ...source.matchAll(/name="intent"\s+value="([\w:-]+)"/g),
          ...source.matchAll(/case "([\w:-]+)":/g),
        ].map((m) => m[1] ?? ""),
      ).filter(Boolean);
      const fields = unique(
        [...source.matchAll(/name="([\w.[\]-]+)"/g), ...source.matchAll(/register\("([\w.]+)"/g)].map((m) => m[1] ?? ""),
      ).filter((f) => f && f !== "intent");
      const events = machineEvents(source);
      return {
        file,
        pattern,
        params,
        hasAction: /export (async )?function action|export const action/.test(source),
        intents: unique([...intents, ...(events?.types ?? [])]),
        events,
        fields,
      };
    });
}
