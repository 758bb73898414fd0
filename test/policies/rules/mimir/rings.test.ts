import { strict as assert } from "assert";
import { ringsSharedAcrossPods } from "../../../../policies/rules/mimir/rings-shared-across-pods";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy rings-shared-across-pods (M18)", () => {
  it("accepts the fixture (the charts' memberlist rings)", async () => {
    assert.deepEqual((await runStackPolicy(ringsSharedAcrossPods, compliantStack())).violations, []);
  });

  it("rejects an inmemory ring in Loki's and in Mimir's config", async () => {
    let records = mutateValues(
      compliantStack(),
      "loki",
      "loki.structuredConfig.ingester.lifecycler.ring.kvstore.store",
      "inmemory",
    );
    records = mutateValues(records, "mimir", "mimir.structuredConfig.ingester.ring.kvstore.store", "inmemory");
    const run = await runStackPolicy(ringsSharedAcrossPods, records);
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations.map((v) => v.message).join("\n"),
      /values\.loki\.structuredConfig\.ingester\.lifecycler\.ring\.kvstore\.store=inmemory: .*empty ring/,
    );
  });

  it("accepts memberlist named explicitly", async () => {
    const records = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.ingester.ring.kvstore.store",
      "memberlist",
    );
    assert.deepEqual((await runStackPolicy(ringsSharedAcrossPods, records)).violations, []);
  });
});

describe("policy rings-shared-across-pods (M18): KV stores the stack does not run", () => {
  const judge = (release: "mimir" | "loki", path: string, value: unknown) =>
    runStackPolicy(ringsSharedAcrossPods, mutateValues(compliantStack(), release, path, value));

  it("rejects a store-gateway ring on Consul at the default localhost:8500", async () => {
    const run = await judge("mimir", "mimir.structuredConfig.store_gateway.sharding_ring.kvstore", { store: "consul" });
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.mimir\.structuredConfig\.store_gateway\.sharding_ring\.kvstore\.store=consul: it dials Consul at "localhost:8500" .*runs no Consul/,
    );
  });

  it("rejects etcd without endpoints, and a multi store whose primary is Consul, in Loki's rendered sections", async () => {
    const etcd = await judge("loki", "loki.distributor.ring.kvstore", { store: "etcd" });
    assert.match(
      etcd.violations[0].message,
      /values\.loki\.distributor\.ring\.kvstore\.store=etcd: it names no etcd endpoints/,
    );
    const multi = await judge("loki", "loki.commonConfig.ring.kvstore", {
      store: "multi",
      multi: { primary: "consul", secondary: "memberlist" },
    });
    assert.match(multi.violations[0].message, /kvstore\.store=multi: its multi\.primary="consul": it dials Consul/);
  });

  it("accepts an operator's own Consul and etcd, and a multi store migrating between them", async () => {
    for (const kv of [
      { store: "consul", consul: { host: "consul.infra.svc:8500" } },
      { store: "etcd", etcd: { endpoints: ["etcd-0.infra.svc:2379"] } },
      { store: "multi", multi: { primary: "memberlist", secondary: "consul" }, consul: { host: "consul.infra:8500" } },
    ])
      assert.deepEqual((await judge("mimir", "mimir.structuredConfig.ingester.ring.kvstore", kv)).violations, []);
  });
});

describe("policy mimir-ingest-storage-config-valid (M9): where ingesters start reading", () => {
  it("rejects consume_from_position_at_startup end, accepts last-offset", async () => {
    const { mimirIngestStorageConfigValid } =
      await import("../../../../policies/rules/mimir/ingest-storage-config-valid");
    const at = (value: string) =>
      mutateValues(
        compliantStack(),
        "mimir",
        "mimir.structuredConfig.ingest_storage.kafka.consume_from_position_at_startup",
        value,
      );
    const run = await runStackPolicy(mimirIngestStorageConfigValid, at("end"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /consume_from_position_at_startup="end": each ingester restart or rollout skips/,
    );
    assert.deepEqual((await runStackPolicy(mimirIngestStorageConfigValid, at("last-offset"))).violations, []);
  });
});
