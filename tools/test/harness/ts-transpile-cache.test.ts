// The transpile cache's shortcuts (settings kept per tsconfig, the import graph kept per entry) must never serve
// stale JavaScript: a changed tsconfig or a changed import is picked up on the next run.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  createTranspiler,
  prewarmTranspileCache,
  transpileSettingsFor,
  type TranspileSettings,
} from "../../../tools/harness/ts-transpile-cache";

const REPO_NODE_MODULES = path.resolve(__dirname, "../../../node_modules");
const created: string[] = [];
after(() => created.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A project folder that resolves TypeScript from the repository, with the given files. */
function project(files: Record<string, string>): string {
  const dir = tempDir("harness-ts-project-");
  fs.symlinkSync(REPO_NODE_MODULES, path.join(dir, "node_modules"), "dir");
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

/** The project's settings, with a cache of its own so that every file starts uncached. */
function isolatedSettings(dir: string): TranspileSettings {
  return { ...transpileSettingsFor(path.join(dir, "index.ts")), cacheDir: tempDir("harness-ts-cache-") };
}

describe("the TypeScript transpile cache", () => {
  it("takes compiler options from the tsconfig as it is now", () => {
    const dir = project({ "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2019" } }), "index.ts": "" });
    const es2019 = transpileSettingsFor(path.join(dir, "index.ts"));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022" } }));
    const es2022 = transpileSettingsFor(path.join(dir, "index.ts"));
    // ts.ScriptTarget: ES2019 = 6, ES2022 = 9.
    assert.deepEqual([es2019.compilerOptions.target, es2022.compilerOptions.target], [6, 9]);
    assert.equal(es2022.compilerOptions.module, 1, "CommonJS whatever the tsconfig says, for require()");
  });

  it("transpiles the import graph once, and again only the files that changed or were added", () => {
    const dir = project({
      "tsconfig.json": "{}",
      "index.ts": 'import { b } from "./b";\nexport const a = b;\n',
      "b.ts": "export const b = 1;\n",
    });
    const settings = isolatedSettings(dir);
    const transpiler = createTranspiler(settings);
    const files = (names: string[]) => names.map((name) => path.join(dir, name));

    assert.equal(prewarmTranspileCache(files(["index.ts"]), settings), 2);
    assert.ok(files(["index.ts", "b.ts"]).every((file) => transpiler.isCached(file)));
    assert.equal(prewarmTranspileCache(files(["index.ts"]), settings), 2, "warm: the graph from last time");

    fs.writeFileSync(path.join(dir, "b.ts"), 'import { c } from "./c";\nexport const b = c;\n');
    fs.writeFileSync(path.join(dir, "c.ts"), "export const c = 2;\n");
    assert.equal(prewarmTranspileCache(files(["index.ts"]), settings), 3, "a changed file's new import is followed");
    assert.ok(files(["b.ts", "c.ts"]).every((file) => transpiler.isCached(file)));
    assert.match(transpiler.transpile(path.join(dir, "b.ts")), /require\("\.\/c"\)/);
  });
});
