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

export type DeclaredIndex = { name: string; keys: IndexKeys; unique?: boolean };
export type CollectionIndexes = {
  collection: string;
  /** The model whose schema declares the indexes (for the failure message). */
  model: string;
  tenantOwned: boolean;
  indexes: DeclaredIndex[];
  /**
   * Fields filtered after the index scan on purpose (not selective enough to deserve an index
   * position), each with the reason; see index-policy.ts. Used only when no index serves the
   * whole shape, and only if what remains is served.
   */
  residual?: Record<string, string>;
  /** Why reading the whole collection is fine here (a tiny, bounded collection); else refused. */
  wholeCollection?: string;
  /** Functions (by name) allowed any shape here, each with the reason: full repairs, migrations. */
  exemptCallers?: Record<string, string>;
};

export type Verdict =
  | { served: true; index: string; crossTenant: boolean; residual?: string[] }
  | { served: false; reason: string; suggestion: IndexKeys | null };

/** `$in` arrays of this size or more are not exploded for a sort (MongoDB's ESR guidance). */
export const EXPLODE_FOR_SORT_LIMIT = 200;

const EQUALITY_OPS = new Set(["$eq", "$in", "$elemMatch", "$all"]);
/** Negations never bound a scan usefully; no index is built for them, they filter what is read. */
export const NEGATION_OPS = new Set(["$ne", "$nin"]);
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
  const sortKeys = sort.filter((k) => !equality.has(k.field));
  // A range on a sort key bounds the same index scan that yields the order.
  for (const k of sortKeys) rangeFields.delete(k.field);
  return { equality, sort: sortKeys, range: rangeFields, idEquality };
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
function indexServes(index: DeclaredIndex, plan: Plan): boolean {
  const keys = index.keys;
  const e = plan.equality.size;
  let sort = plan.sort;
  // Past the last key of a unique index the order is total: later sort keys (tie-breakers) are moot.
  if (index.unique && plan.range.size === 0) {
    const n = Math.max(0, keys.length - e);
    if (n < sort.length) sort = sort.slice(0, n);
  }
  const s = sort.length;
  const r = plan.range.size;
  if (keys.length < e + s + r) return false;
  return (
    sameSet(keys.slice(0, e), plan.equality) &&
    sortMatches(keys.slice(e, e + s), sort) &&
    sameSet(keys.slice(e + s, e + s + r), plan.range)
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

function servingIndex(plan: Plan, declared: CollectionIndexes): DeclaredIndex | undefined {
  const tenantFirst = declared.tenantOwned && plan.equality.has("tenantId");
  return declared.indexes.find(
    (index) => (!tenantFirst || index.keys[0]?.field === "tenantId") && indexServes(index, plan),
  );
}

const isEmpty = (plan: Plan) => plan.equality.size + plan.sort.length + plan.range.size === 0;

function checkBranch(conds: Condition[], sort: SortKey[], declared: CollectionIndexes): Verdict {
  const plan = planOf(conds, sort);
  const crossTenant = declared.tenantOwned && !plan.equality.has("tenantId");
  if (plan.idEquality) return { served: true, index: "_id_", crossTenant: false };
  if (isEmpty(plan)) {
    return declared.wholeCollection
      ? { served: true, index: "(whole collection)", crossTenant }
      : { served: false, reason: "no filter and no sort: reads the whole collection", suggestion: null };
  }
  const index = servingIndex(plan, declared);
  if (index) return { served: true, index: index.name, crossTenant };
  // Second chance: leave negations and the collection's declared residual fields to the filter stage.
  const residual = conds.filter((c) => NEGATION_OPS.has(c.op) || (declared.residual ?? {})[c.field] !== undefined);
  const bounded = planOf(
    conds.filter((c) => !residual.includes(c)),
    sort,
  );
  const fallback = residual.length > 0 && !isEmpty(bounded) ? servingIndex(bounded, declared) : undefined;
  if (fallback) {
    return { served: true, index: fallback.name, crossTenant, residual: [...new Set(residual.map((c) => c.field))] };
  }
  const tenantFirst = declared.tenantOwned && plan.equality.has("tenantId");
  const reason = tenantFirst
    ? "no declared index starting with tenantId has its equality, sort and range fields as a prefix"
    : "no declared index has its equality, sort and range fields as a prefix";
  return { served: false, reason, suggestion: suggestIndex(residual.length > 0 && !isEmpty(bounded) ? bounded : plan, tenantFirst) };
}

/** The function name of a call site `path:line (name)`. */
const callerName = (site: string) => /\((.+)\)$/.exec(site)?.[1] ?? "";

/**
 * Served when every `$or` branch is served (MongoDB plans each branch on its own index), or when
 * every call site is an exempt caller of the collection.
 */
export function checkShape(shape: QueryShape, declared: CollectionIndexes | undefined, callSites: string[] = []): Verdict {
  // Every collection has its _id index, declared or not (e.g. a small collection written by code).
  if (shape.branches.every((b) => planOf(b, shape.sort).idEquality)) {
    return { served: true, index: "_id_", crossTenant: false };
  }
  if (!declared) {
    return { served: false, reason: `collection ${shape.collection} is declared by no model`, suggestion: null };
  }
  const exempt = declared.exemptCallers ?? {};
  if (callSites.length > 0 && callSites.every((site) => exempt[callerName(site)] !== undefined)) {
    return { served: true, index: `(exempt: ${[...new Set(callSites.map(callerName))].join(", ")})`, crossTenant: false };
  }
  const verdicts = shape.branches.map((b) => checkBranch(b, shape.sort, declared));
  const unserved = verdicts.find((v) => !v.served);
  if (unserved) return unserved;
  const served = verdicts.filter((v): v is Extract<Verdict, { served: true }> => v.served);
  const residual = [...new Set(served.flatMap((v) => v.residual ?? []))];
  return {
    served: true,
    index: [...new Set(served.map((v) => v.index))].join(" + "),
    crossTenant: served.some((v) => v.crossTenant),
    ...(residual.length > 0 ? { residual } : {}),
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
