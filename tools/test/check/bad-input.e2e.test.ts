// Every bad input is a clean refusal: a configuration error exits 2 naming its full key before any resource is
// registered; what is valid but unpriced or unusual still checks (exit 0 or 1); nothing exits 3 or hangs. The
// named cases are the classes issue 14 lists; the fuzz cases are seeded random mutations of the shipped stack files.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { CheckReport, StackReport } from "../../../tools/check/report";
import { PROGRAM, REPO_ROOT, removeTempDirs, runCheckCli, tempDir, tempProject } from "./support";

const header = (region: string, profile: string) =>
  `config:\n  aws:region: ${region}\n  observability-stack:profile: ${profile}\n`;
const dev = (extra = "") => header("eu-west-1", "dev") + extra;

/** stack name -> [stack file, expected exit code, text the report must contain for that stack]. */
const NAMED: Record<string, [string, number, RegExp?]> = {
  "region-unpriced": [
    header("ap-south-1", "prod") + "  observability-stack:cluster:\n    adminRoleArns: []\n",
    0,
    /no checked prices for ap-south-1; priced with us-east-1/,
  ],
  "region-typo": [
    header("eu-wset-1", "dev"),
    2,
    /aws:region = "eu-wset-1": expected an AWS region .*did you mean eu-west-1/,
  ],
  "series-huge": [
    dev("  observability-stack:workload:\n    activeSeries: 1e15\n"),
    2,
    /observability-stack:workload = .*150,000/,
  ],
  "vpc-too-large": [
    dev("  observability-stack:network:\n    vpcCidr: 10.0.0.0/8\n"),
    2,
    /observability-stack:network\.vpcCidr = "10\.0\.0\.0\/8": has prefix \/8/,
  ],
  "vpc-too-small": [
    dev("  observability-stack:network:\n    vpcCidr: 10.0.0.0/28\n"),
    2,
    /observability-stack:network\.vpcCidr = "10\.0\.0\.0\/28": is too small/,
  ],
  "vpc-host-bits": [
    dev("  observability-stack:network:\n    vpcCidr: 10.0.0.1/16\n"),
    2,
    /observability-stack:network\.vpcCidr = "10\.0\.0\.1\/16": has host bits set/,
  ],
  "k8s-too-old": [
    dev("  observability-stack:cluster:\n    kubernetesVersion: '1.10'\n"),
    2,
    /cluster\.kubernetesVersion = "1\.10": must be an EKS version from 1\.30/,
  ],
  "k8s-unreleased": [
    dev("  observability-stack:cluster:\n    kubernetesVersion: '1.99'\n"),
    2,
    /cluster\.kubernetesVersion = "1\.99"/,
  ],
  "tenant-star": [dev("  observability-stack:tenants:\n    - id: '*'\n"), 0],
  "tenants-alike": [dev("  observability-stack:tenants:\n    - id: team-a\n    - id: team(a)\n    - id: team!a\n"), 0],
  "retention-overflow": [
    dev("  observability-stack:retention:\n    metrics: 99999999999999w\n"),
    2,
    /retention\.metrics = "99999999999999w": longer than Go's longest duration/,
  ],
  "burst-tiny": [
    dev("  observability-stack:tenants:\n    - id: platform\n      limits:\n        logsIngestionBurstSizeMB: 1e-9\n"),
    2,
    /tenants\[0\]\.limits\.logsIngestionBurstSizeMB = 1e-9: must be >= 0\.25/,
  ],
  "desired-zero": [
    dev("  observability-stack:cluster:\n    nodeGroups:\n      desiredSize: 0\n"),
    2,
    /cluster\.nodeGroups\.desiredSize = 0/,
  ],
  "instance-4xl": [
    dev("  observability-stack:cluster:\n    nodeGroups:\n      instanceTypes: [m6i.4xlarge]\n"),
    0,
    /"item":"EC2 m6i\.4xlarge","quantity":[\d.]+,"unit":"instance-hours","unitUsd":0\.856/,
  ],
  "instance-unknown": [
    dev("  observability-stack:cluster:\n    nodeGroups:\n      instanceTypes: [x9z.huge]\n"),
    2,
    /cluster\.nodeGroups\.instanceTypes\[0\] = "x9z\.huge": expected an instance type the capacity model sizes/,
  ],
  "aws-key-typo": [
    dev("  aws:regoin: eu-west-1\n"),
    0,
    /"programWarnings":\["config key aws:regoin is not a setting of the AWS provider: did you mean aws:region\?/,
  ],
  "foreign-namespace": [
    dev("  foo:bar: x\n"),
    0,
    /"programWarnings":\["config key foo:bar is read by nothing in this program/,
  ],
  "key-typo": [
    dev("  observability-stack:retention:\n    metricz: 30d\n"),
    2,
    /retention\.metricz = "30d": unknown key \(did you mean metrics\?\); allowed here: prometheusLocal, metrics, logs, kafka/,
  ],
  infinite: [
    dev("  observability-stack:workload:\n    activeSeries: .inf\n"),
    2,
    /configuration key 'observability-stack:workload\.activeSeries' is \.inf/,
  ],
  "secure-value": [dev("  aws:secretKey:\n    secure: AAABAKaGVsbG8=\n"), 0],
};

function stackText(report: CheckReport, stack: StackReport): string {
  return JSON.stringify(stack) + "\n" + report.summary.line;
}

describe("npm run check: bad input", function () {
  this.timeout(900_000);
  after(removeTempDirs);

  describe("the classes of bad input, each refused with its key or checked with its stand-in", () => {
    let report: CheckReport;
    before(async () => {
      const project = tempProject(Object.fromEntries(Object.entries(NAMED).map(([name, [yaml]]) => [name, yaml])));
      const result = await runCheckCli([
        "--project-dir",
        project,
        "--program",
        PROGRAM,
        "--out",
        tempDir("out"),
        "--json",
        "--quiet",
      ]);
      report = JSON.parse(result.stdout) as CheckReport;
    });

    for (const [name, [, exitCode, text]] of Object.entries(NAMED)) {
      it(`${name}: exit ${exitCode}`, () => {
        const stack = report.stacks.find((s) => s.stack === name)!;
        assert.equal(stack.exitCode, exitCode, stackText(report, stack));
        assert.equal(stack.sectionErrors, undefined);
        if (text) assert.match(stackText(report, stack).replace(/\\"/g, '"'), text);
      });
    }
  });

  describe("seeded random mutations of the shipped stack files", () => {
    const COUNT = 200;
    let report: CheckReport;
    let files: Record<string, string>;
    before(async () => {
      files = fuzzStacks(COUNT, 20261207);
      const project = tempProject(files);
      const result = await runCheckCli([
        "--project-dir",
        project,
        "--program",
        PROGRAM,
        "--out",
        tempDir("out"),
        "--json",
        "--quiet",
      ]);
      report = JSON.parse(result.stdout) as CheckReport;
    });

    it("never exits 3: each stack passes, fails a policy or is refused as configuration (0, 1 or 2)", () => {
      assert.equal(report.stacks.length, COUNT);
      const broken = report.stacks.filter((s) => ![0, 1, 2].includes(s.exitCode) || s.sectionErrors);
      assert.deepEqual(
        broken.map((s) => `${s.stack}: ${files[s.stack]}\n${stackText(report, s)}`),
        [],
      );
    });

    it("names the full key of every configuration it refuses", () => {
      for (const stack of report.stacks.filter((s) => s.exitCode === 2)) {
        // Ours: "<namespace>:<key.path> = <value>: ..."; the CLI's own stack-file checks: "configuration key '<key>'".
        assert.match(
          stack.failure?.message ?? "",
          /(observability-stack|aws):[\w.[\]-]+ = |configuration key '[\w:.[\]-]+'/,
          stackText(report, stack),
        );
      }
    });
  });
});

/** A small deterministic PRNG (mulberry32), so the fuzz cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  "overrides.kafkaCluster.kafka.replicas",
  "overrides.kafkaTopic.config.retention.ms",
  "overrides.kafkaTopic.partitions",
  "overrides.loki.ingester.replicas",
  "overrides.mimir.mimir.structuredConfig.ingest_storage.kafka.producer_max_record_size_bytes",
  "overrides.kubePrometheusStack.prometheus.prometheusSpec.retention",
  "overrides.alloy.alloy.configMap.content",
  "overrides.strimzi.extraEnvs",
  "overrides.mimir.store_gateway.zoneAwareReplication.enabled",
  "overrides.loki.loki.commonConfig.replication_factor",
  "network.existingVpcId",
  "network.existingPrivateSubnetIds",
  "cluster.endpointPublicAccessMaxShare",
  "tenants.1",
  "tenants.0.limits.maxGlobalSeries",
  "profile",
  "network.vpcCidr",
  "network.availabilityZones",
  "network.natGateways",
  "cluster.kubernetesVersion",
  "cluster.endpointPublicAccessCidrs",
  "cluster.privateEndpoint",
  "cluster.adminRoleArns",
  "cluster.viewerRoleArns",
  "cluster.nodeGroups.instanceTypes",
  "cluster.nodeGroups.minSize",
  "cluster.nodeGroups.maxSize",
  "cluster.nodeGroups.desiredSize",
  "retention.prometheusLocal",
  "retention.metrics",
  "retention.logs",
  "retention.kafka",
  "replication.zones",
  "replication.kafkaBrokers",
  "replication.kafkaReplicationFactor",
  "replication.kafkaMinInsyncReplicas",
  "replication.lokiReplicationFactor",
  "replication.storeGatewayReplicationFactor",
  "workload.activeSeries",
  "workload.samplesPerSecond",
  "workload.logsGBPerDay",
  "workload.queriesPerSecond",
  "tenants",
  "tenants.0.id",
  "tenants.0.limits.logsRetention",
  "tenants.0.limits.ingestionRate",
  "overrides.bucketLifecycleDays.mimirBlocks",
  "overrides.mimir.ingester.replicas",
  "overrides.loki.loki.limits_config.retention_period",
  "unknownKey",
];

const VALUES: unknown[] = [
  0,
  -1,
  1,
  2,
  3,
  7,
  1.5,
  450,
  1e6,
  1e9,
  1e15,
  1e308,
  -1e308,
  Infinity,
  NaN,
  true,
  false,
  null,
  "",
  "x",
  "1.35",
  "1.10",
  "10.0.0.0/16",
  "10.0.0.0/8",
  "0.0.0.0/0",
  "192.168.1.1/33",
  "90d",
  "0s",
  "1h30m",
  "99999999999w",
  "13h",
  "eu-west-1",
  "*",
  "../",
  "a".repeat(300),
  "m6i.xlarge",
  "m6i.16xlarge",
  "t3.nano",
  [],
  ["10.0.0.0/24", "0.0.0.0/1"],
  ["eu-west-1a"],
  [{ id: "team-a" }, { id: "team(a)" }],
  [{ id: "" }],
  {},
  { nested: { deep: 1 } },
  "arn:aws:iam::123456789012:role/Admin",
];

function fuzzStacks(count: number, seed: number): Record<string, string> {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const bases = ["dev", "staging", "prod"].map(
    (s) =>
      parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${s}.yaml`), "utf8")) as { config: Record<string, unknown> },
  );
  const stacks: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const config = structuredClone(pick(bases).config);
    for (let m = 0; m < 1 + Math.floor(next() * 3); m++) {
      const [head, ...rest] = pick(KEYS).split(".");
      const key = `observability-stack:${head}`;
      if (next() < 0.05) {
        config["aws:region"] = pick(["eu-central-1", "ap-southeast-7", "mars-north-1", "", "us-gov-west-1"]);
        continue;
      }
      if (rest.length === 0) {
        config[key] = pick(VALUES);
        continue;
      }
      let node = (config[key] = typeof config[key] === "object" && config[key] !== null ? config[key] : {}) as Record<
        string,
        unknown
      >;
      for (const part of rest.slice(0, -1))
        node = (node[part] = typeof node[part] === "object" && node[part] !== null ? node[part] : {}) as Record<
          string,
          unknown
        >;
      node[rest[rest.length - 1]] = pick(VALUES);
    }
    stacks[`fuzz-${String(i).padStart(3, "0")}`] = stringify({ config });
  }
  return stacks;
}
