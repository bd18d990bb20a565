import { describe, expect, it } from "vitest";
import {
  checkShape,
  describeUnserved,
  formatIndex,
  shapeKey,
  shapeOf,
  shapeOfPipeline,
  type CollectionIndexes,
  type Verdict,
} from "../support/index-coverage";
import { appCallSite, QueryRecorder, shapesFromCollectionCall, shapesFromCommand, unservedReport } from "../support/query-recorder";

const keys = (spec: Record<string, 1 | -1>) => Object.entries(spec).map(([field, dir]) => ({ field, dir }));
const collection = (specs: Record<string, 1 | -1>[], tenantOwned = true): CollectionIndexes => ({
  collection: "things",
  model: "Thing",
  tenantOwned,
  indexes: [{ name: "_id_", keys: keys({ _id: 1 }) }, ...specs.map((s, i) => ({ name: `ix${i}`, keys: keys(s) }))],
});
const servedBy = (verdict: Verdict) => (verdict.served ? verdict.index : null);
const tid = "65a000000000000000000001";

describe("shapeOf", () => {
  it("records fields with operators, $in sizes, regexes, nested $and and sort", () => {
    const shape = shapeOf(
      "things",
      { tenantId: tid, status: { $in: ["a", "b"] }, at: { $gte: 1, $lt: 5 }, name: /x/, $and: [{ kind: "k" }] },
      { at: -1 },
    );
    expect(shapeKey(shape)).toBe("things {at:$gte, at:$lt, kind:$eq, name:$regex, status:$in, tenantId:$eq} sort {at:-1}");
    expect(shape.branches[0]?.find((c) => c.field === "status")?.inSize).toBe(2);
  });

  it("splits $or into branches that each carry the shared conditions", () => {
    const shape = shapeOf("things", { tenantId: tid, $or: [{ a: 1 }, { b: { $gt: 2 } }] });
    expect(shapeKey(shape)).toBe("things {a:$eq, tenantId:$eq} $or {b:$gt, tenantId:$eq}");
  });

  it("treats a sub-document without operators, ObjectIds and dates as equality", () => {
    const shape = shapeOf("things", { owner: { kind: "x" }, at: new Date(0) });
    expect(shapeKey(shape)).toBe("things {at:$eq, owner:$eq}");
  });

  it("takes an aggregation's first $match and the $sort right after it", () => {
    const shape = shapeOfPipeline("things", [{ $match: { tenantId: tid } }, { $sort: { at: -1 } }, { $limit: 5 }]);
    expect(shapeKey(shape)).toBe("things {tenantId:$eq} sort {at:-1}");
    expect(shapeKey(shapeOfPipeline("things", [{ $match: { a: 1 } }, { $group: { _id: null } }]))).toBe("things {a:$eq}");
  });
});

