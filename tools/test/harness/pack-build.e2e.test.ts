// The policy pack's JavaScript build (what `npm run check` starts, skipping ts-node's type check) must be the pack:
// the same files, and over real stacks the same verdicts as the pack started the engine's way.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { captureStacks, type CapturedStack } from "../../../tools/harness/capture";
import {
  runPolicies,
  startPolicyPack,
  type PolicyPackClient,
  type PolicyRunResult,
} from "../../../tools/harness/analyzer";
import { buildJavaScriptPack, PACK_BUILD_CACHE, PackBuildUnsupported } from "../../../tools/harness/pack-build";
import { POLICY_PACK, PROGRAM, REPO_ROOT, SHIPPED_STACKS, shippedStack } from "./shipped-stacks";

const created: string[] = [];
after(() => created.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A TypeScript pack in a temp folder, with the repository's node_modules linked in as a real pack would resolve them. */
function tempPack(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-pack-build-"));
  created.push(dir);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const defaults: Record<string, string> = {
    "package.json": JSON.stringify({ name: "built", version: "1.2.3", main: "index.ts" }),
    "PulumiPolicy.yaml": "runtime: nodejs\n",
    "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true } }),
    "index.ts":
      'import { PolicyPack } from "@pulumi/policy";\nimport { policies } from "./lib/rules";\nnew PolicyPack("built", { policies });\n',
    "lib/rules.ts":
      'import type { PolicyPackArgs } from "@pulumi/policy";\nexport const policies: PolicyPackArgs["policies"] = [];\n',
    "lib/limits.json": '{ "max": 3 }\n',
  };
  for (const [name, content] of Object.entries({ ...defaults, ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function build(packDir: string): string {
  const dir = buildJavaScriptPack(packDir);
  if (dir !== packDir) created.push(dir);
  return dir;
}

function filesIn(dir: string, relative = ""): string[] {
  return fs.readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(relative, entry.name);
    return entry.isDirectory() ? filesIn(dir, file) : [file];
  });
}

describe("the policy pack's JavaScript build", function () {
  this.timeout(300_000);

  describe("buildJavaScriptPack", () => {
    it("mirrors the pack: TypeScript as JavaScript, main pointed at it, other files as they are, no tsconfig", () => {
      const pack = tempPack({});
      const dir = build(pack);
      assert.equal(
        path.dirname(dir),
        path.join(REPO_ROOT, "node_modules", PACK_BUILD_CACHE),
        "beside the pack's own dependencies",
      );
      assert.deepEqual(filesIn(dir).sort(), [
        "PulumiPolicy.yaml",
        "index.js",
        "lib/limits.json",
        "lib/rules.js",
        "package.json",
      ]);
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")), {
        name: "built",
        version: "1.2.3",
        main: "index.js",
      });
      assert.match(fs.readFileSync(path.join(dir, "index.js"), "utf8"), /require\("\.\/lib\/rules"\)/);
      assert.equal(fs.readFileSync(path.join(dir, "lib/limits.json"), "utf8"), '{ "max": 3 }\n');
    });

    it("makes a new build when a file changes, and reuses the build of unchanged sources", () => {
      const pack = tempPack({});
      const first = build(pack);
      assert.equal(build(pack), first);
      fs.writeFileSync(path.join(pack, "lib/rules.ts"), 'export const policies = ["changed"] as never[];\n');
      const second = build(pack);
      assert.notEqual(second, first);
      assert.deepEqual(require(path.join(second, "lib/rules.js")).policies, ["changed"]);
    });

    it("refuses a pack whose code reaches outside its folder, or that has no tsconfig.json of its own", () => {
      const outside = tempPack({ "index.ts": 'import "../shared/rules";\n' });
      assert.throws(
        () => build(outside),
        (err: unknown) =>
          err instanceof PackBuildUnsupported &&
          /imports \.\.\/shared\/rules, outside the pack folder/.test(err.message),
      );
      const noTsconfig = tempPack({});
      fs.rmSync(path.join(noTsconfig, "tsconfig.json"));
      assert.throws(
        () => build(noTsconfig),
        (err: unknown) => err instanceof PackBuildUnsupported && /has no tsconfig\.json of its own/.test(err.message),
      );
    });

    it("reads a tsconfig.json with comments, and refuses one run-policy-pack could not require as CommonJS", () => {
      const commented = tempPack({
        "tsconfig.json": '{\n  // the pack\'s options\n  "compilerOptions": { "module": "commonjs", },\n}\n',
      });
      assert.match(fs.readFileSync(path.join(build(commented), "index.js"), "utf8"), /require\("\.\/lib\/rules"\)/);
      const esm = tempPack({ "tsconfig.json": JSON.stringify({ compilerOptions: { module: "esnext" } }) });
      assert.throws(
        () => build(esm),
        (err: unknown) => err instanceof PackBuildUnsupported && /sets module esnext, not commonjs/.test(err.message),
      );
    });

    it("lets startPolicyPack fall back to the pack's folder, saying why, when the pack cannot be built", async () => {
      const pack = tempPack({});
      fs.rmSync(path.join(pack, "tsconfig.json"));
      const client = await startPolicyPack(pack, { javascriptBuild: true });
      try {
        assert.equal(client.runDir, pack);
        assert.match(client.buildSkipped ?? "", /has no tsconfig\.json of its own/);
        assert.equal((await client.getAnalyzerInfo()).version, "1.2.3");
      } finally {
        await client.close();
      }
    });

    it("leaves a JavaScript pack as it is", () => {
      const pack = tempPack({ "index.ts": "" });
      fs.rmSync(path.join(pack, "index.ts"));
      fs.rmSync(path.join(pack, "lib/rules.ts"));
      fs.writeFileSync(path.join(pack, "index.js"), "");
      assert.equal(build(pack), pack);
    });
  });

  describe("over real stacks, against the pack started the engine's way (ts-node type-checking the TypeScript)", () => {
    // The shipped stacks, a preview, and two conflicting configurations, so that violations are compared too.
    const plan = [
      ...SHIPPED_STACKS.map((stack) => shippedStack(stack, false)),
      shippedStack("prod", true),
      shippedStack("dev", false, { overrides: { kafkaTopic: { config: { "max.message.bytes": 1048576 } } } }),
      shippedStack("prod", false, { overrides: { kafkaTopic: { replicas: 5 } } }),
    ];
    let engineWay: PolicyPackClient;
    let fromBuild: PolicyPackClient;
    let captured: CapturedStack[];
    const results: { engineWay: PolicyRunResult; fromBuild: PolicyRunResult }[] = [];

    before(async () => {
      [engineWay, fromBuild, captured] = await Promise.all([
        startPolicyPack(POLICY_PACK),
        startPolicyPack(POLICY_PACK, { javascriptBuild: true }),
        Promise.all(captureStacks({ programPath: PROGRAM, stacks: plan })),
      ]);
      for (const stack of captured) {
        results.push({
          engineWay: await runPolicies(engineWay, stack),
          fromBuild: await runPolicies(fromBuild, stack),
        });
      }
    });
    after(async () => {
      await Promise.all([engineWay?.close(), fromBuild?.close()]);
    });

    it("starts the build from the node_modules cache, and the pack as it is from its folder", () => {
      assert.equal(engineWay.runDir, POLICY_PACK);
      assert.equal(path.dirname(fromBuild.runDir), path.join(REPO_ROOT, "node_modules", PACK_BUILD_CACHE));
      assert.equal(fromBuild.buildSkipped, undefined);
      console.log(
        `      policy pack startup: ts-node ${engineWay.startupMs} ms, JavaScript build ${fromBuild.startupMs} ms (both at once, with captures running)`,
      );
    });

    it("serves the same policies, levels and config schemas", async () => {
      assert.deepEqual(await fromBuild.getAnalyzerInfo(), await engineWay.getAnalyzerInfo());
    });

    it("gives every stack the same verdicts: diagnostics, messages, levels, remediations, halts", () => {
      plan.forEach((stack, i) => {
        assert.deepEqual(
          results[i].fromBuild,
          results[i].engineWay,
          `${stack.stack}${stack.preview ? " (preview)" : ""}`,
        );
      });
      const mandatory = results.map((r) =>
        r.engineWay.diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policyName),
      );
      assert.deepEqual(
        mandatory.slice(0, SHIPPED_STACKS.length + 1),
        SHIPPED_STACKS.map(() => []).concat([[]]),
        "the shipped stacks pass",
      );
      assert.deepEqual(mandatory[SHIPPED_STACKS.length + 1], ["kafka-message-size-fits-mimir-batch"]);
      assert.ok(mandatory[SHIPPED_STACKS.length + 2].includes("kafka-topic-replication-within-brokers"));
    });
  });
});
