import mongoose from "mongoose";
import { afterEach, describe, expect, it } from "vitest";
import { connectDb, pingDb } from "~/db.server";
import { Tenant } from "../../models/tenant";
import { createTenant } from "../factories";

describe("connectDb", () => {
  const configured = process.env.MONGODB_URI;
  afterEach(async () => {
    // Leave the file's own database connected for the shared teardown.
    process.env.MONGODB_URI = configured;
    if (mongoose.connection.name !== new URL(configured ?? "").pathname.slice(1)) {
      await mongoose.disconnect();
    }
    await connectDb();
  });

  it("connects again after the connection was closed (connect → disconnect → connect)", async () => {
    await connectDb();
    const tenant = await createTenant();
    await mongoose.disconnect();
    expect(mongoose.connection.readyState).toBe(mongoose.ConnectionStates.disconnected);

    const again = await connectDb();
    expect(again.connection.readyState).toBe(mongoose.ConnectionStates.connected);
    expect((await pingDb()).ok).toBe(true);
    const found = await Tenant.findById(tenant._id).lean();
    expect(found?.slug).toBe(tenant.slug);
  });

  it("hands out one connection while it is open, and the same one to concurrent callers after a close", async () => {
    const first = connectDb();
    expect(connectDb()).toBe(first);
    await first;
    await mongoose.disconnect();
    const a = connectDb();
    const b = connectDb();
    expect(b).toBe(a);
    await a;
    expect(connectDb()).toBe(a);
    expect((await pingDb()).ok).toBe(true);
  });

  it("reconnects to the database configured at that moment", async () => {
    await connectDb();
    await mongoose.disconnect();
    const other = new URL(configured ?? "");
    other.pathname = `${other.pathname}_other`;
    process.env.MONGODB_URI = other.toString();
    await connectDb();
    expect(mongoose.connection.name).toBe(other.pathname.slice(1));
    expect((await pingDb()).ok).toBe(true);
    await mongoose.connection.db?.dropDatabase();
  });
});
