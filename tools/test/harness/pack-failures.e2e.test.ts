import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PolicyPackError, startPolicyPack } from "../../../tools/harness/analyzer";
import { FIXTURE_PACK } from "./fixtures/fixture-mocks";

const REPO_NODE_MODULES = path.resolve(__dirname, "../../../node_modules");

const created: string[] = [];
after(() => created.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * A broken pack written to a temp folder (it must not live in the repo, where it would fail the type check),
 * with the repo's node_modules linked in so run-policy-pack and @pulumi/policy resolve as for a real pack.
 */
function brokenPack(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-pack-"));
  created.push(dir);
  fs.symlinkSync(REPO_NODE_MODULES, path.join(dir, "node_modules"), "dir");
  const defaults = {
    "package.json": JSON.stringify({ name: "broken", version: "0.0.1" }),
    "PulumiPolicy.yaml": "runtime: nodejs\n",
  };
  for (const [name, content] of Object.entries({ ...defaults, ...files })) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const VALID_POLICY = `import { PolicyPack } from "@pulumi/policy";
new PolicyPack("broken", { policies: [{ name: "p", description: "d", validateResource: () => undefined }] });
`;

describe("policy pack failures", () => {
  it("a pack that does not type-check fails to start, with the compiler's error", async () => {
    const dir = brokenPack({ "index.ts": `${VALID_POLICY}const size: number = "large";\n` });
    await assert.rejects(startPolicyPack(dir), (err: unknown) => {
      assert.ok(err instanceof PolicyPackError);
      assert.match(err.message, /exited with code \d+ before printing its port/);
      assert.match(err.stderr, /TS2322: Type 'string' is not assignable to type 'number'/);
      return true;
    });
  });

  it("a pack without a version in package.json fails to start, with @pulumi/policy's error", async () => {
    // JavaScript, so that the test does not pay for type checking a pack it only needs to load.
    const dir = brokenPack({
      "package.json": JSON.stringify({ name: "broken" }),
      "index.js": `const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("broken", { policies: [] });\n`,
    });
    await assert.rejects(startPolicyPack(dir), (err: unknown) => {
      assert.ok(err instanceof PolicyPackError);
      assert.match(err.stderr, /Version must be defined in the package.json file/);
      return true;
    });
  });

  it("a folder without PulumiPolicy.yaml is refused before anything runs", async () => {
    const dir = brokenPack({ "index.ts": VALID_POLICY });
    fs.rmSync(path.join(dir, "PulumiPolicy.yaml"));
    await assert.rejects(
      startPolicyPack(dir),
      /failed to load Pulumi policy project.*PulumiPolicy.yaml does not exist/,
    );
  });

  it("a pack that dies after starting makes every later call fail, saying so", async () => {
    const pack = await startPolicyPack(FIXTURE_PACK);
    try {
      process.kill(pack.pid, "SIGKILL");
      const resource = {
        urn: "urn:pulumi:dev::p::fixture:storage:Bucket::b",
        type: "fixture:storage:Bucket",
        name: "b",
        properties: {},
      };
      await assert.rejects(pack.analyze(resource), /was killed by SIGKILL/);
    } finally {
      await pack.close();
    }
  });
});
