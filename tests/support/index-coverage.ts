/**
 * Index coverage (decision 011), pure: turns a query's filter and sort into a *shape* and decides
 * whether one declared index serves it on MongoDB, following the ESR guidance (Equality, Sort,
 * Range): a shape is served when its equality fields (any order), then its sort fields (in order,
 * all directions equal to the index's or all reversed), then its range fields (any order) form a
 * prefix of the index's keys. `_id` equality is always served. On a tenant-owned collection a
 * shape that names `tenantId` must be served by an index that starts with `tenantId`.
 *
 * `$in` is an equality; with a sort, MongoDB merges the per-value index scans in index order
 * ("explode for sort") only for arrays under 200 elements, so a larger `$in` counts as a range.
 * `$ne`, `$nin`, `$regex`, `$exists`, `$not` and comparisons are ranges.
 */

export type Condition = { field: string; op: string; inSize?: number };
export type SortKey = { field: string; dir: 1 | -1 };
export type IndexKeys = SortKey[];

export type QueryShape = {
  collection: string;
  /** One entry per `$or` branch (each with the top-level conditions); one entry without `$or`. */
  branches: Condition[][];
  sort: SortKey[];
};

export type DeclaredIndex = { name: string; keys: IndexKeys };
export type CollectionIndexes = {
  collection: string;
  /** The model whose schema declares the indexes (for the failure message). */
  model: string;
  tenantOwned: boolean;
  indexes: DeclaredIndex[];
};

export type Verdict =
  | { served: true; index: string; crossTenant: boolean }
  | { served: false; reason: string; suggestion: IndexKeys | null };

/** `$in` arrays of this size or more are not exploded for a sort (MongoDB's ESR guidance). */
export const EXPLODE_FOR_SORT_LIMIT = 200;

const EQUALITY_OPS = new Set(["$eq", "$in", "$elemMatch", "$all"]);
const IGNORED_OPS = new Set(["$options", "$comment"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function conditionsOf(filter: Record<string, unknown>): { conds: Condition[]; ors: Condition[][][] } {
  const conds: Condition[] = [];
  const ors: Condition[][][] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === "$and" && Array.isArray(value)) {
      for (const sub of value) {
        if (!isPlainObject(sub)) continue;
        const inner = conditionsOf(sub);
        conds.push(...inner.conds);
        ors.push(...inner.ors);
      }
    } else if (key === "$or" && Array.isArray(value)) {
      ors.push(value.filter(isPlainObject).flatMap((sub) => branchesOf(sub)));
    } else if (IGNORED_OPS.has(key)) {
      continue;
    } else if (key.startsWith("$")) {
      // $nor, $expr, $where, $text: no index bounds a plain index could give.
      conds.push({ field: key, op: key });
    } else if (value instanceof RegExp) {
      conds.push({ field: key, op: "$regex" });
    } else if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"))) {
      for (const [op, operand] of Object.entries(value)) {
        if (IGNORED_OPS.has(op)) continue;
        conds.push(op === "$in" && Array.isArray(operand) ? { field: key, op, inSize: operand.length } : { field: key, op });
      }
    } else {
      conds.push({ field: key, op: "$eq" });
    }
  }
  return { conds, ors };
}

/** Flattens one level of `$or` (and nested ones) into branches, each with the shared conditions. */
function branchesOf(filter: Record<string, unknown>): Condition[][] {
  const { conds, ors } = conditionsOf(filter);
  let branches: Condition[][] = [conds];
  for (const alternatives of ors) {
    branches = branches.flatMap((base) => alternatives.map((alt) => [...base, ...alt]));
  }
  return branches.map(normalise);
}

function normalise(conds: Condition[]): Condition[] {
  const seen = new Map<string, Condition>();
  for (const c of conds) {
    const key = `${c.field}:${c.op}`;
    const prev = seen.get(key);
    if (!prev || (c.inSize ?? 0) > (prev.inSize ?? 0)) seen.set(key, c);
  }
  return [...seen.values()].sort((a, b) => (a.field === b.field ? a.op.localeCompare(b.op) : a.field.localeCompare(b.field)));
}

