/**
 * Exact decimal arithmetic for scoring.
 *
 * Rubric points have at most 2 decimals and weights at most 3, so both are held as integers
 * (hundredths / thousandths). Sums of such integers stay exact in a JS number as long as they are
 * below 2^53; the schema bounds (total points ≤ 1,000,000, weight ≤ 1000) guarantee that
 * Σ(w·points) ≤ 10^6·10^8 = 10^14. Only the final division, which is scaled up again before
 * rounding, switches to BigInt so that no intermediate product can leave the safe range.
 */

export const POINT_SCALE = 100;
export const WEIGHT_SCALE = 1000;

/** Largest number of decimals accepted by {@link toScaledInt}. */
const MAX_DECIMALS = 6;

/**
 * Converts a decimal literal (as parsed from JSON) to an integer at the given scale, or returns
 * null when the value has more decimals than the scale allows. `0.29 * 100` is 28.999999999999996
 * in binary floating point, so we round and then check that the rounded integer is the decimal
 * the author wrote (the nearest double of `n / scale` is the parsed literal itself).
 */
export function toScaledInt(value: number, scale: number): number | null {
  if (!Number.isFinite(value)) return null;
  const scaled = Math.round(value * scale);
  if (!Number.isSafeInteger(scaled)) return null;
  return scaled / scale === value ? scaled : null;
}

export function hasAtMostDecimals(value: number, decimals: number): boolean {
  if (decimals > MAX_DECIMALS) throw new RangeError(`decimals must be ≤ ${MAX_DECIMALS}`);
  return toScaledInt(value, 10 ** decimals) !== null;
}

/** Points → integer hundredths. Throws on values the schema would have rejected. */
export function toHundredths(points: number): number {
  const h = toScaledInt(points, POINT_SCALE);
  if (h === null) throw new RangeError(`points value ${points} has more than 2 decimals`);
  return h;
}

/** Weight → integer thousandths. Throws on values the schema would have rejected. */
export function toThousandths(weight: number): number {
  const t = toScaledInt(weight, WEIGHT_SCALE);
  if (t === null) throw new RangeError(`weight value ${weight} has more than 3 decimals`);
  return t;
}

/** Integer hundredths → number. Division by a power of ten yields the nearest double of the decimal. */
export function fromHundredths(hundredths: number): number {
  return hundredths / POINT_SCALE;
}

/**
 * Renders an integer that is `decimals` places scaled as a fixed decimal string without going
 * through floating point (e.g. (8995n, 2) → "89.95", (-5n, 1) → "-0.5").
 */
export function formatScaled(scaled: bigint | number, decimals: number): string {
  const v = typeof scaled === "bigint" ? scaled : BigInt(scaled);
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString();
  if (decimals === 0) return (negative ? "-" : "") + digits;
  const padded = digits.padStart(decimals + 1, "0");
  const intPart = padded.slice(0, padded.length - decimals);
  const fracPart = padded.slice(padded.length - decimals);
  return `${negative ? "-" : ""}${intPart}.${fracPart}`;
}

export interface RoundedDecimal {
  /** The rounded value as a number (the nearest double of the exact decimal). */
  value: number;
  /** The exact decimal text, always with exactly `decimals` fraction digits, e.g. "90.0". */
  text: string;
  /** The rounded value scaled by 10^decimals, as an exact integer. */
  scaled: bigint;
}

function toBigInt(v: bigint | number, name: string): bigint {
  if (typeof v === "bigint") return v;
  if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be a safe integer, got ${v}`);
  return BigInt(v);
}

/**
 * numerator / denominator rounded half-up to `decimals` places, exactly.
 * "Half-up" is the commercial rule (四舍五入): ties move away from zero, so 89.95 → 90.0 and
 * -0.25 → -0.3. Both arguments must be integers; the ratio is never materialised as a float.
 */
export function roundHalfUp(
  numerator: bigint | number,
  denominator: bigint | number,
  decimals: number,
): RoundedDecimal {
  if (typeof numerator === "number" && typeof denominator === "number") {
    const fast = roundHalfUpSmall(numerator, denominator, decimals);
    if (fast !== null) return fast;
  }
  let n = toBigInt(numerator, "numerator");
  let d = toBigInt(denominator, "denominator");
  if (d === 0n) throw new RangeError("denominator must not be 0");
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 15) {
    throw new RangeError("decimals must be an integer in [0, 15]");
  }
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const absN = negative ? -n : n;
  const scaledN = absN * 10n ** BigInt(decimals);
  // floor((2·n + d) / (2·d)) == floor(n/d + 1/2) for non-negative n: exact half-up.
  const absQ = (2n * scaledN + d) / (2n * d);
  const scaled = negative ? -absQ : absQ;
  const text = formatScaled(scaled, decimals);
  return { value: Number(text), text, scaled };
}

const FAST_LIMIT = 2 ** 51;
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/**
 * The same computation in plain numbers, used when every intermediate value is an integer below
 * 2^51 (so sums and products of two of them stay exact). The engine's per-element percentages
 * and candidate gains always fit; this keeps BigInt allocation out of the scoring hot path.
 * Returns null when the inputs do not qualify.
 */
function roundHalfUpSmall(n: number, d: number, decimals: number): RoundedDecimal | null {
  const scale = POW10[decimals];
  if (
    scale === undefined ||
    !Number.isSafeInteger(n) ||
    !Number.isSafeInteger(d) ||
    n < 0 ||
    d <= 0
  )
    return null;
  const a = 2 * n * scale + d;
  const b = 2 * d;
  if (a >= FAST_LIMIT || b >= FAST_LIMIT) return null;
  // Float division of integers can land one off the true floor; correct it with the exact remainder.
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q--;
  else if (r >= b) q++;
  // q / scale is the correctly rounded quotient, i.e. the same double as parsing `text`.
  return { value: q / scale, text: formatSmall(q, decimals, scale), scaled: BigInt(q) };
}

function formatSmall(q: number, decimals: number, scale: number): string {
  if (decimals === 0) return String(q);
  const intPart = Math.floor(q / scale);
  const frac = String(q - intPart * scale).padStart(decimals, "0");
  return `${intPart}.${frac}`;
}

/** numerator / denominator rounded half-up to 1 decimal, exactly. */
export function roundHalfUp1(
  numerator: bigint | number,
  denominator: bigint | number,
): RoundedDecimal {
  return roundHalfUp(numerator, denominator, 1);
}

/** (part / whole) × 100 rounded half-up to `decimals` places, i.e. a percentage score. */
export function percentHalfUp(
  part: bigint | number,
  whole: bigint | number,
  decimals = 1,
): RoundedDecimal {
  return roundHalfUp(toBigInt(part, "part") * 100n, whole, decimals);
}
