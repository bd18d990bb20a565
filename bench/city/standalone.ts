/** For a benchmark module run on its own: the bench database with the city scenario (seeded if needed). */
import { openBenchDatabase } from "../lib/database";
import { openCity, type City } from "./seed";

export const CITY_DB_NAME = "bench_city";

export async function withCity<T>(fn: (city: City) => Promise<T>): Promise<T> {
  const db = await openBenchDatabase({ dbName: CITY_DB_NAME, log: (line) => console.log(line) });
  try {
    const { city } = await openCity({ scale: Number(process.env.BENCH_SCALE ?? 1), reseed: false, log: (line) => console.log(line) });
    return await fn(city);
  } finally {
    await db.stop();
  }
}
