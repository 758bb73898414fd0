import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * The layout is the architecture: the program (index.ts, components/, settings/) and the pack (policies/) are the
 * product; tools/ holds the instruments (harness, check, planning, bench, facts) that measure them. Dependencies
 * point one way: instruments may read the product, the product never reads an instrument, and the pack, which
 * users run on its own with `--policy-pack policies`, reads nothing of the program.
 */
const ROOT = path.resolve(__dirname, "..");

function sourceFiles(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (fs.statSync(full).isFile()) return [dir];
  return fs
    .readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|js)$/.test(f) && !f.split(path.sep).includes("node_modules"))
    .map((f) => path.join(dir, f));
}

/** Every relative import and require of a file, as repository paths. */
function localImports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), name)));
}

function violations(dirs: string[], forbidden: string[]): string[] {
  const found: string[] = [];
  for (const file of dirs.flatMap(sourceFiles))
    for (const target of localImports(file))
      if (forbidden.some((f) => target === f || target.startsWith(`${f}/`))) found.push(`${file} imports ${target}`);
  return found;
}

describe("architecture: dependencies point from the instruments to the product, never back", () => {
  it("the program (index.ts, components/, settings/) imports nothing from tools/ or test/", () => {
    assert.deepEqual(violations(["index.ts", "components", "settings"], ["tools", "test"]), []);
  });

  it("the pack (policies/) imports nothing from the program, tools/ or test/: it runs on its own", () => {
    assert.deepEqual(violations(["policies"], ["index", "components", "settings", "tools", "test"]), []);
  });

  it("the instruments (tools/) read the pack through policies/model.ts and the program through settings/index.ts only", () => {
    const entryPoints = new Set(["policies/model", "settings", "settings/index"]);
    const found: string[] = [];
    for (const file of sourceFiles("tools").filter((f) => !f.startsWith(`tools${path.sep}test${path.sep}`)))
      for (const target of localImports(file))
        if (/^(policies|settings|components|index)(\/|$)/.test(target) && !entryPoints.has(target))
          found.push(`${file} imports ${target}`);
    assert.deepEqual(found, []);
  });

  it("the check finds imports at all (a layout change must not make this test vacuous)", () => {
    assert.ok(localImports("index.ts").some((target) => target.startsWith("components/")));
    assert.ok(
      violations(["tools/planning"], ["policies"]).length > 0,
      "tools/planning reads the pack's capacity model",
    );
  });
});
