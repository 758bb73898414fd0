import { strict as assert } from "assert";
import { capacityHeadroom } from "../../../policies/rules/capacity/capacity-headroom";
import { podsFitZoneNodeGroups } from "../../../policies/rules/capacity/pods-fit-node-groups";
import { workloadWithinSizedCapacity } from "../../../policies/rules/capacity/workload-within-capacity";
import { mutate, mutateValues } from "../support/fixture";
import { runStackPolicy, UNKNOWN } from "../support/harness";
import { capacityStack, WORKLOAD } from "./fixture";

const withWorkload = (changes: Partial<typeof WORKLOAD>) =>
  mutate(capacityStack(), "observability-stack-test", ["workload"], { ...WORKLOAD, ...changes });

describe("capacity policies on the compliant fixture", () => {
  for (const policy of [workloadWithinSizedCapacity, podsFitZoneNodeGroups, capacityHeadroom]) {
    it(`${policy.name} finds nothing`, async () => {
      assert.deepEqual(await runStackPolicy(policy, capacityStack()), {
        violations: [],
        advisories: [],
        previewAdvisory: undefined,
      });
    });
  }
});

describe("policy workload-within-sized-capacity (C1)", () => {
  it("rejects more samples per second than the distributors carry, naming both figures and the fix", async () => {
    const run = await runStackPolicy(workloadWithinSizedCapacity, withWorkload({ samplesPerSecond: 80_000 }));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^stack output workload\.samplesPerSecond=80,000 exceeds the 75,000 samples\/s the stack carries \(samples per second through distributors; 1 core \+ 1 GB per 25,000 samples\/s/,
    );
    assert.match(run.violations[0].message, /memory less the 512 MiB Kafka producer buffer each/);
    assert.match(
      run.violations[0].message,
      /Fix: more distributor replicas .* to at least 100,000 samples\/s for 20% headroom\./,
    );
  });

  it("judges the samples Prometheus sends when it scrapes faster than the workload assumes (activeSeries / interval)", async () => {
    const scraping = (interval: string) => [
      ...withWorkload({}),
      {
        type: "kubernetes:helm.sh/v3:Release",
        name: "kps",
        props: {
          chart: "kube-prometheus-stack",
          name: "kps",
          namespace: "monitoring",
          values: { prometheus: { prometheusSpec: { scrapeInterval: interval } } },
        },
      },
    ];
    const run = await runStackPolicy(workloadWithinSizedCapacity, scraping("6s"));
    assert.match(
      run.violations.find((v) => /samples\/s the stack carries/.test(v.message))?.message ?? "",
      /^stack output workload\.activeSeries=600,000 series scraped every 6s \(.*scrapeInterval=6s\) = 100,000 samples\/s, above stack output workload\.samplesPerSecond=50,000 \(which assumes one scrape every 12s\) exceeds the 75,000 samples\/s/,
    );
    // Benign: the 12s the workload assumes sends no more than the declared 50,000/s.
    const slow = await runStackPolicy(workloadWithinSizedCapacity, scraping("12s"));
    assert.equal(slow.violations.filter((v) => /samples\/s the stack carries/.test(v.message)).length, 0);
  });

  it("rejects more active series than the least-provisioned ingester zone holds", async () => {
    const run = await runStackPolicy(workloadWithinSizedCapacity, withWorkload({ activeSeries: 1_000_000 }));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /workload\.activeSeries=1,000,000 exceeds the 900,000 series/);
    assert.match(run.violations[0].message, /per zone: zone-a 900,000, zone-b 900,000, zone-c 900,000/);
  });

  it("sizes ingester disk for the TSDB retention: a week on disk needs about 13x the planning figure's 13h", async () => {
    const longRetention = mutateValues(
      withWorkload({}),
      "mimir",
      "mimir.structuredConfig.blocks_storage.tsdb.retention_period",
      "168h",
    );
    const run = await runStackPolicy(workloadWithinSizedCapacity, longRetention);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /workload\.activeSeries=600,000 exceeds .*disk x12\.9 for .*blocks_storage\.tsdb\.retention_period=168h/,
    );
    const justAbove = mutateValues(
      withWorkload({}),
      "mimir",
      "mimir.structuredConfig.blocks_storage.tsdb.retention_period",
      "14h",
    );
    assert.deepEqual((await runStackPolicy(workloadWithinSizedCapacity, justAbove)).violations, []);
  });

  it("names the query tier that limits (queriers at 20 QPS)", async () => {
    const run = await runStackPolicy(workloadWithinSizedCapacity, withWorkload({ queriesPerSecond: 25 }));
    assert.match(
      run.violations[0].message,
      /queriesPerSecond=25\.0 exceeds the 20\.0 queries\/s .* queriers 20\.0, store-gateways 30\.0, query-frontends 125\.0; limited by queriers/,
    );
  });

  it("reads the Loki figure from Loki's sizing table, marked as interpolated", async () => {
    const run = await runStackPolicy(workloadWithinSizedCapacity, withWorkload({ logsGBPerDay: 2000 }));
    assert.match(
      run.violations[0].message,
      /logsGBPerDay=2,000 exceeds the 1,500 GB\/day .*INTERPOLATED from Loki's sizing table \(docs setup\/size: 12 ingester cores for 3,000 GB\/day/,
    );
  });

  it("takes the workload from the policy config over the stack output", async () => {
    const run = await runStackPolicy(workloadWithinSizedCapacity, capacityStack(), {
      workload: { ...WORKLOAD, samplesPerSecond: 90_000 },
    });
    assert.match(run.violations[0].message, /^policy config workload\.samplesPerSecond=90,000 exceeds/);
  });

  it("counts a smaller distributor memory against the Kafka producer buffer it must hold", async () => {
    const records = mutate(capacityStack(), "mimir", ["values", "distributor", "resources"], {
      requests: { cpu: "1", memory: "1Gi" },
    });
    const run = await runStackPolicy(workloadWithinSizedCapacity, records);
    // (1Gi - 512Mi) = 0.54 GB -> 3 x 0.54 x 25,000 = 40,265 samples/s < 50,000.
    assert.match(run.violations[0].message, /samplesPerSecond=50,000 exceeds the 40,265 samples\/s/);
  });

  it("rejects a workload that is not a positive number", async () => {
    const run = await runStackPolicy(workloadWithinSizedCapacity, withWorkload({ activeSeries: -5 }));
    assert.match(run.violations[0].message, /^stack output workload\.activeSeries=-5 is not a positive number\.$/);
  });

  it("says nothing without a workload", async () => {
    const records = capacityStack().filter((r) => r.type !== "pulumi:pulumi:Stack");
    assert.deepEqual(await runStackPolicy(workloadWithinSizedCapacity, records), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("waits for replicas unknown during preview instead of failing", async () => {
    const run = await runStackPolicy(
      workloadWithinSizedCapacity,
      mutate(capacityStack(), "mimir", ["values", "distributor", "replicas"], UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.advisories, []);
    assert.match(run.previewAdvisory ?? "", /values\.distributor\.replicas can't be known during preview/);
  });
});

describe("policy pods-fit-zone-node-groups (C2)", () => {
  it("rejects ingesters larger than a zone's nodes, per zone, with requests and capacity", async () => {
    const run = await runStackPolicy(
      podsFitZoneNodeGroups,
      mutate(capacityStack(), "mimir", ["values", "ingester", "resources"], resources("3", "20Gi")),
    );
    assert.equal(run.violations.length, 3);
    assert.match(
      run.violations[0].message,
      /^1 pod of mimir-distributed release "mimir" ingester \(zone-a\) cannot be scheduled in us-east-1a: each pod requests 3 cores \/ 20\.0Gi; the zone's 3 m6i\.xlarge nodes at maxSize \(11\.22 cores \/ 41\.1Gi after DaemonSets\) are full/,
    );
    assert.match(run.violations[0].message, /They stay Pending and the release's wait times out\.$/);
    assert.ok(run.violations[0].urn?.endsWith("::mimir"));
  });

  it("rejects pods pinned to a zone without nodes", async () => {
    const records = mutate(capacityStack(), "loki", ["values", "singleBinary", "nodeSelector"], {
      "topology.kubernetes.io/zone": "us-east-1d",
    });
    const run = await runStackPolicy(podsFitZoneNodeGroups, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /1 pod of loki release "loki" single-binary cannot be scheduled: it may only run in us-east-1d, where no node group has nodes \(node groups cover us-east-1a, us-east-1b, us-east-1c\)/,
    );
  });

  it("rejects more pods than a zone's nodes admit at maxSize", async () => {
    const records = mutate(capacityStack(), "zone-0", ["scalingConfig", "maxSize"], 1);
    const run = await runStackPolicy(podsFitZoneNodeGroups, records);
    assert.ok(run.violations.length > 0);
    assert.match(
      run.violations.map((v) => v.message).join("\n"),
      /in us-east-1a: .*the zone's 1 m6i\.xlarge nodes at maxSize/,
    );
  });

  it("cannot verify a zone whose instance type it does not know", async () => {
    const run = await runStackPolicy(
      podsFitZoneNodeGroups,
      mutate(capacityStack(), "zone-2", ["instanceTypes"], ["x9z.large"]),
    );
    assert.deepEqual(run.violations, []);
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /^Cannot be verified in us-east-1c: NodeGroup "zone-2" uses x9z\.large, which the capacity table does not size/,
    );
  });

  it("counts DaemonSets on every node: a big one leaves no room", async () => {
    const records = mutate(capacityStack(), "loki", ["values", "lokiCanary", "resources"], resources("3500m", "1Gi"));
    const run = await runStackPolicy(podsFitZoneNodeGroups, records);
    assert.match(run.violations.map((v) => v.message).join("\n"), /ingester \(zone-a\) cannot be scheduled/);
  });
});

describe("policy capacity-headroom (C3)", () => {
  it("warns when a tier has less than 20% headroom", async () => {
    const run = await runStackPolicy(capacityHeadroom, withWorkload({ activeSeries: 800_000 }));
    assert.deepEqual(run.violations, []);
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /^active series .*: 800,000 of 900,000 series used, 11% headroom \(below 20%; stack output workload\)\. Scale it to at least 1,000,000 series\.$/,
    );
  });

  it("takes the threshold from the policy config", async () => {
    const run = await runStackPolicy(capacityHeadroom, withWorkload({ activeSeries: 800_000 }), {
      minimumHeadroom: 0.1,
    });
    assert.deepEqual(run.advisories, []);
  });

  it("leaves a workload above capacity to workload-within-sized-capacity", async () => {
    const run = await runStackPolicy(capacityHeadroom, withWorkload({ activeSeries: 2_000_000 }));
    assert.deepEqual(run.advisories, []);
  });
});

function resources(cpu: string, memory: string) {
  return { requests: { cpu, memory }, limits: { memory } };
}
