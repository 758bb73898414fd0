import { strict as assert } from "assert";
import { StackValidationPolicy } from "@pulumi/policy";
import { podsFitZoneNodeGroups } from "../../../policies/rules/capacity/pods-fit-node-groups";
import { workloadWithinSizedCapacity } from "../../../policies/rules/capacity/workload-within-capacity";
import type { CapturedStack } from "../../../tools/harness/capture";
import { planStack, renderPlanning, type PlanningReport } from "../../../tools/planning";
import { policyResourcesOf } from "../../../tools/planning/capture-view";
import { captureStack, PROD_WORKLOAD } from "./stacks";

/** Runs a stack policy over a captured stack the way @pulumi/policy's AnalyzeStack calls it. */
async function violations(
  policy: StackValidationPolicy,
  captured: CapturedStack,
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const found: string[] = [];
  await policy.validateStack(
    {
      resources: policyResourcesOf(captured),
      getConfig: <T>() => config as T,
      stackTags: new Map(),
      notApplicable: () => {
        throw new Error("not applicable");
      },
    },
    (message: unknown) => {
      found.push(typeof message === "string" ? message : (message as { message: string }).message);
    },
  );
  return found;
}

function finiteNumbers(value: unknown, where = "report"): void {
  if (typeof value === "number") assert.ok(Number.isFinite(value), `${where} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => finiteNumbers(v, `${where}[${i}]`));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) finiteNumbers(v, `${where}.${k}`);
}

describe("planning the shipped stacks", function () {
  this.timeout(180_000);
  const captured: Record<string, CapturedStack> = {};
  const reports: Record<string, PlanningReport> = {};

  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      captured[stack] = await captureStack(stack);
      reports[stack] = planStack(captured[stack]);
    }
    const tenfold = Object.fromEntries(Object.entries(PROD_WORKLOAD).map(([k, v]) => [k, v * 10]));
    // 72h of ten times prod's writes would not fit a gp3 volume per broker (the config check refuses it): keep 24h.
    captured.tenfold = await captureStack("prod", { workload: tenfold, retention: { kafka: "24h" } });
    reports.tenfold = planStack(captured.tenfold);
  });

  it("prod carries its workload with at least 20% headroom on every tier, and every pod fits", () => {
    const prod = reports.prod;
    assert.deepEqual(
      prod.capacity.tiers.map((t) => t.tier),
      ["samples", "series", "queries", "logs"],
    );
    for (const tier of prod.capacity.tiers) {
      assert.ok(tier.headroom! >= 0.2, `${tier.label}: headroom ${tier.headroom}`);
      assert.ok(tier.capacity > tier.load!, tier.label);
    }
    assert.deepEqual(prod.capacity.fit.unschedulable, []);
    assert.equal(prod.capacity.workload?.workload.samplesPerSecond, PROD_WORKLOAD.samplesPerSecond);
    // The HA pair sends every sample twice; distributors are sized for both copies and the tier counts them so.
    assert.match(
      prod.capacity.tiers[0].basis,
      /each sample arrives 2 times \(Prometheus HA replicas, deduplicated by Mimir's HA tracker\)$/,
    );
  });

  it("staging and prod survive the loss of each AZ: every tier keeps writing and reading, nothing acknowledged lost", () => {
    for (const stack of ["staging", "prod"]) {
      const z = reports[stack].zoneLoss;
      assert.deepEqual(z.zones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
      const tiers = [...new Set(z.lines.map((l) => l.tier.split(" (")[0]))];
      assert.deepEqual(tiers, [
        "Mimir ingesters",
        "Mimir store-gateways",
        "Loki ingesters",
        "Kafka topic mimir-ingest",
        "Mimir write path",
        "Mimir read path",
        "Loki write path",
        "Loki read path",
        "Prometheus",
        "Egress",
        "Capacity left",
      ]);
      assert.deepEqual(
        z.lines.filter((l) => !l.writes || !l.reads || l.dataLost),
        [],
        stack,
      );
      assert.match(
        renderPlanning(reports[stack]),
        /Loss of one availability zone .*\n[\s\S]*every tier keeps writing and reading with no acknowledged data lost, for the loss of each AZ/,
      );
    }
  });

  it("dev, in one replication zone, says which tiers stop with each AZ and why", () => {
    const stops = reports.dev.zoneLoss.lines.filter((l) => !l.writes || !l.reads);
    assert.ok(stops.some((l) => /^Prometheus/.test(l.tier) && /one replica/.test(l.reason)));
    assert.ok(
      stops.some((l) => /^Kafka topic/.test(l.tier) && /0 of 1 replicas of each partition left/.test(l.reason)),
    );
  });

  it("bills Grafana Cloud on the higher of active series and data points per minute, with its platform fee", () => {
    const gc = reports.prod.alternatives.find((a) => a.name.startsWith("Grafana Cloud"))!;
    const metrics = gc.lines.find((l) => l.item === "Grafana Cloud metrics")!;
    // 133,334 samples/s x 60 = 8,000,040 DPM > 2,000,000 active series: billed as 8,000,040 series, 10,000 included.
    assert.equal(metrics.quantity, 8_000.04);
    assert.ok(Math.abs(metrics.monthlyUsd - ((8_000_040 - 10_000) / 1000) * 6.5) < 0.01);
    assert.equal(gc.lines.find((l) => l.item === "Grafana Cloud platform fee")!.monthlyUsd, 19);
  });

  it("counts the cross-zone traffic of replication and reads, and prod's cost per million active series", () => {
    const items = reports.prod.cost.lines.filter((l) => l.item.startsWith("Cross-zone traffic")).map((l) => l.item);
    assert.deepEqual(items, [
      "Cross-zone traffic (Mimir write path)",
      "Cross-zone traffic (Kafka replication)",
      "Cross-zone traffic (Kafka consumers)",
      "Cross-zone traffic (Loki write path)",
    ]);
    const cost = reports.prod.cost;
    assert.ok(Math.abs(cost.perMillionActiveSeriesUsd - cost.monthlyUsd / 2) < 1e-6);
    assert.equal(cost.topLines[0].item, "EC2 m7g.2xlarge");
  });

  // 0.28 until the Kafka write rate used 4 B/sample; at the 50 B/sample Mimir's records measure (policies/lib/kafka/
  // sizing.ts) the brokers' volumes and the cross-zone traffic grow, and prod measures 0.47.
  it("keeps prod at or below its measured share of AMP + CloudWatch Logs (0.48; the 0.25 target is not met)", () => {
    const amp = reports.prod.alternatives.find((a) => a.targetShare !== undefined)!;
    assert.ok(amp.stackShare <= 0.48, `prod costs ${amp.stackShare.toFixed(3)} of AMP + CloudWatch Logs`);
  });

  it("dev is the cheapest environment, then staging, then prod", () => {
    const [dev, staging, prod] = ["dev", "staging", "prod"].map((s) => reports[s].cost.monthlyUsd);
    assert.ok(dev < staging && staging < prod, `dev ${dev}, staging ${staging}, prod ${prod}`);
  });

  it("prices every line from the table for the stack's own region, with its source and date", () => {
    const cost = reports.prod.cost;
    assert.equal(cost.region, "eu-west-1");
    assert.equal(cost.pricedAs, "eu-west-1");
    assert.equal(cost.standInReason, undefined);
    for (const line of cost.lines) assert.match(line.source, /.+; .+/, line.item);
    // eu-west-1's m7g.2xlarge list price, 12 nodes.
    assert.equal(cost.lines.find((l) => l.item === "EC2 m7g.2xlarge")!.unitUsd, 0.3638);
    const items = cost.lines.map((l) => l.item);
    for (const item of [
      "EKS control plane (cluster)",
      "EC2 m7g.2xlarge",
      "EBS persistent volumes",
      "NAT gateways",
      "S3 metrics blocks",
      "S3 log chunks",
      "KMS keys",
    ]) {
      assert.ok(items.includes(item), `${item} missing from ${items.join(", ")}`);
    }
  });

  it("stores prod's 90 days of metrics at 2 bytes per sample and 30 days of logs compressed 5x", () => {
    const line = (item: string) => reports.prod.cost.lines.find((l) => l.item === item)!;
    // 133,334 samples/s x 90 d x 86,400 s x 2 B = 2,073.6 GB; 200 GB/day / 5 x 30 d = 1,200 GB.
    assert.ok(Math.abs(line("S3 metrics blocks").quantity - 2073.6) < 0.1, String(line("S3 metrics blocks").quantity));
    assert.equal(line("S3 log chunks").quantity, 1200);
    assert.equal(reports.prod.retention.metrics?.days, 90);
    assert.equal(reports.prod.retention.logs?.days, 30);
  });

  it("prices Kafka's cross-zone replication of Mimir's topic, with the broker's default RF when the topic sets none", () => {
    const kafkaLine = (report: PlanningReport) =>
      report.cost.lines.find((l) => l.item === "Cross-zone traffic (Kafka replication)");
    // prod: RF 3 over 3 zones, so 2 followers each elsewhere.
    assert.match(kafkaLine(reports.prod)?.basis ?? "", / x 2 follower\(s\) in other zones/);
    const withoutReplicas = structuredClone(captured.prod);
    for (const topic of withoutReplicas.resources.filter(
      (r) => r.type === "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
    )) {
      for (const props of [topic.inputs, topic.outputs] as Record<string, any>[]) delete props.spec.replicas;
    }
    // Strimzi then uses the broker's default.replication.factor (3 in prod), not 1.
    assert.match(kafkaLine(planStack(withoutReplicas))?.basis ?? "", / x 2 follower\(s\) in other zones/);
  });

  it("prices prod's nodes as they run: 3 zones x 4 m7g.2xlarge, desiredSize holds the pods, and the autoscaler runs", () => {
    assert.equal(reports.prod.cost.lines.find((l) => l.item === "EC2 m7g.2xlarge")!.quantity, 12 * 730);
    assert.equal(reports.prod.capacity.autoscaler, true);
    for (const zone of reports.prod.capacity.fit.zones)
      assert.ok(zone.nodesNeeded <= zone.desiredNodes, `${zone.zone} needs ${zone.nodesNeeded}`);
  });

  it("prices the same workload and retention on AMP + CloudWatch Logs, as their price pages bill them", () => {
    const amp = reports.prod.alternatives.find((a) => a.name.includes("Managed Service for Prometheus"))!;
    assert.deepEqual(
      amp.lines.map((l) => l.item),
      ["AMP ingestion", "AMP storage", "AMP queries", "CloudWatch Logs ingestion", "CloudWatch Logs storage"],
    );
    assert.ok(Math.abs(amp.ratioToStack - amp.monthlyUsd / reports.prod.cost.monthlyUsd) < 1e-9);
    assert.ok(Math.abs(amp.stackShare - reports.prod.cost.monthlyUsd / amp.monthlyUsd) < 1e-9);
    assert.equal(amp.targetShare, 0.25);
    // 200 GB/day x 30.4 days - 5 GB free at eu-west-1's $0.57; 30 days of logs stored, compressed 5x, at $0.03.
    assert.ok(
      Math.abs(amp.lines[3].monthlyUsd - ((200 * 730) / 24 - 5) * 0.57) < 0.01,
      String(amp.lines[3].monthlyUsd),
    );
    assert.ok(Math.abs(amp.lines[4].monthlyUsd - ((200 * 30) / 5) * 0.03) < 0.01, String(amp.lines[4].monthlyUsd));
    // 133,334 samples/s x 730 h = 350.4B samples: 2B at $0.90, 250B at $0.35, the rest at $0.16 per 10M (after 40M free).
    const ingestion = amp.lines[0].monthlyUsd;
    assert.ok(
      Math.abs(ingestion - (180 + 8750 + ((350_402_215_200 - 40_000_000 - 252_000_000_000) / 1e7) * 0.16)) < 0.01,
      String(ingestion),
    );
  });

  it("finds the rollout's critical path through the Kafka chain into Mimir", () => {
    const rollout = reports.prod.rollout;
    const names = rollout.criticalPath.map((s) => s.name);
    assert.deepEqual(names.slice(names.indexOf("cluster")), [
      "cluster",
      // The VPC CNI's IRSA role trusts the cluster's OIDC provider: provider, role, policy attachment, then the add-on.
      "cluster-oidc",
      "cluster-vpc-cni",
      "cluster-vpc-cni",
      "cluster-vpc-cni",
      "cluster-zone-0",
      "cluster-coredns",
      "kafka-operator",
      "kafka-cluster",
      "kafka-topic",
      "mimir-release",
    ]);
    const last = rollout.criticalPath[rollout.criticalPath.length - 1];
    assert.ok(Math.abs(rollout.minutes - (last.startMinute + last.minutes)) < 1e-9);
    // 12 + 3 + (3 operator + 4 Kafka + 0.25 topic + 3 Mimir) = 25.25 minutes.
    assert.equal(rollout.lowerBound.minutes, 25.25);
    assert.ok(rollout.ratioToLowerBound > 1 && rollout.ratioToLowerBound < 1.2, String(rollout.ratioToLowerBound));
  });

  it("finds no unneeded dependency in the program (detection itself is pinned in formulas.test.ts)", () => {
    for (const stack of ["dev", "staging", "prod"] as const)
      assert.deepEqual(reports[stack].rollout.unneededDependencies, [], stack);
  });

  it("rejects a workload ten times prod's: the program sizes pods no zone can hold", async () => {
    assert.ok(reports.tenfold.capacity.fit.unschedulable.length > 0);
    const found = await violations(podsFitZoneNodeGroups, captured.tenfold);
    assert.ok(found.length > 0);
    assert.match(found.join("\n"), /ingester \(zone-a\) cannot be scheduled in eu-west-1a: each pod requests/);
  });

  it("rejects ten times prod's workload on the resources sized for prod", async () => {
    const tenfold = Object.fromEntries(Object.entries(PROD_WORKLOAD).map(([k, v]) => [k, v * 10]));
    const found = await violations(workloadWithinSizedCapacity, captured.prod, { workload: tenfold });
    assert.equal(found.length, 4, found.join("\n"));
    assert.match(
      found[0],
      /policy config workload\.samplesPerSecond=1,333,340 exceeds the 202,500 samples\/s the stack carries/,
    );
    assert.deepEqual(await violations(workloadWithinSizedCapacity, captured.prod, { workload: PROD_WORKLOAD }), []);
  });

  it("prefers the workload the program exports as a stack output over the config", () => {
    const exported = structuredClone(captured.prod);
    const workload = { ...PROD_WORKLOAD, samplesPerSecond: 300_000 };
    exported.outputs = { ...exported.outputs, workload };
    exported.resources[0].outputs = { ...exported.resources[0].outputs, workload };
    const report = planStack(exported);
    assert.equal(report.capacity.workload?.where, "stack output workload");
    assert.ok(report.capacity.tiers[0].headroom! < 0, "300,000 samples/s exceed the 202,500 prod's distributors carry");
  });

  it("falls back to the stack config, resolved with its profile, for a program that exports no workload", () => {
    const bare = structuredClone(captured.tenfold);
    const { workload: _dropped, ...outputs } = bare.outputs;
    bare.outputs = outputs;
    bare.resources[0].outputs = outputs;
    const report = planStack(bare);
    assert.match(
      report.capacity.workload?.where ?? "",
      /^stack config observability-stack:workload \(resolved with profile prod\)$/,
    );
    assert.equal(report.capacity.workload?.workload.samplesPerSecond, PROD_WORKLOAD.samplesPerSecond * 10);
  });

  it("is plain JSON and renders the three parts for the check report", () => {
    for (const report of Object.values(reports)) {
      finiteNumbers(report);
      assert.deepEqual(JSON.parse(JSON.stringify(report)).cost.lines.length, report.cost.lines.length);
    }
    const text = renderPlanning(reports.prod);
    assert.match(text, /^Planning: observability-stack\/prod \(eu-west-1\)/);
    assert.match(text, /samples per second through distributors +133,334 +202,500 samples\/s +34%/);
    assert.match(text, /Cost per month \(USD, list prices for eu-west-1, each line's source and date below/);
    assert.match(
      text,
      /Amazon Managed Service for Prometheus \+ CloudWatch Logs: \$[\d,.]+ per month; this stack costs 0\.\d\d of it, target at most 0\.25: (met|MISSED)/,
    );
    assert.match(text, /\$[\d,.]+ per million active series a month; largest lines: EC2 m7g\.2xlarge/);
    assert.match(
      text,
      /Rollout of `pulumi up` from an empty stack: 27\.\d min on the critical path; lower bound 25\.\d min/,
    );
    assert.doesNotMatch(text, /UNNEEDED/);
  });
});
