/** The query recorder of decision 011 sees both paths to the database, with the app's call site. */
import mongoose, { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { getEvidenceLimits, purgeOrphanEvidence } from "~/data/evidence.server";
import { fileRecorder } from "../support/query-recorder";

describe("query shape recording", () => {
  it("records model queries through mongoose's debug hook, with the app function that sent them", async () => {
    await getEvidenceLimits({ tenantId: new Types.ObjectId() });
    const entry = fileRecorder.app.get("tenants {_id:$eq}");
    expect(entry?.sources.has("mongoose")).toBe(true);
    // The same query seen again by command monitoring is merged, not recorded twice.
    expect(entry?.sources.has("driver")).toBe(true);
    expect([...(entry?.callSites ?? [])].some((s) => /^app\/data\/evidence\.server\.ts:\d+ \(getEvidenceLimits\)$/.test(s))).toBe(true);
  });

  it("records raw-driver queries (GridFS bucket collections) through command monitoring", async () => {
    await purgeOrphanEvidence({ olderThan: new Date() });
    const entry = fileRecorder.app.get("evidence.files {_id:$lt, uploadDate:$lt} sort {_id:1}");
    expect(entry && [...entry.sources]).toEqual(["driver"]);
    expect([...(entry?.callSites ?? [])].some((s) => /^app\/data\/evidence\.server\.ts:\d+ \(purgeOrphanEvidence\)$/.test(s))).toBe(true);
  });

  it("keeps the tests' own queries apart: they are not checked", async () => {
    await mongoose.connection.db?.collection("tenants").findOne({ zzTestOnly: 1 });
    expect(fileRecorder.testOnly.has("tenants {zzTestOnly:$eq}")).toBe(true);
    expect(fileRecorder.app.has("tenants {zzTestOnly:$eq}")).toBe(false);
  });
});
