// Pins the harness's model of what the engine shows a policy pack in the three scenarios (update, preview of an
// existing stack, first preview of a new stack), on the real program and the real pack; the engine sources are cited
// in tools/harness/capture-monitor.ts and run-policies.ts.
import { strict as assert } from "assert";
import * as path from "path";
import {
  startPolicyPack,
  type AnalyzerResourceInput,
  type AnalyzerStackResourceInput,
  type PolicyPackClient,
} from "../../../tools/harness/analyzer";
import type { CapturedStack } from "../../../tools/harness/capture";
import { runPolicies } from "../../../tools/harness/run-policies";
import { containsUnknown, UNKNOWN } from "../../../tools/harness/wire";
import { REPO_ROOT, runStack } from "../../../test/support/program";

const isKubernetes = (type: string) => type.startsWith("kubernetes:");

/** The requests a run sends, recorded on their way to the real pack. */
function recording(pack: PolicyPackClient) {
  const calls: { call: "remediate" | "analyze"; urn: string }[] = [];
  const analyzed: AnalyzerResourceInput[] = [];
  const stacks: AnalyzerStackResourceInput[][] = [];
  const client: PolicyPackClient = Object.assign(Object.create(pack) as PolicyPackClient, {
    remediate: (r: AnalyzerResourceInput) => (calls.push({ call: "remediate", urn: r.urn }), pack.remediate(r)),
    analyze: (r: AnalyzerResourceInput) => (
      calls.push({ call: "analyze", urn: r.urn }),
      analyzed.push(r),
      pack.analyze(r)
    ),
    analyzeStack: (rs: AnalyzerStackResourceInput[]) => (stacks.push(rs), pack.analyzeStack(rs)),
  });
  return { client, calls, analyzed, stacks };
}

describe("what the engine shows the pack, per scenario (real program, real pack)", function () {
  this.timeout(300_000);
  let pack: PolicyPackClient;
  let created: CapturedStack;
  let existing: CapturedStack;
  before(async () => {
    pack = await startPolicyPack(path.join(REPO_ROOT, "policies"));
    [created, existing] = (
      await Promise.all([
        runStack("staging", {}, { preview: true }),
        runStack("staging", {}, { preview: true, existingStack: true }),
      ])
    ).map((r) => r.captured);
  });
  after(async () => pack?.close());

  describe("first preview of a new stack", () => {
    it("leaves the Kubernetes provider unconfigured: its kubeconfig is unknown", () => {
      const provider = created.resources.find((r) => r.type === "pulumi:providers:kubernetes");
      assert.ok(provider);
      assert.ok(containsUnknown(provider.inputs.kubeconfig), JSON.stringify(provider.inputs.kubeconfig));
    });

    it("stores no outputs and no ID for every resource of that provider (Create returned CreateResponse{})", () => {
      const kubernetes = created.resources.filter((r) => r.custom && isKubernetes(r.type));
      assert.ok(kubernetes.length >= 20, `${kubernetes.length} kubernetes resources`);
      for (const resource of kubernetes) {
        assert.deepEqual(resource.outputs, {}, resource.urn);
        assert.equal(resource.id, undefined, resource.urn);
        assert.ok(Object.keys(resource.inputs).length > 0, resource.urn);
      }
    });

    it("previews AWS creates through the configured AWS provider: inputs echoed, computed values unknown", () => {
      const bucket = created.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
      assert.equal(bucket.outputs.bucket, bucket.inputs.bucket);
      assert.equal(bucket.outputs.arn, UNKNOWN);
    });

    it("sends Analyze the inputs with the unconfigured provider, and AnalyzeStack {} for the same resources", async () => {
      const { client, calls, analyzed, stacks } = recording(pack);
      const result = await runPolicies(client, created);
      assert.equal(result.failed, false);
      const release = analyzed.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "mimir-release")!;
      assert.ok(release.properties.values, "Analyze receives the release's values");
      assert.ok(release.provider && containsUnknown(release.provider.properties.kubeconfig));
      const inStack = stacks[0].find((r) => r.urn === release.urn)!;
      assert.deepEqual(inStack.properties, {});
      assert.ok(inStack.provider && containsUnknown(inStack.provider.properties.kubeconfig));
      // Remediate precedes Analyze for every analyzed resource, whether or not a policy remediates.
      for (const { urn } of analyzed) {
        const order = calls.filter((c) => c.urn === urn).map((c) => c.call);
        assert.deepEqual(order, ["remediate", "analyze"], urn);
      }
    });
  });

  describe("preview of an existing stack", () => {
    it("knows every output and ID, and the Kubernetes provider is configured", () => {
      for (const resource of existing.resources.filter((r) => r.custom)) {
        assert.ok(!containsUnknown(resource.outputs), resource.urn);
        assert.ok(resource.id, resource.urn);
      }
      const release = existing.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
      assert.deepEqual(release.outputs.values, release.inputs.values);
    });

    it("is analyzed as a preview (dry run): a per-resource mandatory finding fails it without halting it", async () => {
      // Loki's gateway opened in prod: rule S8 judges the release in its Analyze call.
      const open = (
        await runStack(
          "prod",
          { overrides: { loki: { gateway: { basicAuth: { enabled: false } } } } },
          { preview: true, existingStack: true },
        )
      ).captured;
      const { client, stacks } = recording(pack);
      const result = await runPolicies(client, open);
      assert.equal(result.dryRun, true);
      assert.equal(result.halted, undefined);
      assert.equal(result.failed, true);
      const found = result.diagnostics.filter((d) => d.policyName === "gateways-require-basic-auth");
      assert.deepEqual(
        found.map((d) => d.phase),
        ["analyze"],
        "found in Analyze, not repeated at AnalyzeStack",
      );
      assert.equal(stacks.length, 1, "AnalyzeStack still ran");
    });
  });
});
