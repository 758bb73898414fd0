import { strict as assert } from "assert";
import { componentVersionsMatchCharts } from "../../../../policies/rules/rollout/component-versions-match-charts";
import { disruptionBudgetsAllowEviction } from "../../../../policies/rules/rollout/disruption-budgets-allow-eviction";
import { kafkaVersionSupportedByStrimzi } from "../../../../policies/rules/rollout/kafka-version-supported-by-strimzi";
import { mimirZoneAwareRolloutsHaveOperator } from "../../../../policies/rules/rollout/mimir-zone-aware-rollouts-have-operator";
import { compliantStack, mutate, mutateValues, withMimirChart } from "../../support/fixture";
import { ResourceRecord, runResourcePolicy, runStackPolicy, UNKNOWN } from "../../support/harness";

const kafkaSpec = (records: ResourceRecord[], path: string, value: unknown) =>
  mutate(records, "kafka-cluster", ["spec", ...path.split(".")], value);

async function violations(policy: Parameters<typeof runStackPolicy>[0], records: ResourceRecord[]) {
  return (await runStackPolicy(policy, records)).violations.map((v) => v.message);
}

describe("policy disruption-budgets-allow-eviction (U1)", () => {
  const run = (records: ResourceRecord[]) => violations(disruptionBudgetsAllowEviction, records);

  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(disruptionBudgetsAllowEviction, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects a Mimir ingester budget of maxUnavailable 0 over all zones", async () => {
    const found = await run(
      mutateValues(compliantStack(), "mimir", "ingester.podDisruptionBudget", { maxUnavailable: 0 }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.ingester\.podDisruptionBudget\.maxUnavailable=0: the ingester PodDisruptionBudget \(6 pod\(s\) .*never allows an eviction.*PodEvictionFailure/,
    );
  });

  it("accepts a Mimir ingester budget of maxUnavailable 2", async () => {
    assert.deepEqual(
      await run(mutateValues(compliantStack(), "mimir", "ingester.podDisruptionBudget", { maxUnavailable: 2 })),
      [],
    );
  });

  it("rejects minAvailable next to the chart's maxUnavailable 1 (both end up in the budget)", async () => {
    const found = await run(
      mutateValues(compliantStack(), "mimir", "querier.podDisruptionBudget", { minAvailable: 1 }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /chart default querier\.podDisruptionBudget\.maxUnavailable=1 and .*minAvailable=1.*cannot be both set/,
    );
  });

  it("accepts minAvailable once the chart's maxUnavailable is nulled", async () => {
    assert.deepEqual(
      await run(
        mutateValues(compliantStack(), "mimir", "querier.podDisruptionBudget", {
          minAvailable: 1,
          maxUnavailable: null,
        }),
      ),
      [],
    );
  });

  it("rejects a Loki distributor budget of maxUnavailable 0", async () => {
    const found = await run(
      mutateValues(compliantStack(), "loki", "distributor.podDisruptionBudget", { maxUnavailable: 0 }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /loki release "loki" values\.distributor\.podDisruptionBudget\.maxUnavailable=0: .*2 pod/);
  });

  it("ignores a Loki budget the chart does not render (one replica)", async () => {
    const records = mutateValues(compliantStack(), "loki", "distributor", {
      replicas: 1,
      podDisruptionBudget: { maxUnavailable: 0 },
    });
    assert.deepEqual(await run(records), []);
  });

  it("rejects a Loki minAvailable of 67% (rounded up to all three zone ingesters)", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget", { minAvailable: "67%" }),
      "loki",
      "ingester.maxUnavailable",
      null,
    );
    const found = await run(records);
    assert.equal(found.length, 1);
    assert.match(found[0], /ingester\.podDisruptionBudget\.minAvailable=67% with 3 pod/);
  });

  it("rejects a Loki minAvailable next to the chart's legacy ingester.maxUnavailable 1", async () => {
    const found = await run(
      mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget", { minAvailable: 2 }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /chart default ingester\.maxUnavailable=1 and .*cannot be both set/);
  });

  it("accepts a Loki ingester minAvailable of 66% (two of three)", async () => {
    const records = mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget", { minAvailable: "66%" });
    // the legacy ingester.maxUnavailable (chart default 1) would be rendered too: null it
    assert.deepEqual(await run(mutateValues(records, "loki", "ingester.maxUnavailable", null)), []);
  });

  it("rejects a Prometheus budget with minAvailable equal to its two replicas", async () => {
    const found = await run(
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.podDisruptionBudget", {
        enabled: true,
        minAvailable: 2,
      }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /prometheus\.podDisruptionBudget\.minAvailable=2 with 2 pod.*prometheus\.prometheusSpec\.replicas above 2/,
    );
  });

  it("accepts the Prometheus budget the program renders (minAvailable 1 of 2)", async () => {
    assert.deepEqual(
      await run(
        mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.podDisruptionBudget", {
          enabled: true,
          minAvailable: 1,
        }),
      ),
      [],
    );
  });

  it("rejects the Strimzi operator budget on its single replica", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "strimzi-operator", "replicas", 1),
      "strimzi-operator",
      "podDisruptionBudget",
      { enabled: true, minAvailable: 1 },
    );
    const found = await run(records);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /strimzi-kafka-operator release "strimzi" values\.podDisruptionBudget\.minAvailable=1 with 1 pod/,
    );
  });

  it("accepts the Strimzi operator budget with two replicas", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "strimzi-operator", "replicas", 2),
      "strimzi-operator",
      "podDisruptionBudget",
      { enabled: true, minAvailable: 1 },
    );
    assert.deepEqual(await run(records), []);
  });

  it("rejects a Kafka budget of maxUnavailable 0, unless the operator generates no budgets", async () => {
    const records = kafkaSpec(compliantStack(), "kafka.template.podDisruptionBudget.maxUnavailable", 0);
    const found = await run(records);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /spec\.kafka\.template\.podDisruptionBudget\.maxUnavailable=0: the Kafka nodes PodDisruptionBudget \(6 pod/,
    );
    assert.deepEqual(await run(mutateValues(records, "strimzi-operator", "generatePodDisruptionBudget", false)), []);
  });

  it("skips a budget unknown during preview, and still judges the others", async () => {
    let records = mutateValues(compliantStack(), "mimir", "ingester.podDisruptionBudget", { maxUnavailable: UNKNOWN });
    records = mutateValues(records, "loki", "distributor.podDisruptionBudget", { maxUnavailable: 0 });
    const result = await runStackPolicy(disruptionBudgetsAllowEviction, records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /loki release "loki" values\.distributor/);
    assert.match(result.previewAdvisory ?? "", /can't be known during preview/);
  });

  it("rejects an Alloy DaemonSet rolling update with maxUnavailable and maxSurge 0", async () => {
    const found = await run(
      mutateValues(compliantStack(), "alloy", "controller.updateStrategy", {
        rollingUpdate: { maxUnavailable: 0, maxSurge: 0 },
      }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /maxUnavailable=0 with .*maxSurge=0: the API server refuses the alloy \(daemonset\) DaemonSet \("[^"]*cannot be 0 when maxSurge is 0"\)/,
    );
  });

  it("rejects an Alloy DaemonSet with maxUnavailable 0 alone (Kubernetes defaults maxSurge to 0)", async () => {
    const found = await run(
      mutateValues(compliantStack(), "alloy", "controller.updateStrategy", { rollingUpdate: { maxUnavailable: 0 } }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /Kubernetes' DaemonSet default maxSurge=0/);
  });

  it("accepts an Alloy DaemonSet surging instead (maxUnavailable 0, maxSurge 1)", async () => {
    assert.deepEqual(
      await run(
        mutateValues(compliantStack(), "alloy", "controller.updateStrategy", {
          rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        }),
      ),
      [],
    );
  });

  it("accepts the same values on an Alloy Deployment (maxSurge defaults to 25%)", async () => {
    const records = mutateValues(compliantStack(), "alloy", "controller", {
      type: "deployment",
      updateStrategy: { rollingUpdate: { maxUnavailable: 0 } },
    });
    assert.deepEqual(await run(records), []);
  });

  it("rejects a Loki distributor rolling update of maxUnavailable 0 over the chart's maxSurge 0", async () => {
    const found = await run(
      mutateValues(compliantStack(), "loki", "distributor.strategy", { rollingUpdate: { maxUnavailable: 0 } }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /chart default distributor\.strategy\.rollingUpdate\.maxSurge=0.*may not be 0 when `maxSurge` is 0/,
    );
  });

  it("rejects a Mimir Deployment strategy that sets both to 0, and accepts one that surges", async () => {
    const zero = await run(
      mutateValues(compliantStack(), "mimir", "querier.strategy", {
        rollingUpdate: { maxUnavailable: 0, maxSurge: "0%" },
      }),
    );
    assert.equal(zero.length, 1);
    assert.match(zero[0], /querier Deployment/);
    assert.deepEqual(
      await run(
        mutateValues(compliantStack(), "mimir", "querier.strategy", {
          rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        }),
      ),
      [],
    );
  });
});

describe("policy mimir-zone-aware-rollouts-have-operator (U2)", () => {
  const run = (records: ResourceRecord[]) => violations(mimirZoneAwareRolloutsHaveOperator, records);

  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(mimirZoneAwareRolloutsHaveOperator, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects a disabled rollout-operator with zone-aware ingesters and store-gateways", async () => {
    const found = await run(mutateValues(compliantStack(), "mimir", "rollout_operator", { enabled: false }));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.rollout_operator\.enabled=false while ingester\.zoneAwareReplication\.enabled=true, store_gateway\.zoneAwareReplication\.enabled=true: .*OnDelete.*never reaches their pods/,
    );
  });

  it("counts the chart's zone-aware default when the values do not say", async () => {
    let records = mutateValues(compliantStack(), "mimir", "rollout_operator", { enabled: false });
    records = mutateValues(records, "mimir", "ingester.zoneAwareReplication", undefined);
    records = mutateValues(records, "mimir", "store_gateway.zoneAwareReplication.enabled", false);
    const found = await run(records);
    assert.equal(found.length, 1);
    assert.match(found[0], /chart default ingester\.zoneAwareReplication\.enabled=true/);
  });

  it("accepts a disabled rollout-operator once nothing is zone-aware", async () => {
    let records = mutateValues(compliantStack(), "mimir", "rollout_operator", { enabled: false });
    records = mutateValues(records, "mimir", "ingester.zoneAwareReplication", { enabled: false });
    records = mutateValues(records, "mimir", "store_gateway.zoneAwareReplication", { enabled: false });
    assert.deepEqual(await run(records), []);
  });
});

describe("policy component-versions-match-charts (U3)", () => {
  const pinned = () => withMimirChart(compliantStack());

  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(componentVersionsMatchCharts, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects Mimir 2.10 on mimir-distributed 6.0.6", async () => {
    const found = await violations(
      componentVersionsMatchCharts,
      mutateValues(pinned(), "mimir", "image", { tag: "2.10.5" }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.image\.tag=2\.10\.5 runs Mimir 2\.10 .*chart 6\.0\.6, which renders its config and flags for Mimir 3\.0.*refuse to start/,
    );
  });

  it("rejects a per-component tag of another major", async () => {
    const found = await violations(
      componentVersionsMatchCharts,
      mutateValues(pinned(), "mimir", "ingester.image", { tag: "v2.17.0" }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /values\.ingester\.image\.tag=v2\.17\.0 runs Mimir 2\.17 in the ingester pods/);
  });

  it("accepts a patch release of the chart's Mimir 3.0", async () => {
    assert.deepEqual(
      await violations(componentVersionsMatchCharts, mutateValues(pinned(), "mimir", "image", { tag: "3.0.4" })),
      [],
    );
  });

  it("advises on a newer minor of the same major, and on a tag it cannot read", async () => {
    const newer = await runStackPolicy(
      componentVersionsMatchCharts,
      mutateValues(pinned(), "mimir", "image", { tag: "3.1.0" }),
    );
    assert.deepEqual(newer.violations, []);
    assert.match(newer.advisories[0].message, /^INFERRED: .*Mimir 3\.1/);
    const weekly = await runStackPolicy(
      componentVersionsMatchCharts,
      mutateValues(pinned(), "mimir", "image", { tag: "r350-abc123" }),
    );
    assert.deepEqual(weekly.violations, []);
    assert.match(weekly.advisories[0].message, /r350-abc123 is not a <major>\.<minor>\.<patch> release tag/);
  });

  it("rejects Loki 3.5 on loki 18.11.0 and accepts 3.7.x", async () => {
    const found = await violations(
      componentVersionsMatchCharts,
      mutateValues(compliantStack(), "loki", "loki.image", { tag: "3.5.0" }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /values\.loki\.image\.tag=3\.5\.0 runs Loki 3\.5 .*Loki 3\.7/);
    assert.deepEqual(
      await violations(
        componentVersionsMatchCharts,
        mutateValues(compliantStack(), "loki", "loki.image", { tag: "3.7.2" }),
      ),
      [],
    );
  });
});

describe("policy kafka-version-supported-by-strimzi (U4)", () => {
  const run = (records: ResourceRecord[]) => violations(kafkaVersionSupportedByStrimzi, records);

  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(kafkaVersionSupportedByStrimzi, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects Kafka 3.9.0, which Strimzi 1.2.0 does not run", async () => {
    const records = kafkaSpec(
      kafkaSpec(compliantStack(), "kafka.version", "3.9.0"),
      "kafka.metadataVersion",
      "3.9-IV0",
    );
    const found = await run(records);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /spec\.kafka\.version=3\.9\.0 is not a Kafka version Strimzi 1\.2\.0 runs \(4\.2\.0, 4\.2\.1, 4\.3\.0, 4\.3\.1\)/,
    );
  });

  it("rejects metadata 4.3-IV0 on Kafka 4.2.0", async () => {
    const records = kafkaSpec(
      kafkaSpec(compliantStack(), "kafka.version", "4.2.0"),
      "kafka.metadataVersion",
      "4.3-IV0",
    );
    const found = await run(records);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /metadataVersion=4\.3-IV0 is newer than spec\.kafka\.version=4\.2\.0 .*has to be lower or equal/,
    );
  });

  it("judges the Kafka resource before it is created", async () => {
    const records = kafkaSpec(compliantStack(), "kafka.version", "3.9.0");
    const kafka = records.find((r) => r.name === "kafka-cluster") as ResourceRecord;
    const result = await runResourcePolicy(kafkaVersionSupportedByStrimzi, kafka, {}, "u4-analyze");
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /Unsupported Kafka\.spec\.kafka\.version: 3\.9\.0/);
  });

  it("accepts Kafka 4.3.1 with an older metadata version (the middle of an upgrade)", async () => {
    const records = kafkaSpec(
      kafkaSpec(compliantStack(), "kafka.version", "4.3.1"),
      "kafka.metadataVersion",
      "4.2-IV1",
    );
    assert.deepEqual(await run(records), []);
  });

  it("rejects a malformed metadata version", async () => {
    const found = await run(kafkaSpec(compliantStack(), "kafka.metadataVersion", "4.3.1"));
    assert.equal(found.length, 1);
    assert.match(found[0], /metadataVersion=4\.3\.1 is not a KRaft metadata version/);
  });
});

