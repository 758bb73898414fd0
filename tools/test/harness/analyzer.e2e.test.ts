import { strict as assert } from "assert";
import { captureProgram, type CapturedStack } from "../../../tools/harness/capture";
import {
  PolicyConfigValidationError,
  PolicyPackError,
  runPolicies,
  startPolicyPack,
  type PolicyPackClient,
  type PolicyRunResult,
} from "../../../tools/harness/analyzer";
import { RESOURCE_REFERENCE_SIG, secret, SIG_KEY, UNKNOWN } from "../../../tools/harness/wire";
import { FIXTURE_PACK, FIXTURE_PROGRAM, FIXTURE_PROJECT, fixtureConfig, fixtureMocks } from "./fixtures/fixture-mocks";

const BUCKET = "fixture:storage:Bucket";
const PACK = { name: "harness-fixture", version: "0.0.1" };

function bucket(name: string, properties: Record<string, unknown>) {
  return { urn: `urn:pulumi:dev::p::${BUCKET}::${name}`, type: BUCKET, name, properties: properties as never };
}

function messagesOf(result: PolicyRunResult, policyName: string): string[] {
  return result.diagnostics
    .filter((d) => d.policyName === policyName)
    .map((d) => `${d.enforcementLevel} ${d.urn.split("::").pop()}: ${d.message}`);
}