export function sortKeysOf(sort: unknown): SortKey[] {
  if (!isPlainObject(sort) && !(sort instanceof Map)) return [];
  const entries: [string, unknown][] = sort instanceof Map ? [...sort.entries()] : Object.entries(sort);
  return entries.map(([field, dir]) => ({ field, dir: dir === -1 || dir === "desc" || dir === "descending" ? -1 : 1 }));
}

export function shapeOf(collection: string, filter: unknown, sort?: unknown): QueryShape {
  return {
    collection,
    branches: isPlainObject(filter) ? branchesOf(filter) : [[]],
    sort: sortKeysOf(sort),
  };
}

/** The shape of an aggregation: its first `$match` and a `$sort` right after it (or first). */
export function shapeOfPipeline(collection: string, pipeline: unknown): QueryShape {
  const stages = Array.isArray(pipeline) ? pipeline.filter(isPlainObject) : [];
  const first = stages[0];
  const match = first && "$match" in first ? first.$match : {};
  const sortStage = first && "$match" in first ? stages[1] : first;
  const sort = sortStage && "$sort" in sortStage ? sortStage.$sort : undefined;
  return shapeOf(collection, match, sort);
}

const describeCond = (c: Condition) => `${c.field}:${c.op}`;
const describeSort = (keys: SortKey[]) => keys.map((k) => `${k.field}:${k.dir}`).join(", ");

/** A stable text key, e.g. `credit_records {tenantId:$eq, status:$in} sort {listedAt:-1}`. */
export function shapeKey(shape: QueryShape): string {
  const filter = shape.branches.map((b) => `{${b.map(describeCond).join(", ")}}`).join(" $or ");
  return `${shape.collection} ${filter}${shape.sort.length > 0 ? ` sort {${describeSort(shape.sort)}}` : ""}`;
}

