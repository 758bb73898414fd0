import { strict as assert } from "assert";
import { disruptionBudgetsKeepRedundancy } from "../../../../policies/rules/rollout/disruption-budgets-keep-redundancy";
import { compliantStack, mutate, mutateValues, retag } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (records = compliantStack(), config: Record<string, unknown> = {}) =>
  runStackPolicy(disruptionBudgetsKeepRedundancy, records, config);

const kafkaBudget = (value: unknown) =>
  mutate(
    compliantStack(),
    "kafka-cluster",
    ["spec", "kafka", "template", "podDisruptionBudget", "maxUnavailable"],
    value,
  );

describe("policy disruption-budgets-keep-redundancy (U6)", () => {
  it("passes the compliant fixture", async () => {
    const result = await run();
    assert.deepEqual(result.violations, []);
    assert.deepEqual(result.advisories, []);
  });

  it("rejects a Kafka budget of 2: two brokers below min.insync.replicas, two of three controllers", async () => {
    const result = await run(kafkaBudget(2));
    assert.equal(result.violations.length, 1);
    const message = result.violations[0].message;
    assert.match(
      message,
      /spec\.kafka\.template\.podDisruptionBudget\.maxUnavailable=2: Strimzi makes one PodDisruptionBudget over all 6 nodes/,
    );
    assert.match(message, /2 of its 3 brokers may be among them.*min\.insync\.replicas 2.*NOT_ENOUGH_REPLICAS/);
    assert.match(message, /2 of its 3 KRaft controllers.*needs 2 of 3/);
    assert.match(message, /Fix: set spec\.kafka\.template\.podDisruptionBudget\.maxUnavailable to 1/);
  });

  it("accepts a Kafka budget of 2 when RF 5 / min ISR 3 on 5 brokers and 5 controllers tolerate it", async () => {
    let records = kafkaBudget(2);
    records = mutate(records, "kafka-topic-mimir-ingest", ["spec", "replicas"], 5);
    records = mutate(records, "kafka-topic-mimir-ingest", ["spec", "config", "min.insync.replicas"], 3);
    records = mutate(records, "kafka-cluster", ["spec", "kafka", "config", "default.replication.factor"], 5);
    records = mutate(records, "kafka-cluster", ["spec", "kafka", "config", "min.insync.replicas"], 3);
    records = mutate(records, "kafka-pool-brokers", ["spec", "replicas"], 5);
    records = mutate(records, "kafka-pool-controllers", ["spec", "replicas"], 5);
    assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects a Loki zone ingester budget of 2 with RF 3 (the zone budget spans every zone)", async () => {
    const result = await run(mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget.maxUnavailable", 2));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /ingester\.podDisruptionBudget\.maxUnavailable=2: the ingester PodDisruptionBudget .* evict 2 pod\(s\) at once .*a push needs 2 of them; the budget selects the ingesters of all 3 zones.*write quorum.*Fix: set ingester\.podDisruptionBudget\.maxUnavailable to 1/,
    );
  });

  it("rejects a percentage that rounds up past the quorum (67% of 3 ingesters is 3)", async () => {
    const result = await run(
      mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget.maxUnavailable", "67%"),
    );
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /evict 3 pod\(s\) at once \(67% of 3 pods, rounded up\)/);
  });

  it("accepts a Loki ingester budget of 1 and of 33% (1 of 3, rounded up)", async () => {
    assert.deepEqual(
      (await run(mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget.maxUnavailable", 1))).violations,
      [],
    );
    assert.deepEqual(
      (await run(mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget.maxUnavailable", "33%")))
        .violations,
      [],
    );
  });

  it("rejects a Prometheus budget of minAvailable 0 over the HA pair", async () => {
    let records = mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.podDisruptionBudget", {
      enabled: true,
      minAvailable: 0,
    });
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /prometheus\.podDisruptionBudget\.minAvailable=0: the prometheus PodDisruptionBudget .* evict 2 pod\(s\) at once .*never collected.*Fix: set prometheus\.podDisruptionBudget\.minAvailable to 1/,
    );
    records = mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.podDisruptionBudget", {
      enabled: true,
    });
    assert.deepEqual((await run(records)).violations, [], "the chart's minAvailable 1 keeps one replica");
  });

  it("judges every shard: minAvailable 1 over 2 replicas x 2 shards lets a shard's pair go", async () => {
    let records = mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.podDisruptionBudget", {
      enabled: true,
    });
    records = mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.shards", 2);
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /evict 3 pod\(s\) at once .*minAvailable to 3/);
  });

  it("reports a stateless tier's full outage as advisory outside prod and mandatory in prod", async () => {
    const loose = mutateValues(compliantStack(), "loki", "distributor.podDisruptionBudget.maxUnavailable", 2);
    const prod = await run(loose);
    assert.equal(prod.violations.length, 1);
    assert.match(
      prod.violations[0].message,
      /distributor\.podDisruptionBudget\.maxUnavailable=2: the distributor PodDisruptionBudget .* evict 2 pod\(s\) at once .*tolerates 1 down at once\. With every distributor pod evicted together, every log push is refused.*Fix: set distributor\.podDisruptionBudget\.maxUnavailable to 1.*Environment: prod/,
    );
    const staging = await run(retag(loose, "staging"));
    assert.deepEqual(staging.violations, []);
    assert.equal(staging.advisories.length, 1);
    const enforced = await run(retag(loose, "staging"), { environments: ["staging", "prod"] });
    assert.equal(enforced.violations.length, 1);
  });

  it("accepts a stateless budget of 2 when 3 replicas stay 1 up, and exempts one-pod components", async () => {
    let records = mutateValues(compliantStack(), "loki", "distributor.podDisruptionBudget.maxUnavailable", 2);
    records = mutateValues(records, "loki", "distributor.replicas", 3);
    assert.deepEqual((await run(records)).violations, []);
    records = mutateValues(compliantStack(), "mimir", "compactor.podDisruptionBudget.maxUnavailable", 5);
    assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects a Mimir store-gateway budget of 3 with RF 3 (every replica of a block)", async () => {
    const result = await run(
      mutateValues(compliantStack(), "mimir", "store_gateway.podDisruptionBudget.maxUnavailable", 3),
    );
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /served by 3 store-gateways.*tolerates 2 down/);
  });

  it("judges Mimir ingest-storage ingesters by partition replicas across zones", async () => {
    const two = await run(mutateValues(compliantStack(), "mimir", "ingester.podDisruptionBudget.maxUnavailable", 2));
    assert.deepEqual(two.violations, [], "two of three zones down still leaves a reader for each partition");
    const three = await run(mutateValues(compliantStack(), "mimir", "ingester.podDisruptionBudget.maxUnavailable", 3));
    assert.equal(three.violations.length, 1);
    assert.match(three.violations[0].message, /one ingester in each of 3 zones.*writes continue into Kafka/);
  });

  it("rejects a Mimir classic-ingester budget of 2 with RF 3 as mandatory", async () => {
    let records = mutateValues(compliantStack(), "mimir", "ingester.podDisruptionBudget.maxUnavailable", 2);
    records = mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.enabled", false);
    const result = await run(retag(records, "staging"));
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /Mimir default ingester\.ring\.replication_factor=3.*push needs 2/);
  });

  it("judges a quorum component that renders no budget as one allowing every pod: Strimzi's generation off", async () => {
    const result = await run(mutateValues(compliantStack(), "strimzi-operator", "generatePodDisruptionBudget", false));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /generatePodDisruptionBudget=false: Strimzi makes no PodDisruptionBudget for the 6 nodes of .* the stack declares none, so a drain may evict all of them at once\. 3 of its 3 brokers.*NOT_ENOUGH_REPLICAS.*Fix: set generatePodDisruptionBudget to true \(Strimzi's default\), with spec\.kafka\.template\.podDisruptionBudget\.maxUnavailable 1\./,
    );
  });

  it("rejects a Loki ingester or Prometheus HA pair left without a budget, and a Mimir ingester one in prod", async () => {
    const loki = await run(mutateValues(compliantStack(), "loki", "ingester.podDisruptionBudget.enabled", false));
    assert.equal(loki.violations.length, 1);
    assert.match(
      loki.violations[0].message,
      /ingester\.podDisruptionBudget\.enabled=false: no ingester PodDisruptionBudget is rendered, so a drain may evict all 3 pod\(s\) at once, but each stream is written to 3 ingesters.*Fix: set ingester\.podDisruptionBudget to \{enabled: true, maxUnavailable: 1\}/,
    );
    const prometheus = await run(
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.podDisruptionBudget.enabled", false),
    );
    assert.equal(prometheus.violations.length, 1);
    assert.match(
      prometheus.violations[0].message,
      /prometheus\.podDisruptionBudget\.enabled=false: no prometheus PodDisruptionBudget .* all 2 pod\(s\).*prometheus\.prometheusSpec\.replicas=2.*Fix: set prometheus\.podDisruptionBudget to \{enabled: true, minAvailable: 1\}/,
    );
    const mimir = mutateValues(compliantStack(), "mimir", "ingester.podDisruptionBudget", null);
    const prod = await run(mimir);
    assert.equal(prod.violations.length, 1);
    assert.match(prod.violations[0].message, /ingester\.podDisruptionBudget=null: no ingester PodDisruptionBudget/);
    const staging = await run(retag(mimir, "staging"));
    assert.deepEqual(staging.violations, [], "ingest storage: reads of recent samples stop, writes go on (advisory)");
    assert.equal(staging.advisories.length, 1);
  });

  it("does not judge a one-replica Prometheus or a stateless tier without a budget", async () => {
    let records = mutateValues(
      compliantStack(),
      "kube-prometheus-stack",
      "prometheus.podDisruptionBudget.enabled",
      false,
    );
    records = mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.replicas", 1);
    records = mutateValues(records, "loki", "distributor.podDisruptionBudget.enabled", false);
    const result = await run(records);
    assert.deepEqual([...result.violations, ...result.advisories], []);
  });
});
