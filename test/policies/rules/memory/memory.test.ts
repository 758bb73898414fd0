import { strict as assert } from "assert";
import { mimirDistributorMemoryFitsProducerBuffer } from "../../../../policies/rules/kafka/distributor-memory-fits-producer-buffer";
import {
  goMemoryLimitWithinContainer,
  parseGoMemLimit,
} from "../../../../policies/rules/memory/go-memory-limit-within-container";
import { kafkaHeapFitsContainer, parseJavaBytes } from "../../../../policies/rules/memory/kafka-heap-fits-container";
import {
  chartMemcachedLimitMiB,
  memcachedFitsContainer,
} from "../../../../policies/rules/memory/memcached-fits-container";
import { prometheusMemoryHoldsSeries } from "../../../../policies/rules/memory/prometheus-memory-holds-series";
import { grafanaMemoryMeetsMinimum } from "../../../../policies/rules/memory/grafana-memory-meets-minimum";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

type Change = [release: string, path: string, value: unknown];

function withValues(...changes: Change[]): ResourceRecord[] {
  return changes.reduce(
    (records, [release, path, value]) => mutateValues(records, release, path, value),
    compliantStack(),
  );
}

describe("memory helpers", () => {
  it("computes the charts' memcached limit round(1.2 x allocatedMemory) with integer arithmetic", () => {
    assert.equal(chartMemcachedLimitMiB(8192), 9830);
    assert.equal(chartMemcachedLimitMiB(4224), 5069);
    assert.equal(chartMemcachedLimitMiB(1024), 1229);
  });

  it("reads GOMEMLIMIT as the Go runtime does", () => {
    assert.equal(parseGoMemLimit("24GiB"), 24 * 2 ** 30);
    assert.equal(parseGoMemLimit("1536MiB"), 1536 * 2 ** 20);
    assert.equal(parseGoMemLimit("1000"), 1000);
    assert.equal(parseGoMemLimit("1000B"), 1000);
    assert.equal(parseGoMemLimit("off"), "off");
    for (const refused of ["2GB", "2Gi", "2G", "1.5GiB", "-1MiB", " 1MiB", "1 MiB"]) {
      assert.equal(parseGoMemLimit(refused), undefined, refused);
    }
  });

  it("reads JVM sizes in binary units", () => {
    assert.equal(parseJavaBytes("6g"), 6 * 2 ** 30);
    assert.equal(parseJavaBytes("6144M"), 6 * 2 ** 30);
    assert.equal(parseJavaBytes("1073741824"), 2 ** 30);
    assert.equal(parseJavaBytes("6Gi"), undefined);
  });
});

