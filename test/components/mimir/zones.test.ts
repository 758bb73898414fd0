import * as assert from "node:assert/strict";
import { ingestersPerChartZone, placementValues, zoneLayout } from "../../../components/mimir";
import { AZS, settingsFor, STORAGE_CLASS } from "../fixtures";

type Any = any;

describe("Mimir zone layout", () => {
  it("prod: one chart zone per Mimir zone, pinned to its AZ, with the gp3 class", () => {
    const s = settingsFor("prod");
    const layout = zoneLayout(s, AZS);
    assert.equal(layout.zoneAware, true);
    assert.equal(layout.warning, undefined);
    const v: Any = placementValues(layout, STORAGE_CLASS);
    assert.deepEqual(
      v.zoneAwareReplication.zones,
      s.mimir.zones.map((z) => ({
        name: z.name,
        nodeSelector: { "topology.kubernetes.io/zone": AZS[z.azIndex] },
        storageClass: STORAGE_CLASS,
      })),
    );
    assert.equal(ingestersPerChartZone(layout, s.mimir.sizing.ingester.replicas), s.mimir.sizing.ingester.perZone);
  });

  it("follows azIndex, not list order", () => {
    const s = settingsFor("prod");
    s.mimir.zones = [
      { name: "zone-a", azIndex: 2 },
      { name: "zone-b", azIndex: 0 },
      { name: "zone-c", azIndex: 1 },
    ];
    const v: Any = placementValues(zoneLayout(s, AZS), STORAGE_CLASS);
    assert.deepEqual(
      v.zoneAwareReplication.zones.map((z: Any) => z.nodeSelector["topology.kubernetes.io/zone"]),
      ["eu-west-1c", "eu-west-1a", "eu-west-1b"],
    );
  });

  it("2 zones: the 6.0 chart cannot render it zone-aware; pods spread over both AZs and a warning says why", () => {
    const s = settingsFor("staging", { replication: { zones: 2, storeGatewayReplicationFactor: 2 } });
    assert.equal(s.mimir.zoneAware, false, "settings apply the chart's 3-zone minimum");
    assert.equal(s.mimir.zones.length, 2);
    const layout = zoneLayout(s, AZS);
    assert.equal(layout.zoneAware, false);
    assert.match(layout.warning ?? "", /grafana\/mimir#14065/);
    const v: Any = placementValues(layout, STORAGE_CLASS);
    assert.equal(v.zoneAwareReplication.enabled, false);
    const term =
      v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0];
    assert.deepEqual(term.values, ["eu-west-1a", "eu-west-1b"]);
    assert.deepEqual(v.topologySpreadConstraints, [
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" },
    ]);
    assert.equal(
      ingestersPerChartZone(layout, s.mimir.sizing.ingester.replicas),
      s.mimir.sizing.ingester.replicas,
      "all ingesters share one ring zone",
    );
  });

  it("follows settings.mimir.zoneAware rather than counting zones itself", () => {
    const s = settingsFor("prod");
    s.mimir.zoneAware = false;
    const layout = zoneLayout(s, AZS);
    assert.equal(layout.zoneAware, false);
    assert.equal((placementValues(layout, STORAGE_CLASS) as Any).zoneAwareReplication.enabled, false);
  });

  it("dev (1 zone): no zone awareness and no warning, pinned to the first zone's AZ", () => {
    const layout = zoneLayout(settingsFor("dev"), AZS.slice(0, 2));
    assert.equal(layout.warning, undefined);
    const v: Any = placementValues(layout, STORAGE_CLASS);
    assert.deepEqual(v, {
      zoneAwareReplication: { enabled: false },
      nodeSelector: { "topology.kubernetes.io/zone": "eu-west-1a" },
    });
  });

  it("names the zone and the count when an AZ index has no AZ", () => {
    assert.throws(
      () => zoneLayout(settingsFor("prod"), AZS.slice(0, 2)),
      /zone "zone-c" uses availability zone index 2, but only 2/,
    );
  });
});