describe("checkShape (ESR)", () => {
  const things = collection([{ tenantId: 1, status: 1, createdAt: -1 }, { tenantId: 1, name: 1 }, { code: 1 }]);

  it("serves equality fields in any order as the index prefix", () => {
    expect(servedBy(checkShape(shapeOf("things", { status: "a", tenantId: tid }), things))).toBe("ix0");
    expect(servedBy(checkShape(shapeOf("things", { tenantId: tid }), things))).toBe("ix0");
  });

  it("serves equality then sort, in either direction, but not a sort in another order", () => {
    expect(servedBy(checkShape(shapeOf("things", { tenantId: tid, status: "a" }, { createdAt: 1 }), things))).toBe("ix0");
    const mixed = collection([{ tenantId: 1, a: 1, b: -1 }]);
    expect(checkShape(shapeOf("things", { tenantId: tid }, { a: 1, b: 1 }), mixed).served).toBe(false);
    expect(checkShape(shapeOf("things", { tenantId: tid }, { a: -1, b: 1 }), mixed).served).toBe(true);
  });

  it("refuses a sort that does not directly follow the equality prefix", () => {
    const verdict = checkShape(shapeOf("things", { tenantId: tid }, { createdAt: -1 }), things);
    expect(verdict.served).toBe(false);
    if (!verdict.served) expect(formatIndex(verdict.suggestion ?? [])).toBe("{ tenantId: 1, createdAt: -1 }");
  });

  it("wants the range after the sort (ESR), not before it", () => {
    const esr = collection([{ tenantId: 1, createdAt: -1, score: 1 }]);
    const ers = collection([{ tenantId: 1, score: 1, createdAt: -1 }]);
    const shape = shapeOf("things", { tenantId: tid, score: { $gte: 5 } }, { createdAt: -1 });
    expect(checkShape(shape, esr).served).toBe(true);
    expect(checkShape(shape, ers).served).toBe(false);
  });

  it("treats a sort on a field fixed by equality as free", () => {
    expect(servedBy(checkShape(shapeOf("things", { tenantId: tid, status: "a" }, { status: 1, createdAt: -1 }), things))).toBe("ix0");
  });

  it("counts $in as equality, also before a sort when the array is small enough to explode for the sort", () => {
    expect(servedBy(checkShape(shapeOf("things", { tenantId: tid, status: { $in: ["a", "b"] } }), things))).toBe("ix0");
    const small = shapeOf("things", { tenantId: tid, status: { $in: ["a", "b"] } }, { createdAt: -1 });
    expect(servedBy(checkShape(small, things))).toBe("ix0");
  });

  it("treats a $in of 200 values or more before a sort as a range: it breaks the sort", () => {
    const many = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const shape = shapeOf("things", { tenantId: tid, status: { $in: many } }, { createdAt: -1 });
    const verdict = checkShape(shape, things);
    expect(verdict.served).toBe(false);
    if (!verdict.served) expect(formatIndex(verdict.suggestion ?? [])).toBe("{ tenantId: 1, createdAt: -1, status: 1 }");
    expect(checkShape(shapeOf("things", { tenantId: tid, status: { $in: many } }), things).served).toBe(true);
  });

  it("treats $ne, $nin, $regex and $exists as ranges", () => {
    for (const cond of [{ $ne: "x" }, { $nin: ["x"] }, /^x/, { $exists: true }]) {
      const verdict = checkShape(shapeOf("things", { tenantId: tid, name: cond }), things);
      expect(servedBy(verdict)).toBe("ix1");
      // A range is not an equality: nothing may follow it in the prefix.
      expect(checkShape(shapeOf("things", { tenantId: tid, status: cond }, { createdAt: -1 }), things).served).toBe(false);
    }
  });

  it("does not serve an equality field the index lacks, even if the rest is a prefix", () => {
    const verdict = checkShape(shapeOf("things", { tenantId: tid, status: "a", kind: "b" }), things);
    expect(verdict.served).toBe(false);
    if (!verdict.served) expect(formatIndex(verdict.suggestion ?? [])).toBe("{ tenantId: 1, kind: 1, status: 1 }");
  });

  it("always serves _id equality, whatever else the filter names", () => {
    expect(servedBy(checkShape(shapeOf("things", { _id: "x", version: 3, whatever: { $gt: 1 } }), things))).toBe("_id_");
    expect(servedBy(checkShape(shapeOf("things", { _id: { $in: ["a", "b"] } }), things))).toBe("_id_");
    // An _id range is an ordinary range: served by the _id index alone, not before another sort.
    expect(servedBy(checkShape(shapeOf("things", { _id: { $lt: "x" } }), collection([])))).toBe("_id_");
    expect(checkShape(shapeOf("things", { _id: { $lt: "x" } }, { createdAt: -1 }), collection([])).served).toBe(false);
  });

  it("on a tenant-owned collection requires tenantId first when the query names it", () => {
    const late = collection([{ status: 1, tenantId: 1 }]);
    expect(checkShape(shapeOf("things", { tenantId: tid, status: "a" }), late).served).toBe(false);
    expect(checkShape(shapeOf("things", { tenantId: tid, status: "a" }), { ...late, tenantOwned: false }).served).toBe(true);
  });

  it("marks shapes without tenantId on tenant-owned data as cross-tenant", () => {
    const verdict = checkShape(shapeOf("things", { code: "x" }), things);
    expect(verdict).toEqual({ served: true, index: "ix2", crossTenant: true });
  });

  it("serves $or only when every branch is served", () => {
    expect(checkShape(shapeOf("things", { tenantId: tid, $or: [{ status: "a" }, { name: "n" }] }), things).served).toBe(true);
    expect(checkShape(shapeOf("things", { tenantId: tid, $or: [{ status: "a" }, { kind: "n" }] }), things).served).toBe(false);
  });

  it("refuses a whole-collection read and an unknown collection", () => {
    expect(checkShape(shapeOf("things", {}), things).served).toBe(false);
    expect(checkShape(shapeOf("other", { a: 1 }), undefined).served).toBe(false);
  });

  it("names the index to declare and the call site in the failure", () => {
    const shape = shapeOf("things", { tenantId: tid, kind: "k" }, { createdAt: -1 });
    const verdict = checkShape(shape, things);
    if (verdict.served) throw new Error("expected unserved");
    const text = describeUnserved(shape, verdict, things, ["app/data/things.server.ts:12 (listThings)"]);
    expect(text).toContain("things {kind:$eq, tenantId:$eq} sort {createdAt:-1}");
    expect(text).toContain("schema.index({ tenantId: 1, kind: 1, createdAt: -1 })");
    expect(text).toContain("at app/data/things.server.ts:12 (listThings)");
  });
});

