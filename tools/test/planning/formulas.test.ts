import { INSTANCE_SHAPES } from "../../../policies/rules/capacity/figures";
import { strict as assert } from "assert";
import { ASSUMED_KAFKA_BYTES_PER_SAMPLE } from "../../../policies/model";
import { ampIngestionUsd } from "../../../tools/planning/alternatives";
import { PRICES, pricesFor, validatePriceTable } from "../../../tools/planning/price-table";
import {
  criticalPath,
  lowerBound,
  RolloutNode,
  unneededDependencies,
  withoutEdges,
} from "../../../tools/planning/rollout";

describe("AMP ingestion tiers", () => {
  const tiers = PRICES.regions["us-east-1"].ampIngestionPer10M;

  it("charges $0.90 per 10M for the first 2B samples after the 40M free", () => {
    // 3.04B - 40M = 3B: 2B x 0.90 / 1e7 = 180, 1B x 0.35 / 1e7 = 35.
    assert.ok(Math.abs(ampIngestionUsd(3_040_000_000, tiers) - 215) < 1e-9);
  });

  it("charges $0.16 beyond 252B", () => {
    // 262B after the free tier: 180 + 250B x 0.35 / 1e7 (8,750) + 10B x 0.16 / 1e7 (160).
    assert.ok(Math.abs(ampIngestionUsd(262_040_000_000, tiers) - 9090) < 1e-6);
  });

  it("charges nothing within the free tier", () => {
    assert.equal(ampIngestionUsd(30_000_000, tiers), 0);
  });
});

describe("the price table", () => {
  it("dates and cites every price, in every region", () => {
    assert.equal(PRICES.hoursPerMonth, 730);
    for (const [region, prices] of Object.entries(PRICES.regions)) {
      for (const [key, price] of Object.entries(prices)) {
        if (typeof price !== "object") continue;
        assert.ok(typeof price.source === "string" && price.source.length > 0, `${region}.${key} has no source`);
        assert.ok(typeof price.asOf === "string" && price.asOf.length > 0, `${region}.${key} has no date`);
      }
    }
  });

  it("prices the regions the shipped stacks use and the common ones, each as itself", () => {
    for (const region of ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"]) {
      const resolved = pricesFor(region);
      assert.equal(resolved.pricedAs, region);
      assert.equal(resolved.standInReason, undefined);
    }
    // The figures the cost review checked against the AWS price list: m6i.2xlarge 0.384 in us-east-1, 0.428 in eu-west-1.
    assert.equal(PRICES.regions["us-east-1"].ec2Hour.usd["m6i.2xlarge"], 0.384);
    assert.equal(PRICES.regions["eu-west-1"].ec2Hour.usd["m6i.2xlarge"], 0.428);
  });

  it("prices every instance type the config accepts, in every region, from a listed price", () => {
    for (const [region, prices] of Object.entries(PRICES.regions)) {
      const missing = Object.keys(INSTANCE_SHAPES).filter((type) => prices.ec2Hour.usd[type] === undefined);
      assert.deepEqual(missing, [], region);
    }
  });

  it("rejects a price without its source or date, naming the key", () => {
    const broken = structuredClone(PRICES);
    (broken.regions["us-east-1"].natGatewayHour as { source: string }).source = "";
    assert.throws(
      () => validatePriceTable(broken),
      /tools\/planning\/prices\.json: regions\.us-east-1\.natGatewayHour\.source = ""; expected where the price was read/,
    );
    const undated = structuredClone(PRICES);
    delete (undated.regions["eu-west-1"].crossAzGB as { asOf?: string }).asOf;
    assert.throws(
      () => validatePriceTable(undated),
      /regions\.eu-west-1\.crossAzGB\.asOf = undefined; expected when the price was published or read/,
    );
  });

  it("rejects a stand-in that names a region the table does not have", () => {
    const broken = structuredClone(PRICES);
    broken.regionStandIns["ap-south-1"] = { use: "ap-south-2", why: "test" };
    assert.throws(
      () => validatePriceTable(broken),
      /regionStandIns\.ap-south-1\.use = "ap-south-2"; expected one of us-east-1/,
    );
  });

  it("prices a region it has no figures for with a marked stand-in, never a crash", () => {
    const resolved = pricesFor("ap-south-1");
    assert.equal(resolved.pricedAs, "us-east-1");
    assert.match(
      resolved.standInReason ?? "",
      /no checked prices for ap-south-1; priced with us-east-1's list prices.*estimate is low/,
    );
  });
});