describe("policy pack over gRPC", function () {
  let pack: PolicyPackClient;
  let update: CapturedStack;
  let preview: CapturedStack;

  before(async function () {
    const capture = (isPreview: boolean) =>
      captureProgram({
        programPath: FIXTURE_PROGRAM,
        project: FIXTURE_PROJECT,
        stack: "dev",
        config: fixtureConfig("150"),
        preview: isPreview,
        mocks: fixtureMocks(),
      });
    // The pack is started first and alone: its startup time is reported without the captures competing for CPU.
    pack = await startPolicyPack(FIXTURE_PACK);
    console.log(`      policy pack startup (run-policy-pack with ts-node type checking): ${pack.startupMs} ms`);
    [update, preview] = await Promise.all([capture(false), capture(true)]);
  });

  after(async () => {
    await pack?.close();
  });

  describe("GetAnalyzerInfo", () => {
    it("describes the pack and its policies, sorted by name, with schema defaults and levels", async () => {
      const info = await pack.getAnalyzerInfo();
      assert.equal(info.name, PACK.name);
      assert.equal(info.version, PACK.version);
      assert.deepEqual(
        info.policies.map((p) => `${p.name}:${p.type}:${p.enforcementLevel}`),
        [
          "fixture-bucket-logging-target:resource:mandatory",
          "fixture-bucket-size-limit:resource:advisory",
          "fixture-bucket-versioning:resource:mandatory",
          "fixture-buckets-belong-to-store:stack:mandatory",
          "fixture-database-password-length:resource:mandatory",
          "fixture-explode-probe:resource:advisory",
          "fixture-stack-graph-probe:stack:advisory",
        ],
      );
      const sizeLimit = info.policies.find((p) => p.name === "fixture-bucket-size-limit");
      assert.deepEqual(sizeLimit?.configSchema?.properties.maxSizeGb, { type: "integer", minimum: 1, default: 100 });
      assert.ok(
        sizeLimit?.configSchema?.properties.enforcementLevel,
        "the engine injects enforcementLevel into every schema",
      );
    });
  });

  describe("Configure", () => {
    it("sends every policy at its own level with its schema defaults when given no config", async () => {
      const sent = await pack.configure();
      assert.deepEqual(sent["fixture-bucket-size-limit"], {
        enforcementLevel: "advisory",
        properties: { maxSizeGb: 100 },
      });
      const result = await pack.analyze(bucket("big", { sizeGb: 150, versioning: true }));
      assert.deepEqual(
        result.diagnostics.map((d) => d.message),
        ["Buckets must stay under the configured size.\nsizeGb 150 exceeds maxSizeGb 100"],
      );
    });

    it("applies `all` to every policy, then the per-policy entries on top", async () => {
      const sent = await pack.configure({
        all: "disabled",
        "fixture-bucket-size-limit": { enforcementLevel: "mandatory", maxSizeGb: 120 },
      });
      assert.equal(sent["fixture-bucket-versioning"].enforcementLevel, "disabled");
      const result = await pack.analyze(bucket("big", { sizeGb: 150 }));
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.policyName} ${d.enforcementLevel}`),
        ["fixture-bucket-size-limit mandatory"],
        "versioning is disabled, the size limit is mandatory at 120",
      );
    });

    it("rejects config that fails a policy's schema with the engine's message, and sends nothing", async () => {
      await pack.configure({ "fixture-bucket-size-limit": { maxSizeGb: 500 } });
      await assert.rejects(pack.configure({ "fixture-bucket-size-limit": { maxSizeGb: "big" } }), (err: unknown) => {
        assert.ok(err instanceof PolicyConfigValidationError);
        assert.deepEqual(err.errors, [
          `validating policy config: ${PACK.name} ${PACK.version}  fixture-bucket-size-limit: maxSizeGb: Invalid type. Expected: integer, given: string`,
        ]);
        return true;
      });
      const result = await pack.analyze(bucket("big", { sizeGb: 150, versioning: true }));
      assert.deepEqual(result.diagnostics, [], "the previous config (limit 500) is still in force");
    });

    it("rejects an unknown enforcement level before calling the pack", async () => {
      await assert.rejects(
        pack.configure({ all: "strict" }),
        /parsing enforcement level for "all": "strict" is not a valid enforcement level/,
      );
    });
  });

  describe("Analyze and Remediate", () => {
    beforeEach(() => pack.configure());

    it("formats a violation as the policy description, a newline, then the reported message", async () => {
      const [diagnostic] = (await pack.analyze(bucket("plain", { sizeGb: 1 }))).diagnostics;
      assert.equal(diagnostic.message, "Buckets must keep object versions.\nversioning is undefined");
      assert.equal(diagnostic.description, "Buckets must keep object versions.");
      assert.equal(diagnostic.severity, "high");
      assert.equal(diagnostic.policyPackName, PACK.name);
    });

    it("hands a policy the value of a secret, not its wrapper", async () => {
      const db = {
        urn: "urn:pulumi:dev::p::fixture:storage:Database::db",
        type: "fixture:storage:Database",
        name: "db",
      };
      const result = await pack.analyze({ ...db, properties: { password: secret("hunter2") } });
      assert.deepEqual(
        result.diagnostics.map((d) => d.message),
        ["Database passwords must have at least 12 characters.\nthe password has 7 characters"],
      );
    });

    it("downgrades resource references, which the pack cannot read, to IDs", async () => {
      const reference = {
        [SIG_KEY]: RESOURCE_REFERENCE_SIG,
        urn: "urn:pulumi:dev::p::fixture:storage:Bucket::logs",
        id: "arn:fixture:logs",
      };
      const result = await pack.analyze(bucket("ref", { sizeGb: 1, versioning: true, loggingTarget: reference }));
      assert.deepEqual(result.diagnostics, [], "the reference arrived as the ARN-shaped ID");
    });

    it("turns a value unknown during preview into a 'can't run' advisory instead of a violation", async () => {
      const result = await pack.analyze(bucket("later", { sizeGb: 1, versioning: true, loggingTarget: UNKNOWN }));
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.enforcementLevel}: ${d.message}`),
        [
          `advisory: can't run policy 'fixture-bucket-logging-target' from policy pack '${PACK.name}@v${PACK.version}' during ` +
            "preview: string value at .loggingTarget can't be known during preview",
        ],
      );
    });

    it("remediates only when a policy is set to remediate, returning the new properties", async () => {
      assert.deepEqual((await pack.remediate(bucket("plain", { sizeGb: 1 }))).remediations, []);
      await pack.configure({ "fixture-bucket-versioning": "remediate" });
      const [remediation] = (await pack.remediate(bucket("plain", { sizeGb: 1 }))).remediations;
      assert.equal(remediation.policyName, "fixture-bucket-versioning");
      assert.deepEqual(remediation.properties, { sizeGb: 1, versioning: true });
    });

    it("raises a policy's exception as an error, never as 'no violations'", async () => {
      await assert.rejects(pack.analyze(bucket("boom", { explode: true })), (err: unknown) => {
        assert.ok(err instanceof PolicyPackError);
        assert.match(
          err.message,
          /Error validating resource with policy 'fixture-explode-probe'.*probe exploded as asked/s,
        );
        assert.match(err.message, /the pack is still running/);
        return true;
      });
    });
  });

  describe("runPolicies", () => {
    it("in a preview: analyzes every resource, then the stack, with parents and dependencies resolved", async () => {
      const result = await runPolicies(pack, preview);
      assert.equal(result.dryRun, true);
      assert.deepEqual(messagesOf(result, "fixture-buckets-belong-to-store"), [
        "mandatory orphan: Buckets must be created by a Store and depend on their log bucket.\norphan has parent pulumi:pulumi:Stack",
        // Reading main-data's unknown loggingTarget stops the policy; the engine attributes that to the root stack.
        `advisory ${FIXTURE_PROJECT}-dev: can't run policy 'fixture-buckets-belong-to-store' from policy pack ` +
          `'${PACK.name}@v${PACK.version}' during preview: string value at .loggingTarget can't be known during preview`,
      ]);
      assert.equal(result.failed, true, "a mandatory violation fails the preview");
    });

    it("in a preview: unknown inputs give advisories, never mandatory violations", async () => {
      const result = await runPolicies(pack, preview);
      assert.deepEqual(messagesOf(result, "fixture-database-password-length"), [
        `advisory db: can't run policy 'fixture-database-password-length' from policy pack '${PACK.name}@v${PACK.version}' ` +
          "during preview: string value at .password can't be known during preview",
      ]);
      assert.deepEqual(
        result.diagnostics
          .filter((d) => d.policyName === "fixture-bucket-logging-target")
          .map((d) => d.enforcementLevel),
        ["advisory"],
      );
    });

    it("in an update: the stack policy sees each resource's parent, dependencies and outputs", async () => {
      // Disable the mandatory resource policies so the engine does not stop before AnalyzeStack.
      const result = await runPolicies(pack, update, {
        policyConfig: { "fixture-database-password-length": "disabled", "fixture-bucket-versioning": "disabled" },
      });
      assert.equal(result.halted, undefined);
      assert.deepEqual(messagesOf(result, "fixture-stack-graph-probe"), [
        "advisory main-data: Reports the graph around main-data.\n" +
          "parent=main; dependencies=main-logs; loggingTarget<-main-logs; arn=arn:fixture:bucket:main-data",
      ]);
    });

    it("reports mandatory and advisory violations at their levels, and remediate-level ones as mandatory", async () => {
      const result = await runPolicies(pack, update, {
        policyConfig: { "fixture-database-password-length": "remediate", "fixture-bucket-versioning": "disabled" },
      });
      assert.deepEqual(messagesOf(result, "fixture-bucket-size-limit"), [
        "advisory orphan: Buckets must stay under the configured size.\nsizeGb 500 exceeds maxSizeGb 100",
        "advisory main-data: Buckets must stay under the configured size.\nsizeGb 150 exceeds maxSizeGb 100",
      ]);
      // The secret password (8 characters) arrived unwrapped from the program through the engine's marshalling.
      assert.deepEqual(messagesOf(result, "fixture-database-password-length"), [
        "mandatory db: Database passwords must have at least 12 characters.\nthe password has 8 characters",
      ]);
    });

    it("remediates before analyzing, so a remediated resource passes the policy that fixed it", async () => {
      const result = await runPolicies(pack, update, {
        policyConfig: { "fixture-bucket-versioning": "remediate", "fixture-database-password-length": "disabled" },
      });
      assert.deepEqual(
        result.remediations.map(
          (r) => `${r.policyName} ${r.urn.split("::").pop()} ${JSON.stringify(r.after.versioning)}`,
        ),
        ["fixture-bucket-versioning orphan true", "fixture-bucket-versioning main-data true"],
      );
      assert.deepEqual(messagesOf(result, "fixture-bucket-versioning"), []);
    });

    it("in an update: stops at the first resource with a mandatory violation, as the engine does", async () => {
      const result = await runPolicies(pack, update, { policyConfig: { "fixture-bucket-versioning": "disabled" } });
      assert.equal(result.halted?.urn, `urn:pulumi:dev::${FIXTURE_PROJECT}::fixture:storage:Database::db`);
      assert.ok(!result.diagnostics.some((d) => d.phase === "analyzeStack"), "AnalyzeStack never ran");
    });
  });
});
