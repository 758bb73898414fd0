import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { connectPolicyPack, launchPolicyPack } from "../../../tools/harness/analyzer";

const REPO_NODE_MODULES = path.resolve(__dirname, "../../../node_modules");

describe("launching a policy pack apart from dialling it", () => {
  let dir: string;
  before(() => {
    // A JavaScript pack (no compiling) that prints a line a little after it has printed its port.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-launch-"));
    fs.symlinkSync(REPO_NODE_MODULES, path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "launched", version: "0.0.1" }));
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(
      path.join(dir, "index.js"),
      `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("launched", { policies: [{ name: "p", description: "d", enforcementLevel: "advisory", validateResource: () => undefined }] });
setTimeout(() => console.log("printed after the port"), 50);
`,
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps what the pack prints before the client dials it, and the client then works", async () => {
    const launched = await launchPolicyPack(dir);
    assert.ok(launched.port > 0);
    assert.equal(launched.exitDescription(), undefined);
    // The check loads its gRPC client while the pack starts; whatever the pack prints meanwhile must not be lost.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const client = connectPolicyPack(launched);
    try {
      assert.match(client.stdout(), /printed after the port/);
      const info = await client.getAnalyzerInfo();
      assert.equal(info.name, "launched");
      assert.deepEqual(
        info.policies.map((p) => p.name),
        ["p"],
      );
    } finally {
      await client.close();
    }
    assert.equal(launched.exitDescription(), "was killed by SIGTERM");
  });
});