describe("rollout estimate on a hand-built graph", () => {
  const node = (urn: string, minutes: number, after: string[], extra: Partial<RolloutNode> = {}): RolloutNode => ({
    urn,
    name: urn,
    type: "test",
    minutes,
    source: "test",
    after,
    releaseChain: false,
    ...extra,
  });
  // cluster 12 -> nodes 3 -> csi 1 -> namespace 0.05 -> crds 0.5 -> app 3 (app also after nodes).
  const graph = [
    node("cluster", 12, [], { stage: "cluster" }),
    node("nodes", 3, ["cluster"], { stage: "nodeGroup", provides: "nodes" }),
    node("csi", 1, ["nodes"], { provides: "storage" }),
    node("namespace", 0.05, ["cluster", "nodes", "csi"], { needs: [] }),
    node("crds", 0.5, ["namespace"], { needs: [], releaseChain: true }),
    node("app", 3, ["crds", "nodes"], { needs: ["nodes"], releaseChain: true }),
  ];

  it("follows the longest path and its start times", () => {
    const { minutes, path } = criticalPath(graph);
    assert.ok(Math.abs(minutes - 19.55) < 1e-9);
    assert.deepEqual(
      path.map((s) => [s.name, Number(s.startMinute.toFixed(2))]),
      [
        ["cluster", 0],
        ["nodes", 12],
        ["csi", 15],
        ["namespace", 16],
        ["crds", 16.05],
        ["app", 16.55],
      ],
    );
  });

  it("bounds it below by cluster, one node group and the slowest release chain", () => {
    assert.deepEqual(lowerBound(graph), {
      minutes: 18.5,
      parts: [
        { what: "EKS cluster", minutes: 12 },
        { what: "one node group", minutes: 3 },
        { what: "slowest chain of releases and Strimzi resources", minutes: 3.5 },
      ],
    });
  });

  it("finds the namespace's edges to nodes and storage unneeded, and what dropping them saves", () => {
    const [finding] = unneededDependencies(graph);
    assert.equal(finding.from.name, "namespace");
    assert.deepEqual(
      finding.to.map((t) => t.name),
      ["nodes", "csi"],
    );
    // The app then waits for max(crds at 12.55, nodes at 15) + 3 = 18: 1.55 minutes sooner.
    assert.ok(Math.abs(finding.savingMinutes - 1.55) < 1e-9);
  });

  it("keeps what a resource needs when an edge goes: it waits for the prerequisite directly", () => {
    // With its own edge gone the app still reaches nodes through crds -> namespace: nothing is added.
    assert.deepEqual(withoutEdges(graph, [{ from: "app", to: "nodes" }]).find((n) => n.urn === "app")!.after, ["crds"]);
    // With the namespace's edges gone too, the app would lose nodes: it gets a direct edge back.
    const reduced = withoutEdges(graph, [
      { from: "app", to: "nodes" },
      { from: "namespace", to: "nodes" },
      { from: "namespace", to: "csi" },
    ]);
    assert.deepEqual(reduced.find((n) => n.urn === "app")!.after, ["crds", "nodes"]);
  });
});

describe("the price table's sizes", () => {
  it("prices Kafka traffic with the bytes per sample the program sizes the brokers with (one assumption, not two)", () => {
    assert.equal(PRICES.sizes.kafkaBytesPerSample.value, ASSUMED_KAFKA_BYTES_PER_SAMPLE);
  });
});
