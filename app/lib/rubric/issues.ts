/**
 * Turns `validateRubric` messages ("<label>: <json path>: <problem>") back into structured issues,
 * so the rubric editor can put each one next to the field or item it is about, and translates the
 * problems the schema knows into the user's language. Pure: used by the server action and the
 * browser alike.
 */
import type { MessageKey, MessageParams } from "~/i18n";

export type PathSegment = string | number;

export type RubricIssue = {
  /** The JSON path as the schema prints it, e.g. `elements[0].subElements[1].items[2].points`. */
  path: string;
  segments: PathSegment[];
  /** The same path as a react-hook-form field name, e.g. `elements.0.subElements.1.items.2.points`. */
  name: string;
  /** The schema's own (English) message; see {@link describeIssue} for the translated form. */
  message: string;
};

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*/;

/** Reads a path printed by `formatPath` from the start of `text`; returns the segments and the rest. */
function readPath(text: string): { segments: PathSegment[]; rest: string } | null {
  if (text.startsWith("(root)")) return { segments: [], rest: text.slice("(root)".length) };
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "[") {
      const close = text.indexOf("]", i);
      if (close < 0) return null;
      const inner = text.slice(i + 1, close);
      if (/^\d+$/.test(inner)) {
        segments.push(Number(inner));
        i = close + 1;
        continue;
      }
      // A quoted key: find the closing quote that is followed by "]".
      const m = /^"(?:[^"\\]|\\.)*"\]/.exec(text.slice(i + 1));
      if (!m) return null;
      const parsed: unknown = JSON.parse(m[0].slice(0, -1));
      if (typeof parsed !== "string") return null;
      segments.push(parsed);
      i += 1 + m[0].length;
      continue;
    }
    if (ch === "." && segments.length > 0) {
      i++;
      continue;
    }
    if (ch === ":") break;
    const m = IDENT.exec(text.slice(i));
    if (!m) return null;
    segments.push(m[0]);
    i += m[0].length;
  }
  return { segments, rest: text.slice(i) };
}

export function toFieldName(segments: readonly PathSegment[]): string {
  return segments.map(String).join(".");
}

/** Parses the messages of one `validateRubric(data, label)` call. Unparseable lines keep an empty path. */
export function parseRubricIssues(errors: readonly string[], label: string): RubricIssue[] {
  const prefix = `${label}: `;
  return errors.map((line) => {
    const body = line.startsWith(prefix) ? line.slice(prefix.length) : line;
    const read = readPath(body);
    if (!read || !read.rest.startsWith(": "))
      return { path: "", segments: [], name: "", message: body };
    const path = body.slice(0, body.length - read.rest.length);
    return {
      path,
      segments: read.segments,
      name: toFieldName(read.segments),
      message: read.rest.slice(2),
    };
  });
}

export type IssueTarget =
  | { kind: "item"; element: number; sub: number; item: number; field: string }
  | { kind: "sub"; element: number; sub: number; field: string }
  | { kind: "element"; element: number; field: string }
  | { kind: "level"; level: number; field: string }
  | { kind: "rubric"; field: string };

/** Which part of the tree an issue is about, by position; `field` is the rest of the path. */
export function issueTarget(segments: readonly PathSegment[]): IssueTarget {
  const [s0, s1, s2, s3, s4, s5] = segments;
  const rest = (n: number) => toFieldName(segments.slice(n));
  if (s0 === "elements" && typeof s1 === "number") {
    if (s2 === "subElements" && typeof s3 === "number") {
      if (s4 === "items" && typeof s5 === "number")
        return { kind: "item", element: s1, sub: s3, item: s5, field: rest(6) };
      return { kind: "sub", element: s1, sub: s3, field: rest(4) };
    }
    return { kind: "element", element: s1, field: rest(2) };
  }
  if (s0 === "levels" && typeof s1 === "number")
    return { kind: "level", level: s1, field: rest(2) };
  return { kind: "rubric", field: rest(0) };
}

const PATTERNS: Array<[RegExp, MessageKey, (m: RegExpExecArray) => MessageParams]> = [
  [/^must be > 0$/, "rubric.issue.positive", () => ({})],
  [/^must have at most (\d+) decimals?$/, "rubric.issue.decimals", (m) => ({ n: m[1] ?? "" })],
  [/^(must be a number|required \((points|minScore|weight)\))$/, "rubric.issue.number", () => ({})],
  [
    /^(must not be blank|required \(.*text\)|required \(an id\))$/,
    "rubric.issue.blank",
    () => ({}),
  ],
  [/^must be ≤ (\S+)$/, "rubric.issue.max", (m) => ({ max: m[1] ?? "" })],
  [
    /^must be lower than levels\[\d+\]\.minScore \(([^)]*)\)/,
    "rubric.issue.levelOrder",
    (m) => ({ previous: m[1] ?? "" }),
  ],
  [/^duplicate id "(.*)" \(first used at/, "rubric.issue.duplicateId", (m) => ({ id: m[1] ?? "" })],
  [
    /^duplicate rule id "(.*)" in this item/,
    "rubric.issue.duplicateRule",
    (m) => ({ id: m[1] ?? "" }),
  ],
  [/^duplicate level key "(.*)"/, "rubric.issue.duplicateLevel", (m) => ({ key: m[1] ?? "" })],
  [/^has no effect with per "all"/, "rubric.issue.capWithAll", () => ({})],
  [/^must be ≥ per \(([^)]*)\)$/, "rubric.issue.capBelowPer", (m) => ({ per: m[1] ?? "" })],
  [
    /^must be ≤ the item points \(([^)]*)\)$/,
    "rubric.issue.capAboveItem",
    (m) => ({ points: m[1] ?? "" }),
  ],
  [
    /^must equal the sum of all item points \(([^)]*)\), got (\S+)$/,
    "rubric.issue.totalMismatch",
    (m) => ({ sum: m[1] ?? "", total: m[2] ?? "" }),
  ],
  [/^must have at least one item$/, "rubric.issue.noItems", () => ({})],
  [/^must have at least one sub-element$/, "rubric.issue.noSubElements", () => ({})],
  [/^must have at least one (level|element)$/, "rubric.issue.empty", () => ({})],
  [/^must be "all" or a number/, "rubric.issue.per", () => ({})],
  [
    /^must contain no whitespace|^must not contain whitespace$/,
    "rubric.issue.whitespace",
    () => ({}),
  ],
  [/^unknown key$/, "rubric.issue.unknownKey", () => ({})],
  [/^unknown element "(.*)"$/, "weights.error.unknownElement", (m) => ({ id: m[1] ?? "" })],
  [/^unknown item "(.*)"$/, "weights.error.unknownItem", (m) => ({ id: m[1] ?? "" })],
  [/^unknown tag "(.*)"$/, "weights.error.unknownTag", (m) => ({ id: m[1] ?? "" })],
];

/** The translation key and parameters for a schema message, or null when only the raw text fits. */
export function describeIssue(message: string): { key: MessageKey; params: MessageParams } | null {
  for (const [re, key, params] of PATTERNS) {
    const m = re.exec(message);
    if (m) return { key, params: params(m) };
  }
  return null;
}
