import { strict as assert } from "assert";
import { prefixesOverlap } from "../../../policies/lib/buckets";
import { isPlaceholder } from "../../../policies/lib/credentials";
import { ruleApplies, stackEnvironment } from "../../../policies/lib/environment";
import { RuleContext, schemaDefaults, stackRule } from "../../../policies/lib/policy";
import { PolicyInputError } from "../../../policies/lib/node";
import { StackView } from "../../../policies/lib/stack";
import { known } from "../../../policies/lib/unknown";
import { compliantStack, mutate } from "../support/fixture";
import { runStackPolicy, stackValidationArgs, UNKNOWN } from "../support/harness";

const viewOf = (records = compliantStack()) => new StackView(stackValidationArgs(records).resources);

describe("policies/lib helpers", () => {
  it("prefixesOverlap: a rule prefix touches a protected prefix it contains or is contained in", () => {
    assert.equal(prefixesOverlap("", "index/"), true);
    assert.equal(prefixesOverlap("index/delete_requests/", "index/"), true);
    assert.equal(prefixesOverlap("tenant-a/", "index/"), false);
  });

  it("isPlaceholder: env references are not literals", () => {
    assert.equal(isPlaceholder("${KAFKA_SASL_PASSWORD}"), true);
    assert.equal(isPlaceholder("$(PASSWORD)"), true);
    assert.equal(isPlaceholder("hunter2"), false);
  });

  it("stackEnvironment reads the strictest profile tag, unless configured", () => {
    assert.equal(stackEnvironment(viewOf()).environment, "prod");
    const mixed = mutate(compliantStack(), "eks-cluster", ["tags", "observability/profile"], "staging");
    assert.equal(stackEnvironment(viewOf(mixed)).environment, "prod");
    assert.equal(stackEnvironment(viewOf(), "dev").environment, "dev");
    const untagged = stackEnvironment(viewOf([]));
    assert.equal(untagged.environment, undefined);
    assert.equal(ruleApplies(untagged, ["staging", "prod"]), true);
  });

  it("schemaDefaults collects declared defaults", () => {
    assert.deepEqual(schemaDefaults({ properties: { a: { type: "integer", default: 3 }, b: { type: "string" } } }), {
      a: 3,
    });
  });

  describe("stackRule", () => {
    const rule = (check: (ctx: RuleContext<{ limit: number }>) => void) =>
      stackRule<{ limit: number }>(
        {
          name: "test-rule",
          rule: "T1",
          description: "Test rule",
          enforcementLevel: "mandatory",
          severity: "low",
          remediationSteps: "n/a",
          url: "https://example.com",
          configSchema: { properties: { limit: { type: "integer", default: 7 } } },
        },
        (_stack, ctx) => check(ctx),
      );

    it("applies schema defaults under the engine's config", async () => {
      let seen: number | undefined;
      await runStackPolicy(
        rule((ctx) => (seen = ctx.config.limit)),
        [],
      );
      assert.equal(seen, 7);
      await runStackPolicy(
        rule((ctx) => (seen = ctx.config.limit)),
        [],
        { limit: 9 },
      );
      assert.equal(seen, 9);
    });

    it("reports bad input as a violation rather than failing the pack", async () => {
      const run = await runStackPolicy(
        rule(() => {
          throw new PolicyInputError("x=1 is not y", "urn:x");
        }),
        [],
      );
      assert.deepEqual(run.violations, [{ message: "x=1 is not y", urn: "urn:x", enforcementLevel: "mandatory" }]);
    });

    it("records a value a deep check needed but found unknown (thrown Inconclusive) as a preview advisory, not a failure", async () => {
      const replicasOfMimir = stackRule<object>(
        {
          name: "test-known",
          rule: "T2",
          description: "Test rule",
          enforcementLevel: "mandatory",
          severity: "low",
          remediationSteps: "n/a",
          url: "https://example.com",
        },
        (stack, ctx) => {
          const replicas = known(stack.helmReleases("mimir-distributed")[0].values.at("distributor.replicas").number());
          ctx.violation(`replicas=${replicas}`);
        },
      );
      const run = await runStackPolicy(
        replicasOfMimir,
        mutate(compliantStack(), "mimir", ["values", "distributor", "replicas"], UNKNOWN),
      );
      assert.deepEqual(run.violations, []);
      assert.match(run.previewAdvisory ?? "", /can't be known during preview/);
      assert.equal(
        (await runStackPolicy(replicasOfMimir, compliantStack())).violations.length,
        1,
        "with the value known the check runs",
      );
    });

    it("keeps advisory findings advisory inside a mandatory policy", async () => {
      const run = await runStackPolicy(
        rule((ctx) => ctx.advisory("cannot verify")),
        [],
      );
      assert.deepEqual(run.advisories, [{ message: "cannot verify", urn: undefined, enforcementLevel: "advisory" }]);
      assert.equal(rule(() => undefined).description, "Test rule [T1]");
    });
  });
});
