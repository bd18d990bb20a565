import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CERTIFICATE_STATUSES,
  addMonths,
  csvCell,
  effectiveStatus,
  formatCertificateNumber,
  INDUSTRY_NUMBER_CODES,
  NATIONAL_NUMBER_PATTERN,
  levelNumeral,
  provinceAbbreviation,
  type NumberValues,
  normalizeVerifyCode,
  parseCertificateFilters,
  patternProblems,
  sequenceYear,
  shanghaiDay,
  validUntilFor,
  verificationState,
} from "~/lib/certificate";

const DAY = 24 * 60 * 60 * 1000;
const instants = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2090-12-31T00:00:00Z"),
  noInvalidDate: true,
});

/** Distinct sequence numbers always give distinct certificate numbers under the pattern. */
function expectDistinctPerSequence(pattern: string, values: Omit<NumberValues, "seq">): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 99_999 }),
      fc.integer({ min: 1, max: 99_999 }),
      (a, b) => {
        const f = (seq: number) => formatCertificateNumber(pattern, { ...values, seq });
        expect(f(a) === f(b)).toBe(a === b);
      },
    ),
  );
}

describe("certificate rules", () => {
  it("valid-until is the end of the China-time day before the anniversary", () => {
    expect(validUntilFor(new Date("2026-03-02T02:00:00Z"), 3).toISOString()).toBe(
      "2029-03-01T15:59:59.999Z",
    );
    // 20:00 UTC on 31 Dec is already 1 Jan in China.
    expect(validUntilFor(new Date("2026-12-31T20:00:00Z"), 1).toISOString()).toBe(
      "2027-12-31T15:59:59.999Z",
    );
    fc.assert(
      fc.property(instants, fc.integer({ min: 1, max: 10 }), (issuedAt, years) => {
        const end = validUntilFor(issuedAt, years);
        expect(end.toISOString().endsWith("T15:59:59.999Z")).toBe(true);
        const days = (end.getTime() - issuedAt.getTime()) / DAY;
        expect(days).toBeGreaterThan(years * 365 - 2);
        expect(days).toBeLessThan(years * 366 + 1);
        // The next instant is the anniversary day (or 1 March for a 29 February issue).
        const next = shanghaiDay(new Date(end.getTime() + 1));
        const issued = shanghaiDay(issuedAt);
        expect(next.year).toBe(issued.year + years);
        if (!(issued.month === 2 && issued.day === 29))
          expect([next.month, next.day]).toEqual([issued.month, issued.day]);
      }),
    );
  });

  it("adds calendar months, clamping to the end of shorter months", () => {
    expect(addMonths(new Date("2026-03-31T04:00:00Z"), -1).toISOString()).toBe(
      "2026-02-28T04:00:00.000Z",
    );
    expect(addMonths(new Date("2026-01-15T04:00:00Z"), 12).toISOString()).toBe(
      "2027-01-15T04:00:00.000Z",
    );
    fc.assert(
      fc.property(instants, fc.integer({ min: -36, max: 36 }), (at, months) => {
        const moved = addMonths(at, months);
        const a = shanghaiDay(at);
        const b = shanghaiDay(moved);
        expect((b.year - a.year) * 12 + (b.month - a.month)).toBe(months);
      }),
    );
  });

  it("formats numbers from patterns and scopes the sequence by year only when the year is printed", () => {
    expect(
      formatCertificateNumber("CDAQBZ-{YYYY}-{SEQ:5}", { year: 2026, seq: 7, region: "510100" }),
    ).toBe("CDAQBZ-2026-00007");
    expect(formatCertificateNumber("X{SEQ:2}", { year: 2026, seq: 12345, region: "" })).toBe(
      "X12345",
    );
    expect(sequenceYear("CDAQBZ-{YYYY}-{SEQ:5}", 2026)).toBe(2026);
    expect(sequenceYear("AQ-{SEQ:6}", 2026)).toBe(0);
    expect(patternProblems("A{SEQ}{SEQ}")).toContain("manySequences");
    expect(patternProblems("A{SEQ}{")).toContain("unknownToken");
    expect(patternProblems('A{SEQ}"')).toContain("badCharacter");
    expectDistinctPerSequence("AQBZ-{YYYY}-{SEQ:5}", { year: 2026, region: "" });
  });

  it("formats the national pattern: province, AQB, industry code, level numeral, year, 5-digit sequence", () => {
    expect(
      formatCertificateNumber(NATIONAL_NUMBER_PATTERN, {
        year: 2026,
        seq: 1,
        region: "510100",
        industry: "machinery",
        level: "level3",
      }),
    ).toBe("川AQBJXⅢ202600001");
    expect(
      formatCertificateNumber(NATIONAL_NUMBER_PATTERN, {
        year: 2027,
        seq: 123,
        region: "110105",
        industry: "hazchem",
        level: "level1",
      }),
    ).toBe("京AQBWHⅠ202700123");
    expect(patternProblems(NATIONAL_NUMBER_PATTERN)).toEqual([]);
    expect(sequenceYear(NATIONAL_NUMBER_PATTERN, 2026)).toBe(2026);
    expect(levelNumeral("level2")).toBe("Ⅱ");
    expect(levelNumeral("qualified")).toBe("Ⅲ");
    expect(provinceAbbreviation("440300")).toBe("粤");
    // Every industry has its own two-letter code, so industries never share a number.
    const codes = Object.values(INDUSTRY_NUMBER_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z]{2}$/);
    // Distinct sequences give distinct numbers whatever the industry and level.
    expectDistinctPerSequence(NATIONAL_NUMBER_PATTERN, {
      year: 2026,
      region: "510100",
      industry: "light",
      level: "level3",
    });
  });

  it("reads an active certificate past its end date as expired, and names every state", () => {
    const validUntil = new Date("2029-03-01T15:59:59.999Z");
    expect(
      effectiveStatus({ status: "active", validUntil }, new Date("2029-03-01T15:59:59.999Z")),
    ).toBe("active");
    expect(
      effectiveStatus({ status: "active", validUntil }, new Date("2029-03-01T16:00:00Z")),
    ).toBe("expired");
    expect(effectiveStatus({ status: "revoked", validUntil }, new Date("2035-01-01"))).toBe(
      "revoked",
    );
    expect(
      CERTIFICATE_STATUSES.map((status) =>
        verificationState(effectiveStatus({ status, validUntil }, new Date("2026-01-01"))),
      ),
    ).toEqual(["VALID", "SUSPENDED", "REVOKED", "EXPIRED"]);
  });

  it("accepts a pasted verification URL, escapes CSV cells and ignores malformed filters", () => {
    expect(normalizeVerifyCode("  https://x.cn/verify/AbC_-123 ")).toBe("AbC_-123");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(
      parseCertificateFilters(
        new URLSearchParams(
          "status=bogus&industry=x&page=-3&level=$ne&district=abc&expiring=45&issued=2026-13",
        ),
      ),
    ).toEqual({
      q: "",
      level: "",
      status: undefined,
      industry: undefined,
      district: "",
      expiring: undefined,
      issued: "",
      page: 1,
    });
    expect(
      parseCertificateFilters(new URLSearchParams("expiring=30&issued=2026-07")),
    ).toMatchObject({ expiring: "30", issued: "2026-07" });
  });
});
