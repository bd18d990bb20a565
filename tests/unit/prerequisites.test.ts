import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensurePrerequisites, installCommand, PrerequisiteError, type Prerequisite } from "../../scripts/lib/prerequisites";
import { findPostgresBinDir, postgresBinDirCandidates } from "../../scripts/lib/postgres";

function fake(label: string, aptPackage: string, installed: Set<string>): Prerequisite {
  return { label, aptPackage, present: () => installed.has(aptPackage) };
}

describe("system prerequisites", () => {
  it("does nothing when everything is there", () => {
    const installed = new Set(["chromium", "zbar-tools"]);
    const calls: string[][] = [];
    ensurePrerequisites([fake("Chromium", "chromium", installed), fake("zbarimg", "zbar-tools", installed)], {
      install: (p) => (calls.push(p), true),
    });
    expect(calls).toEqual([]);
  });

  it("stops with the one exact command when it cannot install", () => {
    const installed = new Set(["chromium"]);
    const required = [fake("Chromium", "chromium", installed), fake("pdftotext", "poppler-utils", installed), fake("zbarimg", "zbar-tools", installed)];
    expect(() => ensurePrerequisites(required, { install: null })).toThrow(PrerequisiteError);
    expect(() => ensurePrerequisites(required, { install: null })).toThrow(/Missing: pdftotext, zbarimg\.[\s\S]*apt-get install -y poppler-utils zbar-tools/);
  });

  it("installs the missing packages once each and re-checks", () => {
    const installed = new Set<string>();
    const calls: string[][] = [];
    const required = [fake("initdb", "postgresql", installed), fake("postgres", "postgresql", installed), fake("zbarimg", "zbar-tools", installed)];
    ensurePrerequisites(required, {
      install: (packages) => {
        calls.push(packages);
        packages.forEach((p) => installed.add(p));
        return true;
      },
    });
    expect(calls).toEqual([["postgresql", "zbar-tools"]]);
  });

  it("fails when an installation did not provide the tool", () => {
    const installed = new Set<string>();
    expect(() => ensurePrerequisites([fake("zbarimg", "zbar-tools", installed)], { install: () => true })).toThrow(
      /Installing zbar-tools failed[\s\S]*apt-get install -y zbar-tools/,
    );
  });

  it("writes the command with sudo for a normal user", () => {
    expect(installCommand(["postgresql", "chromium"], true)).toBe("apt-get update && apt-get install -y postgresql chromium");
    expect(installCommand(["postgresql"], false)).toBe("sudo apt-get update && sudo apt-get install -y postgresql");
  });
});

describe("finding PostgreSQL's server binaries", () => {
  const saved = process.env.PG_BINDIR;
  let dir = "";
  afterEach(() => {
    if (saved === undefined) delete process.env.PG_BINDIR;
    else process.env.PG_BINDIR = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prefers Debian's newest version directory over PATH", () => {
    delete process.env.PG_BINDIR;
    const candidates = postgresBinDirCandidates();
    const debian = candidates.findIndex((c) => c.startsWith("/usr/lib/postgresql/"));
    const fromPath = candidates.findIndex((c) => c === "/usr/bin");
    // The test machines have Debian's PostgreSQL (npm test requires it).
    expect(debian).toBeGreaterThanOrEqual(0);
    if (fromPath >= 0) expect(debian).toBeLessThan(fromPath);
  });

  it("uses PG_BINDIR only, and only when it holds initdb, postgres and pg_isready", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "pgbin-"));
    process.env.PG_BINDIR = dir;
    for (const name of ["initdb", "postgres"]) {
      writeFileSync(path.join(dir, name), "#!/bin/sh\n");
      chmodSync(path.join(dir, name), 0o755);
    }
    expect(findPostgresBinDir()).toBeNull();
    writeFileSync(path.join(dir, "pg_isready"), "#!/bin/sh\n");
    chmodSync(path.join(dir, "pg_isready"), 0o755);
    expect(findPostgresBinDir()).toBe(dir);
  });
});
