import { strict as assert } from "assert";
import {
  featureGateErrors,
  strimziFeatureGatesValid,
} from "../../../../policies/rules/kafka/strimzi-feature-gates-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const withGates = (value: unknown) => mutateValues(compliantStack(), "strimzi-operator", "featureGates", value);

async function messages(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(strimziFeatureGatesValid, records)).violations.map((v) => v.message);
}

describe("policy strimzi-feature-gates-valid (K25)", () => {
  it("passes the compliant stack, an empty value and the gates Strimzi 1.2.0 knows", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
    assert.deepEqual(await messages(withGates("")), []);
    assert.deepEqual(await messages(withGates(" +UseBackgroundPodDeletion , -UseConnectBuildWithBuildah ")), []);
  });

  it("rejects a removed gate (held-out t33: +UseKRaft)", async () => {
    const found = await messages(withGates("+UseKRaft"));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /featureGates="\+UseKRaft": the Strimzi 1\.2\.0 Cluster Operator refuses its STRIMZI_FEATURE_GATES at start-up \("Unknown feature gate UseKRaft found in the configuration" \(UseKRaft was removed in Strimzi 0\.42\.0.*crash-loops/,
    );
  });

  it("rejects bad syntax, a misspelt gate and a gate given twice", () => {
    assert.match(featureGateErrors("UseBackgroundPodDeletion")[0], /is not a valid feature gate configuration/);
    assert.match(featureGateErrors("+UseBackgroundPodDeletion,,+X")[0], /is not a valid feature gate configuration/);
    assert.match(featureGateErrors("+Use-KRaft")[0], /is not a valid feature gate configuration/);
    assert.deepEqual(featureGateErrors("+UseBackgroundPodDeletions"), [
      '"Unknown feature gate UseBackgroundPodDeletions found in the configuration"',
    ]);
    assert.match(
      featureGateErrors("+UseBackgroundPodDeletion,-UseBackgroundPodDeletion")[0],
      /Feature gate UseBackgroundPodDeletion is configured multiple times/,
    );
    assert.match(featureGateErrors("-ServerSideApplyPhase1")[0], /removed in Strimzi 1\.2\.0/);
  });

  it("rejects a list, which the chart quotes as its Go text", async () => {
    assert.match(
      (await messages(withGates(["+UseBackgroundPodDeletion"])))[0],
      /is not a valid feature gate configuration/,
    );
  });

  it("gives no violation for a value unknown during preview", async () => {
    const run = await runStackPolicy(strimziFeatureGatesValid, withGates(UNKNOWN));
    assert.deepEqual(run.violations, []);
  });
});
