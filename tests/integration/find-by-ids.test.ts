/** `findByIds` (decision 032): one `_id` read per id, shared within a GET request, never across requests or in a POST. */
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { findByIds } from "../../models/find-by-ids";
import { User } from "../../models/user";
import { runInRequestScope } from "~/request-scope.server";
import { createUser } from "../factories";

async function findsDuring(run: () => Promise<unknown>): Promise<number> {
  const client = mongoose.connection.getClient();
  let finds = 0;
  const on = (e: { commandName: string }) => {
    if (e.commandName === "find") finds += 1;
  };
  client.on("commandStarted", on);
  try {
    await run();
  } finally {
    client.off("commandStarted", on);
  }
  return finds;
}

describe("findByIds", () => {
  it("reads each id once per GET request, in every other case each time", async () => {
    const a = await createUser({ name: "甲" });
    const b = await createUser({ name: "乙" });
    const missing = new mongoose.Types.ObjectId();
    const names = async () =>
      (
        await findByIds<{ name: string }>(User, [a._id, b._id, a._id, missing], {
          select: { name: 1 },
        })
      )
        .map((u) => u.name)
        .sort();
    expect(
      await findsDuring(() =>
        runInRequestScope("GET", async () => {
          expect(await names()).toEqual(["乙", "甲"]);
          expect(await names()).toEqual(["乙", "甲"]);
          // Another projection is another read.
          await findByIds(User, [a._id], { select: { email: 1 } });
        }),
      ),
    ).toBe(4);
    expect(
      await findsDuring(() =>
        runInRequestScope("POST", async () => {
          await names();
          await names();
        }),
      ),
    ).toBe(6);
    expect(
      await findsDuring(async () => {
        await names();
      }),
    ).toBe(3);
  });
});
