import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { describe, it } from "vitest";

describe("gridfs probe", () => {
  it("indexes via mongoose.mongo", async () => {
    const db = mongoose.connection.db!;
    const bucket = new mongoose.mongo.GridFSBucket(db, { bucketName: "evidence" });
    const up = bucket.openUploadStream("x");
    up.end(randomBytes(1000));
    await new Promise((r, j) => { up.on("finish", r); up.on("error", j); });
    console.log(await db.collection("evidence.files").indexes(), await db.collection("evidence.chunks").indexes());
    // partial abort mid-upload after some chunks flushed
    const b2 = new mongoose.mongo.GridFSBucket(db, { bucketName: "evidence", chunkSizeBytes: 1024 });
    const up2 = b2.openUploadStream("y");
    for (let i = 0; i < 10; i++) up2.write(randomBytes(1024));
    await new Promise((r) => setTimeout(r, 300));
    console.log("chunks before abort", await db.collection("evidence.chunks").countDocuments({ files_id: up2.id }));
    await up2.abort();
    console.log("chunks after abort", await db.collection("evidence.chunks").countDocuments({ files_id: up2.id }), await db.collection("evidence.files").countDocuments({ _id: up2.id }));
    // delete nonexistent
    try { await bucket.delete(new mongoose.Types.ObjectId()); } catch (e) { console.log("delete missing:", String(e)); }
    // aggregation of distinct fileIds
    console.log(await db.collection("evidence.files").find({ uploadDate: { $lt: new Date(Date.now() + 1000) } }, { projection: { _id: 1, metadata: 1 } }).toArray());
    console.log(await db.collection("x").aggregate([{ $match: {} }, { $unwind: "$evidence" }, { $group: { _id: "$evidence.fileId" } }]).toArray());
  });
});
