import { strict as assert } from "assert";
import { containerRequestsWithinLimits } from "../../../../policies/rules/workloads/container-requests-within-limits";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

async function violations(records: Parameters<typeof runStackPolicy>[1]) {
  return (await runStackPolicy(containerRequestsWithinLimits, records)).violations.map((v) => v.message);
}

describe("policy container-requests-within-limits (P1)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(containerRequestsWithinLimits, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects a Loki querier whose memory request exceeds its limit (held-out x17)", async () => {
    const found = await violations(
      mutateValues(compliantStack(), "loki", "querier.resources", {
        limits: { memory: "512Mi" },
        requests: { memory: "1024Mi", cpu: "500m" },
      }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.querier\.resources: requests\.memory 1024Mi > limits\.memory 512Mi.*must be less than or equal to/,
    );
  });

  it("rejects CPU and ephemeral-storage in other charts, with Kubernetes quantity semantics", async () => {
    const cpu = await violations(
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.resources", {
        requests: { cpu: "1.5" },
        limits: { cpu: "1200m" },
      }),
    );
    assert.equal(cpu.length, 1);
    assert.match(cpu[0], /prometheusSpec\.resources: requests\.cpu 1\.5 > limits\.cpu 1200m/);
    const disk = await violations(
      mutateValues(compliantStack(), "alloy", "alloy.resources", {
        requests: { "ephemeral-storage": "2G" },
        limits: { "ephemeral-storage": "1Gi" },
      }),
    );
    assert.equal(disk.length, 1);
  });

  it("merges the chart's default request under a limit the values set alone", async () => {
    // alloy 1.11.1 configReloader.resources.requests.memory 50Mi.
    const found = await violations(
      mutateValues(compliantStack(), "alloy", "configReloader.resources", { limits: { memory: "32Mi" } }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /configReloader\.resources: requests\.memory 50Mi > limits\.memory 32Mi \(one side from the chart's default/,
    );
  });

  it("rejects a Strimzi node pool and entity operator whose request exceeds the limit", async () => {
    const pool = await violations(
      mutate(compliantStack(), "kafka-pool-brokers", ["spec", "resources"], {
        requests: { memory: "8Gi" },
        limits: { memory: "4Gi" },
      }),
    );
    assert.equal(pool.length, 1);
    assert.match(
      pool[0],
      /KafkaNodePool .*spec\.resources: requests\.memory 8Gi > limits\.memory 4Gi.*Strimzi refuses/,
    );
    const eo = await violations(
      mutate(compliantStack(), "kafka-cluster", ["spec", "entityOperator", "topicOperator", "resources"], {
        requests: { cpu: "2" },
        limits: { cpu: "1" },
      }),
    );
    assert.equal(eo.length, 1);
  });

  it("accepts equal values, a limit above the request, a limit alone, and sections that render no pod", async () => {
    for (const records of [
      mutateValues(compliantStack(), "loki", "querier.resources", {
        limits: { memory: "1Gi" },
        requests: { memory: "1024Mi" },
      }),
      mutateValues(compliantStack(), "loki", "querier.resources", {
        limits: { memory: "4096Mi" },
        requests: { memory: "2048Mi" },
      }),
      mutateValues(compliantStack(), "loki", "querier.resources", { limits: { memory: "256Mi", cpu: "100m" } }),
      // Distributed mode renders no singleBinary pod.
      mutateValues(compliantStack(), "loki", "singleBinary.resources", {
        limits: { memory: "1Gi" },
        requests: { memory: "2Gi" },
      }),
      // Disabled Mimir cache.
      mutateValues(compliantStack(), "mimir", "chunks-cache.resources", {
        limits: { memory: "1Gi" },
        requests: { memory: "2Gi" },
      }),
      // A null request drops the chart's default.
      mutateValues(compliantStack(), "alloy", "configReloader.resources", {
        requests: null,
        limits: { memory: "32Mi" },
      }),
    ])
      assert.deepEqual(await violations(records), []);
  });

  it("judges an unknown quantity at preview as inconclusive, and ignores unknown leaves elsewhere", async () => {
    const unknownLimit = await runStackPolicy(
      containerRequestsWithinLimits,
      mutateValues(compliantStack(), "loki", "querier.resources", {
        limits: { memory: UNKNOWN },
        requests: { memory: "1Gi" },
      }),
    );
    assert.deepEqual(unknownLimit.violations, []);
    assert.ok(unknownLimit.previewAdvisory);
    const unknownArn = await runStackPolicy(
      containerRequestsWithinLimits,
      mutateValues(compliantStack(), "loki", "serviceAccount.annotations", { "eks.amazonaws.com/role-arn": UNKNOWN }),
    );
    assert.deepEqual(unknownArn, { violations: [], advisories: [], previewAdvisory: undefined });
  });
});