describe("policy memcached-fits-container (B1)", () => {
  it("rejects a Mimir chunks-cache limit below the chart's round(1.2 x allocatedMemory)", async () => {
    const run = await runStackPolicy(
      memcachedFitsContainer,
      withValues(
        ["mimir", "chunks-cache.enabled", true],
        ["mimir", "chunks-cache.allocatedMemory", 8192],
        ["mimir", "chunks-cache.resources", { limits: { memory: "1Gi" } }],
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" values\["chunks-cache"\]\.resources\.limits\.memory=1Gi \(1Gi \(1073741824 bytes\)\) < round\(1\.2 x mimir-distributed release "mimir" values\["chunks-cache"\]\.allocatedMemory=8192\) = 9830Mi .*below even memcached's -m 8192.*OOM-killed.*Fix: raise chunks-cache\.resources\.limits\.memory to at least 9830Mi, or lower chunks-cache\.allocatedMemory to at most 853\.$/,
    );
  });

  it("rejects a Loki chunksCache limit below its allocatedMemory (the chart default applies when unset)", async () => {
    const run = await runStackPolicy(
      memcachedFitsContainer,
      withValues(["loki", "chunksCache.resources", { limits: { memory: "2Gi" } }]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.chunksCache\.resources\.limits\.memory=2Gi .* < round\(1\.2 x loki release "loki" chart default chunksCache\.allocatedMemory=8192\) = 9830Mi/,
    );
  });

  it("rejects an item size above half of the cache memory (memcached refuses to start)", async () => {
    const run = await runStackPolicy(
      memcachedFitsContainer,
      withValues(
        ["mimir", "results-cache.enabled", true],
        ["mimir", "results-cache.allocatedMemory", 256],
        ["mimir", "results-cache.maxItemMemory", 200],
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\["results-cache"\]\.maxItemMemory=200 \(memcached -I 200m\) is above half of .*values\["results-cache"\]\.allocatedMemory=256 \(-m 256\): memcached exits at start-up with "Cannot set item size limit higher than 1\/2 of memory max\."/,
    );
  });

  it("rejects an item size above 1 GiB", async () => {
    const run = await runStackPolicy(
      memcachedFitsContainer,
      withValues(["loki", "resultsCache.allocatedMemory", 4096], ["loki", "resultsCache.maxItemMemory", 2000]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /Cannot set item size limit higher than a gigabyte/);
  });

  it("accepts a limit at the chart's own figure, a disabled cache and Loki without its memcached", async () => {
    for (const records of [
      withValues(
        ["mimir", "chunks-cache.enabled", true],
        ["mimir", "chunks-cache.resources", { limits: { memory: "9830Mi" } }],
      ),
      withValues(["mimir", "chunks-cache.resources", { limits: { memory: "1Gi" } }]),
      withValues(
        ["loki", "memcached.enabled", false],
        ["loki", "chunksCache.resources", { limits: { memory: "2Gi" } }],
      ),
      withValues(
        ["loki", "chunksCache.allocatedMemory", 1024],
        ["loki", "chunksCache.resources", { limits: { memory: "2Gi" } }],
      ),
      withValues(["loki", "chunksCache.resources", { requests: { cpu: "1" } }]),
    ]) {
      assert.deepEqual((await runStackPolicy(memcachedFitsContainer, records)).violations, []);
    }
  });

  it("gives no violation for a limit unknown during preview", async () => {
    const run = await runStackPolicy(
      memcachedFitsContainer,
      withValues(["loki", "chunksCache.resources", { limits: { memory: UNKNOWN } }]),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /chunksCache\.resources\.limits\.memory can't be known during preview/);
  });
});

describe("policy go-memory-limit-within-container (B2)", () => {
  it("rejects a global GOMEMLIMIT above a Mimir component's memory limit", async () => {
    const run = await runStackPolicy(
      goMemoryLimitWithinContainer,
      withValues(["mimir", "global.extraEnv", [{ name: "GOMEMLIMIT", value: "24GiB" }]]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" values\.global\.extraEnv\[0\]\.value=24GiB \(24Gi \(25769803776 bytes\)\) > mimir-distributed release "mimir" values\.distributor\.resources\.limits\.memory=2Gi \(2Gi .*\): the Go GC .*OOM-kills the container\. Fix: set GOMEMLIMIT below every limit it reaches \(about 90% of the smallest: 1843MiB\)/,
    );
  });

  it("reports a global GOMEMLIMIT once for every component it exceeds", async () => {
    const run = await runStackPolicy(
      goMemoryLimitWithinContainer,
      withValues(
        ["mimir", "global.extraEnv", [{ name: "GOMEMLIMIT", value: "24GiB" }]],
        ["mimir", "querier.resources", { limits: { memory: "1Gi" } }],
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /> mimir-distributed release "mimir" values\.querier\.resources\.limits\.memory=1Gi .* \(the smallest of 2: distributor, querier\)/,
    );
  });

  it("takes the component's own entry over the global one (the kubelet keeps the last)", async () => {
    const run = await runStackPolicy(
      goMemoryLimitWithinContainer,
      withValues(
        ["mimir", "global.extraEnv", [{ name: "GOMEMLIMIT", value: "24GiB" }]],
        ["mimir", "distributor.env", [{ name: "GOMEMLIMIT", value: "1800MiB" }]],
      ),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects a GOMEMLIMIT the Go runtime cannot read", async () => {
    const run = await runStackPolicy(
      goMemoryLimitWithinContainer,
      withValues(["alloy", "alloy.extraEnv", [{ name: "GOMEMLIMIT", value: "2GB" }]]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /values\.alloy\.extraEnv\[0\]\.value="2GB" .*"malformed GOMEMLIMIT"/);
  });

  it("rejects Loki's goMemLimitFactor above 1 for every component with a limit", async () => {
    const run = await runStackPolicy(
      goMemoryLimitWithinContainer,
      withValues(
        ["loki", "defaults.goSettings.goMemLimitFactor", 1.5],
        ["loki", "ingester.resources", { limits: { memory: "8Gi" } }],
        ["loki", "querier.resources", { limits: { memory: "2Gi" } }],
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^loki release "loki" values\.defaults\.goSettings\.goMemLimitFactor=1\.5 is above 1: .*\(ingester \(8Gi -> GOMEMLIMIT=12288MiB\), querier \(2Gi -> GOMEMLIMIT=3072MiB\)\)/,
    );
  });

  it("accepts factors in (0, 1], 0 (the chart reads it as 0.85) and a component that sets its own GOMEMLIMIT", async () => {
    const limited = (factor: number): Change[] => [
      ["loki", "defaults.goSettings.goMemLimitFactor", factor],
      ["loki", "ingester.resources", { limits: { memory: "8Gi" } }],
    ];
    for (const records of [
      withValues(...limited(1)),
      withValues(...limited(0)),
      withValues(...limited(1.5), ["loki", "ingester.extraEnv", [{ name: "GOMEMLIMIT", value: "7000MiB" }]]),
      withValues(["loki", "defaults.goSettings.goMemLimitFactor", 1.5]),
    ]) {
      assert.deepEqual((await runStackPolicy(goMemoryLimitWithinContainer, records)).violations, []);
    }
  });

  it("accepts a GOMEMLIMIT below the limit, 'off', a value from a Secret, and a container without a limit", async () => {
    for (const env of [
      { name: "GOMEMLIMIT", value: "1800MiB" },
      { name: "GOMEMLIMIT", value: "off" },
      { name: "GOMEMLIMIT", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
    ]) {
      const records = withValues(["mimir", "global.extraEnv", [env]]);
      assert.deepEqual((await runStackPolicy(goMemoryLimitWithinContainer, records)).violations, []);
    }
    const noLimit = withValues(["alloy", "alloy.extraEnv", [{ name: "GOMEMLIMIT", value: "64GiB" }]]);
    assert.deepEqual((await runStackPolicy(goMemoryLimitWithinContainer, noLimit)).violations, []);
  });
});

/** The fixture's broker pool with a memory limit, as the program sets it. */
function withBrokerLimit(records: ResourceRecord[], memory = "4096Mi"): ResourceRecord[] {
  return mutate(records, "kafka-pool-brokers", ["spec", "resources"], { limits: { memory } });
}

describe("policy kafka-heap-fits-container (B3)", () => {
  it("rejects a Kafka CR heap at or above the broker pool's limit", async () => {
    const records = mutate(withBrokerLimit(compliantStack()), "kafka-cluster", ["spec", "kafka", "jvmOptions"], {
      "-Xms": "6g",
      "-Xmx": "6g",
    });
    const run = await runStackPolicy(kafkaHeapFitsContainer, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^Kafka "kafka" \(namespace kafka\) spec\.kafka\.jvmOptions\["-Xmx"\]=6g \(6Gi \(6442450944 bytes\)\) \(inherited: KafkaNodePool "brokers" \(namespace kafka\) sets no spec\.jvmOptions\) >= KafkaNodePool "brokers" \(namespace kafka\) spec\.resources\.limits\.memory=4096Mi .*OOM-killed/,
    );
    assert.match(run.violations[0].urn ?? "", /KafkaNodePool::kafka-pool-brokers$/);
  });

  it("uses the pool's own jvmOptions as a whole over the Kafka CR's", async () => {
    const records = mutate(
      mutate(withBrokerLimit(compliantStack()), "kafka-cluster", ["spec", "kafka", "jvmOptions"], { "-Xmx": "6g" }),
      "kafka-pool-brokers",
      ["spec", "jvmOptions"],
      { gcLoggingEnabled: false },
    );
    assert.deepEqual((await runStackPolicy(kafkaHeapFitsContainer, records)).violations, []);
    const own = mutate(withBrokerLimit(compliantStack()), "kafka-pool-brokers", ["spec", "jvmOptions"], {
      "-Xmx": "4096m",
    });
    const run = await runStackPolicy(kafkaHeapFitsContainer, own);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^KafkaNodePool "brokers" \(namespace kafka\) spec\.jvmOptions\["-Xmx"\]=4096m/,
    );
  });

  it("accepts a heap below the limit and a pool without a limit", async () => {
    const heap = (records: ResourceRecord[]) =>
      mutate(records, "kafka-cluster", ["spec", "kafka", "jvmOptions"], { "-Xms": "2g", "-Xmx": "2g" });
    assert.deepEqual(
      (await runStackPolicy(kafkaHeapFitsContainer, heap(withBrokerLimit(compliantStack())))).violations,
      [],
    );
    const unlimited = mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "jvmOptions"], { "-Xmx": "6g" });
    assert.deepEqual((await runStackPolicy(kafkaHeapFitsContainer, unlimited)).violations, []);
  });

  it("names an -Xmx the JVM cannot read", async () => {
    const records = mutate(withBrokerLimit(compliantStack()), "kafka-cluster", ["spec", "kafka", "jvmOptions"], {
      "-Xmx": "2Gi",
    });
    const run = await runStackPolicy(kafkaHeapFitsContainer, records);
    assert.match(run.violations[0].message, /jvmOptions\["-Xmx"\]="2Gi" is not a JVM size/);
  });
});

const ROOT = "observability-stack-test";
function withWorkload(records: ResourceRecord[], activeSeries: number): ResourceRecord[] {
  return [
    ...records,
    {
      type: "pulumi:pulumi:Stack",
      name: ROOT,
      props: { workload: { activeSeries, samplesPerSecond: 50_000, logsGBPerDay: 20, queriesPerSecond: 10 } },
    },
  ];
}

describe("policy prometheus-memory-holds-series (B4)", () => {
  const limited = (memory: string) =>
    withValues(["kube-prometheus-stack", "prometheus.prometheusSpec.resources", { limits: { memory } }]);

  it("rejects a Prometheus limit below activeSeries x 4 KiB", async () => {
    const run = await runStackPolicy(prometheusMemoryHoldsSeries, withWorkload(limited("1Gi"), 1_000_000));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^kube-prometheus-stack release "kps" values\.prometheus\.prometheusSpec\.resources\.limits\.memory=1Gi .* < stack output workload\.activeSeries=1,000,000 x 4096 bytes per series .* = 4000000Ki \(4096000000 bytes\), about 3907Mi: .*OOM-killed/,
    );
  });

  it("takes the workload from the policy config", async () => {
    const run = await runStackPolicy(prometheusMemoryHoldsSeries, limited("1Gi"), {
      workload: { activeSeries: 2_000_000, samplesPerSecond: 1, logsGBPerDay: 1, queriesPerSecond: 1 },
    });
    assert.match(run.violations[0].message, /< policy config workload\.activeSeries=2,000,000 x 4096/);
  });

  it("rejects remote-write queues that, full, no longer fit beside the head block", async () => {
    const records = mutateValues(limited("8Gi"), "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
      { url: "http://mimir-gateway.mimir.svc/api/v1/push", queueConfig: { capacity: 2_500_000, maxShards: 200 } },
    ]);
    const run = await runStackPolicy(prometheusMemoryHoldsSeries, withWorkload(records, 1_000_000));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /holds the head block .* but not also the remote-write queues: remoteWrite\[0\] capacity 2,500,000 x maxShards 200 samples of at least 16 bytes each/,
    );
  });

  it("accepts a large enough limit, shards that split the series, no limit and no workload", async () => {
    for (const records of [
      withWorkload(limited("4Gi"), 1_000_000),
      withWorkload(
        mutateValues(limited("1Gi"), "kube-prometheus-stack", "prometheus.prometheusSpec.shards", 4),
        1_000_000,
      ),
      withWorkload(compliantStack(), 1_000_000),
      limited("1Gi"),
    ]) {
      assert.deepEqual((await runStackPolicy(prometheusMemoryHoldsSeries, records)).violations, []);
    }
  });
});

describe("policy mimir-distributor-memory-fits-producer-buffer (K11): the ruler's in-process distributor", () => {
  it("rejects a ruler limit below the producer buffer plus the working set", async () => {
    const run = await runStackPolicy(
      mimirDistributorMemoryFitsProducerBuffer,
      withValues(["mimir", "ruler.resources", { limits: { memory: "1Gi" } }]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" values\.ruler\.resources\.limits\.memory=1Gi .*the ruler's in-process distributor is OOM-killed.*raise ruler\.resources\.limits\.memory to at least 1536Mi/,
    );
  });

  it("accepts a ruler that holds the buffer, or no ruler", async () => {
    for (const records of [
      withValues(["mimir", "ruler.resources", { limits: { memory: "1536Mi" } }]),
      withValues(["mimir", "ruler.resources", { limits: { memory: "1Gi" } }], ["mimir", "ruler.enabled", false]),
    ]) {
      assert.deepEqual((await runStackPolicy(mimirDistributorMemoryFitsProducerBuffer, records)).violations, []);
    }
  });
});

describe("the memory policies (B1-B4) on the compliant fixture", () => {
  for (const policy of [
    memcachedFitsContainer,
    goMemoryLimitWithinContainer,
    kafkaHeapFitsContainer,
    prometheusMemoryHoldsSeries,
  ]) {
    it(`${policy.name} passes`, async () => {
      assert.deepEqual((await runStackPolicy(policy, compliantStack())).violations, []);
    });
  }
});

describe("policy grafana-memory-meets-minimum (B7)", () => {
  const grafanaLimit = (memory: string) =>
    withValues(["kube-prometheus-stack", "grafana.resources", { limits: { memory }, requests: { memory } }]);

  it("advises a Grafana memory limit below the documented 512 MB minimum", async () => {
    const run = await runStackPolicy(grafanaMemoryMeetsMinimum, grafanaLimit("64Mi"));
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /^kube-prometheus-stack release "kps" values\.grafana\.resources\.limits\.memory=64Mi .* is below 512Mi, the memory Grafana documents as its minimum .*OOM-killed before it is Ready.*Fix: raise grafana\.resources\.limits\.memory/,
    );
  });

  it("accepts 512Mi and more, no limit (the chart's default), and a disabled Grafana", async () => {
    for (const records of [
      grafanaLimit("512Mi"),
      grafanaLimit("1Gi"),
      compliantStack(),
      mutateValues(grafanaLimit("64Mi"), "kube-prometheus-stack", "grafana.enabled", false),
    ]) {
      assert.deepEqual((await runStackPolicy(grafanaMemoryMeetsMinimum, records)).advisories, []);
    }
  });

  it("is inconclusive, not violated, for a limit unknown during preview", async () => {
    const run = await runStackPolicy(grafanaMemoryMeetsMinimum, grafanaLimit(UNKNOWN));
    assert.deepEqual(run.advisories, []);
    assert.match(run.previewAdvisory ?? "", /grafana\.resources\.limits\.memory can't be known during preview/);
  });
});
