import { strict as assert } from "assert";
import { lokiOnDeleteStatefulSetsHaveOperator } from "../../../../policies/rules/rollout/loki-ondelete-statefulsets-have-operator";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy loki-ondelete-statefulsets-have-operator (U5)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await runStackPolicy(lokiOnDeleteStatefulSetsHaveOperator, compliantStack())).violations, []);
  });

  it("rejects OnDelete zone-aware ingesters without the rollout-operator (held-out f18)", async () => {
    const run = await runStackPolicy(
      lokiOnDeleteStatefulSetsHaveOperator,
      mutateValues(compliantStack(), "loki", "ingester.strategy", { type: "OnDelete" }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.ingester\.strategy\.type=OnDelete .* the StatefulSet controller never replaces a pod; rollout_operator\.enabled is unset/,
    );
  });

  it("rejects OnDelete on a StatefulSet the operator does not roll", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "loki", "rollout_operator.enabled", true),
      "loki",
      "compactor",
      { replicas: 1, strategy: { type: "OnDelete" } },
    );
    const run = await runStackPolicy(lokiOnDeleteStatefulSetsHaveOperator, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /nothing deletes compactor's pods/);
  });

  it("accepts OnDelete zone-aware ingesters with the operator, and RollingUpdate without it", async () => {
    for (const records of [
      mutateValues(
        mutateValues(compliantStack(), "loki", "ingester.strategy", { type: "OnDelete" }),
        "loki",
        "rollout_operator.enabled",
        true,
      ),
      mutateValues(compliantStack(), "loki", "ingester.strategy", { type: "RollingUpdate" }),
    ])
      assert.deepEqual((await runStackPolicy(lokiOnDeleteStatefulSetsHaveOperator, records)).violations, []);
  });
});