describe("policy component-versions-match-charts (U3): Alloy, kube-prometheus-stack, Strimzi", () => {
  // The program's events block (components/alloy/config.ts buildAlloyConfig).
  const EVENTS = `loki.source.kubernetes_events "cluster" {\n  forward_to = []\n\n  clustering {\n    enabled = true\n  }\n}\n`;
  const alloy = (tag: string, content = EVENTS) =>
    mutateValues(mutateValues(compliantStack(), "alloy", "alloy.configMap.content", content), "alloy", "image", {
      tag,
    });

  it("rejects Alloy 1.15 running a config with kubernetes_events clustering (added in 1.16; held-out x22)", async () => {
    const run = await runStackPolicy(componentVersionsMatchCharts, alloy("v1.15.0"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.image\.tag=v1\.15\.0 runs Alloy 1\.15, older than the 1\.18 .*clustering.*added in Alloy 1\.16\.0.*error during the initial load/,
    );
  });

  it("advises (never refuses) an older Alloy whose config uses nothing the pack knows is newer, and older kps/Strimzi tags", async () => {
    for (const records of [
      alloy("v1.12.0", `loki.write "default" {\n}\n`),
      alloy("v1.10.2", `// clustering { } in a comment\nloki.source.kubernetes_events "e" {\n  forward_to = []\n}\n`),
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.image.tag", "v3.5.0"),
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheusOperator.image.tag", "v0.80.0"),
      mutateValues(compliantStack(), "strimzi-operator", "image.tag", "1.1.0"),
    ]) {
      const run = await runStackPolicy(componentVersionsMatchCharts, records);
      assert.deepEqual(run.violations, []);
      assert.equal(run.advisories.length, 1);
      assert.match(run.advisories[0].message, /INFERRED: .* older than the .* ships/);
    }
  });

  it("refuses a Strimzi operator older than 0.49, which does not serve the stack's kafka.strimzi.io/v1 resources", async () => {
    const run = await runStackPolicy(
      componentVersionsMatchCharts,
      mutateValues(compliantStack(), "strimzi-operator", "image.tag", "0.45.0"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /image\.tag=0\.45\.0 runs Strimzi 0\.45.*as kafka\.strimzi\.io\/v1, an API Strimzi serves from 0\.49\.0.*is ever created/,
    );
  });

  it("accepts the chart's release, a newer patch or minor, and unparseable tags", async () => {
    for (const records of [
      alloy("v1.18.1"),
      alloy("v1.18.3"),
      alloy("v1.19.0"),
      alloy("latest"),
      mutateValues(
        compliantStack(),
        "kube-prometheus-stack",
        "prometheus.prometheusSpec.image.tag",
        "v3.14.1-distroless",
      ),
      mutateValues(compliantStack(), "strimzi-operator", "kafka.image.tagPrefix", "1.2.0"),
      // Prometheus disabled: its tag reaches no pod.
      mutateValues(
        mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.enabled", false),
        "kube-prometheus-stack",
        "prometheus.prometheusSpec.image.tag",
        "v2.40.0",
      ),
    ])
      assert.deepEqual(await runStackPolicy(componentVersionsMatchCharts, records), {
        violations: [],
        advisories: [],
        previewAdvisory: undefined,
      });
  });
});