describe("recorder parsing", () => {
  it("reads shapes from mongoose collection calls and from wire commands alike", () => {
    const fromCall = shapesFromCollectionCall("things", "find", [{ tenantId: tid }, { sort: { at: -1 }, limit: 5 }]);
    const fromCommand = shapesFromCommand({ find: "things", filter: { tenantId: tid }, sort: { at: -1 }, limit: 5 });
    expect(fromCall?.shapes.map(shapeKey)).toEqual(fromCommand?.shapes.map(shapeKey));
    const count = shapesFromCollectionCall("things", "countDocuments", [{ a: 1 }, {}]);
    const countCommand = shapesFromCommand({ aggregate: "things", pipeline: [{ $match: { a: 1 } }, { $group: { _id: 1, n: { $sum: 1 } } }] });
    expect(count?.shapes.map(shapeKey)).toEqual(countCommand?.shapes.map(shapeKey));
    expect(shapesFromCommand({ update: "things", updates: [{ q: { _id: 1 }, u: {} }] })?.shapes.map(shapeKey)).toEqual(["things {_id:$eq}"]);
    expect(shapesFromCommand({ insert: "things", documents: [] })).toBeNull();
    expect(shapesFromCollectionCall("things", "insertOne", [{}])).toBeNull();
  });

  it("takes the first stack frame in app/, models/ or scripts/ as the call site", () => {
    const root = process.cwd();
    const stack = [
      "Error: query",
      `    at NativeCollection.find (${root}/node_modules/mongoose/lib/collection.js:1:1)`,
      `    at async listThings (${root}/app/data/things.server.ts:42:7)`,
      `    at async ${root}/tests/integration/things.test.ts:5:3`,
    ].join("\n");
    expect(appCallSite(stack)).toBe("app/data/things.server.ts:42 (listThings)");
    expect(appCallSite(`Error\n    at ${root}/tests/integration/things.test.ts:5:3`)).toBeNull();
  });
});

describe("checkShape: what the index already guarantees", () => {
  it("needs no index position for a range on the sort key itself", () => {
    const things = collection([{ tenantId: 1, state: 1, submittedAt: 1, _id: 1 }]);
    const shape = shapeOf("things", { tenantId: tid, state: "s", submittedAt: { $gt: 1 } }, { submittedAt: 1, _id: 1 });
    expect(servedBy(checkShape(shape, things))).toBe("ix0");
  });

  it("ignores tie-breaking sort keys past the last key of a unique index, not of a plain one", () => {
    const unique: CollectionIndexes = {
      ...collection([]),
      indexes: [{ name: "u", keys: keys({ tenantId: 1, enterpriseId: 1, cycle: 1 }), unique: true }],
    };
    const shape = shapeOf("things", { tenantId: tid, enterpriseId: "e" }, { cycle: -1, updatedAt: -1, _id: 1 });
    expect(servedBy(checkShape(shape, unique))).toBe("u");
    expect(checkShape(shape, { ...unique, indexes: [{ name: "p", keys: keys({ tenantId: 1, enterpriseId: 1, cycle: 1 }) }] }).served).toBe(false);
  });
});