export function formatIndex(keys: IndexKeys): string {
  return `{ ${keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k.field) ? k.field : JSON.stringify(k.field)}: ${k.dir}`).join(", ")} }`;
}

type Plan = { equality: Set<string>; sort: SortKey[]; range: Set<string>; idEquality: boolean };

function planOf(conds: Condition[], sort: SortKey[]): Plan {
  const eqOps = new Map<string, Condition[]>();
  const rangeFields = new Set<string>();
  for (const c of conds) {
    if (EQUALITY_OPS.has(c.op)) eqOps.set(c.field, [...(eqOps.get(c.field) ?? []), c]);
    else rangeFields.add(c.field);
  }
  const equality = new Set<string>();
  for (const [field, cs] of eqOps) {
    const bigIn = cs.some((c) => c.op === "$in" && (c.inSize ?? EXPLODE_FOR_SORT_LIMIT) >= EXPLODE_FOR_SORT_LIMIT);
    // A field with both an equality and a range operator is bounded by the equality.
    if (sort.length > 0 && bigIn && cs.every((c) => c.op === "$in")) rangeFields.add(field);
    else equality.add(field);
  }
  for (const field of equality) rangeFields.delete(field);
  const idEquality = (eqOps.get("_id") ?? []).some((c) => c.op === "$eq" || c.op === "$in");
  // Sorting on a field fixed by an equality costs nothing; the remaining keys must come from the index.
  return { equality, sort: sort.filter((k) => !equality.has(k.field)), range: rangeFields, idEquality };
}

function sameSet(keys: SortKey[], fields: Set<string>): boolean {
  return keys.length === fields.size && keys.every((k) => fields.has(k.field));
}

function sortMatches(keys: SortKey[], sort: SortKey[]): boolean {
  if (keys.length !== sort.length) return false;
  const forward = keys.every((k, i) => k.field === sort[i]?.field && k.dir === sort[i]?.dir);
  const reverse = keys.every((k, i) => k.field === sort[i]?.field && k.dir === -(sort[i]?.dir ?? 0));
  return forward || reverse;
}

/** True when `index` serves the plan: equality, then sort, then range keys form its prefix. */
function indexServes(index: IndexKeys, plan: Plan): boolean {
  const e = plan.equality.size;
  const s = plan.sort.length;
  const r = plan.range.size;
  if (index.length < e + s + r) return false;
  return (
    sameSet(index.slice(0, e), plan.equality) &&
    sortMatches(index.slice(e, e + s), plan.sort) &&
    sameSet(index.slice(e + s, e + s + r), plan.range)
  );
}

/** The index to declare for an unserved branch: tenantId first where required, then E, S, R. */
export function suggestIndex(plan: Plan, tenantFirst: boolean): IndexKeys {
  const eq = [...plan.equality].sort();
  const lead = tenantFirst && plan.equality.has("tenantId") ? ["tenantId", ...eq.filter((f) => f !== "tenantId")] : eq;
  return [
    ...lead.map((field): SortKey => ({ field, dir: 1 })),
    ...plan.sort,
    ...[...plan.range].sort().map((field): SortKey => ({ field, dir: 1 })),
  ];
}

function checkBranch(conds: Condition[], sort: SortKey[], declared: CollectionIndexes): Verdict {
  const plan = planOf(conds, sort);
  if (plan.idEquality) return { served: true, index: "_id_", crossTenant: false };
  const tenantFirst = declared.tenantOwned && plan.equality.has("tenantId");
  const crossTenant = declared.tenantOwned && !plan.equality.has("tenantId");
  if (plan.equality.size + plan.sort.length + plan.range.size === 0) {
    return { served: false, reason: "no filter and no sort: reads the whole collection", suggestion: null };
  }
  for (const index of declared.indexes) {
    if (tenantFirst && index.keys[0]?.field !== "tenantId") continue;
    if (indexServes(index.keys, plan)) return { served: true, index: index.name, crossTenant };
  }
  const reason = tenantFirst
    ? "no declared index starting with tenantId has its equality, sort and range fields as a prefix"
    : "no declared index has its equality, sort and range fields as a prefix";
  return { served: false, reason, suggestion: suggestIndex(plan, tenantFirst) };
}

/** Served when every `$or` branch is served (MongoDB plans each branch on its own index). */
export function checkShape(shape: QueryShape, declared: CollectionIndexes | undefined): Verdict {
  if (!declared) {
    return { served: false, reason: `collection ${shape.collection} is declared by no model`, suggestion: null };
  }
  const verdicts = shape.branches.map((b) => checkBranch(b, shape.sort, declared));
  const unserved = verdicts.find((v) => !v.served);
  if (unserved) return unserved;
  const served = verdicts.filter((v): v is Extract<Verdict, { served: true }> => v.served);
  return {
    served: true,
    index: [...new Set(served.map((v) => v.index))].join(" + "),
    crossTenant: served.some((v) => v.crossTenant),
  };
}

/** The failure text for one unserved shape: what it is, where it comes from, what to declare. */
export function describeUnserved(
  shape: QueryShape,
  verdict: Extract<Verdict, { served: false }>,
  declared: CollectionIndexes | undefined,
  callSites: string[],
): string {
  const lines = [`✖ ${shapeKey(shape)}`, `    ${verdict.reason}`];
  if (verdict.suggestion) {
    const where = declared ? `models/ schema of ${declared.model} (collection ${declared.collection})` : shape.collection;
    lines.push(`    declare in ${where}: schema.index(${formatIndex(verdict.suggestion)})`);
    lines.push("    or change the query to use a declared index (equality fields, then sort, then range).");
  } else {
    lines.push("    give the query a selective equality filter (tenantId first on tenant-owned data) or a bounded key.");
  }
  for (const site of callSites) lines.push(`    at ${site}`);
  return lines.join("\n");
}
