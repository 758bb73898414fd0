// The pack starts the way the Pulumi engine starts a Node.js pack (`run-policy-pack <engine> .` in the pack folder),
// prints its gRPC port, and describes every policy with its metadata and config schema.
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { policies } from "../../policies/rules";

const repoRoot = path.resolve(__dirname, "../..");
const runPolicyPack = path.join(repoRoot, "node_modules/@pulumi/pulumi/cmd/run-policy-pack");
/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");

function startPack(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], {
      cwd: path.join(repoRoot, "policies"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n")[0].trim();
      if (stdout.includes("\n") && /^\d+$/.test(line)) resolve({ child, port: Number(line) });
    });
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stdout}${stderr}`)));
  });
}

describe("policy pack startup (as the engine runs it)", function () {
  this.timeout(120_000);
  let pack: { child: ChildProcess; port: number } | undefined;

  before(async () => {
    pack = await startPack();
  });

  after(() => {
    pack?.child.kill();
  });

  it("prints a port as its only stdout line", () => {
    assert.ok(pack!.port > 0);
  });

  it("describes every policy with enforcement level, severity, remediation steps, source and config schema", async () => {
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${pack!.port}`, grpc.credentials.createInsecure());
    const info = await new Promise<any>((resolve, reject) =>
      client.getAnalyzerInfo(new emptyProto.Empty(), (err: Error | null, res: any) =>
        err ? reject(err) : resolve(res),
      ),
    );
    client.close();
    assert.equal(info.getName(), "observability-stack");
    const served = info.getPoliciesList();
    assert.deepEqual(served.map((p: any) => p.getName()).sort(), policies.map((p) => p.name).sort());
    for (const policy of served) {
      assert.ok(policy.getDescription().length > 20, policy.getName());
      assert.ok(policy.getRemediationSteps().length > 20, `${policy.getName()} remediation steps`);
      assert.match(policy.getUrl(), /^https:\/\//, `${policy.getName()} url`);
      assert.ok(policy.getSeverity() > 0, `${policy.getName()} severity`);
    }
    const k1 = served.find((p: any) => p.getName() === "kafka-message-size-fits-mimir-batch");
    const schema = k1.getConfigschema().getProperties().toJavaScript();
    assert.equal(schema.requiredMaxMessageBytes.default, 16000000);
    assert.equal(schema.externalKafka.type, "object");
  });
});