describe("checkShape: residual filters, whole-collection reads and exempt callers", () => {
  const things: CollectionIndexes = {
    ...collection([{ tenantId: 1, name: 1, _id: 1 }]),
    residual: { industry: "ten industries" },
  };

  it("serves a shape whose non-selective fields are filtered while the index bounds and orders the rest", () => {
    const verdict = checkShape(shapeOf("things", { tenantId: tid, industry: "x" }, { name: 1, _id: 1 }), things);
    expect(verdict).toEqual({ served: true, index: "ix0", crossTenant: false, residual: ["industry"] });
  });

  it("leaves negations to the filter stage, but never a selective field that is not declared residual", () => {
    expect(checkShape(shapeOf("things", { tenantId: tid, state: { $ne: "draft" } }, { name: 1 }), things).served).toBe(true);
    const verdict = checkShape(shapeOf("things", { tenantId: tid, industry: "x", ownerId: "o" }, { name: 1 }), things);
    expect(verdict.served).toBe(false);
    if (!verdict.served) expect(formatIndex(verdict.suggestion ?? [])).toBe("{ tenantId: 1, ownerId: 1, name: 1 }");
  });

  it("refuses a shape bounded only by residual fields", () => {
    expect(checkShape(shapeOf("things", { industry: "x" }), things).served).toBe(false);
  });

  it("allows a whole-collection read only where declared, and exempt callers only for every call site", () => {
    expect(checkShape(shapeOf("things", {}), { ...things, wholeCollection: "tiny" }).served).toBe(true);
    const exempt = { ...things, exemptCallers: { repairAll: "full repair" } };
    expect(checkShape(shapeOf("things", {}), exempt, ["app/data/x.server.ts:3 (repairAll)"]).served).toBe(true);
    expect(checkShape(shapeOf("things", {}), exempt, ["app/data/x.server.ts:3 (repairAll)", "app/data/y.server.ts:9 (list)"]).served).toBe(false);
  });
});

describe("unservedReport", () => {
  it("reports each unserved app shape once, with its call site and the index to declare", () => {
    const recorder = new QueryRecorder();
    const indexes = new Map([["things", collection([{ tenantId: 1, name: 1 }])]]);
    const reported = new Set<string>();
    recorder.add("mongoose", { op: "find", shapes: [shapeOf("things", { tenantId: tid, name: "n" })] }, "app/data/a.server.ts:1 (a)");
    expect(unservedReport(recorder, indexes, reported)).toBeNull();
    recorder.add("driver", { op: "find", shapes: [shapeOf("things", { tenantId: tid, ownerId: "o" })] }, "app/data/b.server.ts:2 (b)");
    // A test's own query is never checked.
    recorder.add("mongoose", { op: "find", shapes: [shapeOf("things", { whatever: 1 })] }, null);
    const report = unservedReport(recorder, indexes, reported);
    expect(report).toContain("✖ things {ownerId:$eq, tenantId:$eq}");
    expect(report).toContain("schema.index({ tenantId: 1, ownerId: 1 })");
    expect(report).toContain("at app/data/b.server.ts:2 (b)");
    expect(report).not.toContain("whatever");
    expect(unservedReport(recorder, indexes, reported)).toBeNull();
  });
});

describe("checkShape: _id", () => {
  it("serves _id equality even on a collection no model declares", () => {
    expect(servedBy(checkShape(shapeOf("app_migrations", { _id: "m1" }), undefined))).toBe("_id_");
  });
});
