import { strict as assert } from "assert";
import { mimirDistributorMemoryFitsProducerBuffer } from "../../../../policies/rules/kafka/distributor-memory-fits-producer-buffer";
import { mimirKafkaTargetExists } from "../../../../policies/rules/kafka/kafka-target-exists";
import { compliantStack, mutate, mutateValues, without } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

describe("policy mimir-distributor-memory-fits-producer-buffer (K11)", () => {
  it("rejects the seed incident: a 1Gi limit with the default 1 GiB producer buffer", async () => {
    const run = await runStackPolicy(
      mimirDistributorMemoryFitsProducerBuffer,
      mutateValues(compliantStack(), "mimir", "distributor.resources.limits.memory", "1Gi"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.distributor\.resources\.limits\.memory=1Gi \(1Gi \(1073741824 bytes\)\) < Mimir default ingest_storage\.kafka\.producer_max_buffered_bytes=1073741824/,
    );
    assert.match(run.violations[0].message, /OOM-killed/);
    assert.match(run.violations[0].message, /raise distributor\.resources\.limits\.memory to at least 1536Mi/);
  });

  it("accepts a 1Gi limit once the buffer is lowered", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "mimir", "distributor.resources.limits.memory", "1Gi"),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.producer_max_buffered_bytes",
      268435456,
    );
    assert.deepEqual((await runStackPolicy(mimirDistributorMemoryFitsProducerBuffer, records)).violations, []);
  });

  it("rejects a buffer of 0, which Mimir reads as no limit at all", async () => {
    const run = await runStackPolicy(
      mimirDistributorMemoryFitsProducerBuffer,
      mutateValues(
        compliantStack(),
        "mimir",
        "mimir.structuredConfig.ingest_storage.kafka.producer_max_buffered_bytes",
        0,
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /producer_max_buffered_bytes=0 means no limit: under Kafka back-pressure the distributor buffers without bound/,
    );
  });

  it("multiplies the buffer by write_clients", async () => {
    const run = await runStackPolicy(
      mimirDistributorMemoryFitsProducerBuffer,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ingest_storage.kafka.write_clients", 2),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /write_clients=2/);
  });

  it("accepts a distributor without a memory limit", async () => {
    assert.deepEqual(
      (
        await runStackPolicy(
          mimirDistributorMemoryFitsProducerBuffer,
          mutateValues(compliantStack(), "mimir", "distributor.resources.limits", undefined),
        )
      ).violations,
      [],
    );
  });

  it("names a malformed quantity", async () => {
    const run = await runStackPolicy(
      mimirDistributorMemoryFitsProducerBuffer,
      mutateValues(compliantStack(), "mimir", "distributor.resources.limits.memory", "two gigs"),
    );
    assert.match(
      run.violations[0].message,
      /values\.distributor\.resources\.limits\.memory="two gigs" is not a Kubernetes quantity/,
    );
  });

  it("gives no violation for a limit unknown during preview", async () => {
    const run = await runStackPolicy(
      mimirDistributorMemoryFitsProducerBuffer,
      mutateValues(compliantStack(), "mimir", "distributor.resources.limits.memory", UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(
      run.previewAdvisory ?? "",
      /values\.distributor\.resources\.limits\.memory can't be known during preview/,
    );
  });
});

describe("policy mimir-kafka-target-exists", () => {
  const address = (value: string) =>
    mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ingest_storage.kafka.address", value);

  it("rejects a Strimzi Service name in a namespace where the stack has no Kafka", async () => {
    const run = await runStackPolicy(mimirKafkaTargetExists, address("kafka-kafka-bootstrap.kafka-system.svc:9093"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /names Strimzi Kafka "kafka" in namespace kafka-system, but this stack's Kafka is "kafka" in namespace kafka: the Service name does not resolve/,
    );
    assert.deepEqual(run.advisories, []);
  });

  it("accepts the same Kafka by its fully qualified name", async () => {
    const run = await runStackPolicy(
      mimirKafkaTargetExists,
      address("kafka-kafka-bootstrap.kafka.svc.cluster.local:9093"),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects kafka.enabled false without an address", async () => {
    const run = await runStackPolicy(
      mimirKafkaTargetExists,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ingest_storage.kafka.address", undefined),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ingest_storage\.kafka\.address= \(not set, and mimir-distributed release "mimir" values\.kafka\.enabled=false\)/,
    );
  });

  it("rejects a port no Strimzi listener opens", async () => {
    const run = await runStackPolicy(
      mimirKafkaTargetExists,
      mutateValues(
        compliantStack(),
        "mimir",
        "mimir.structuredConfig.ingest_storage.kafka.address",
        "kafka-kafka-bootstrap.kafka.svc.cluster.local:9092",
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /uses port 9092, but Kafka "kafka" \(namespace kafka\) listens on 9093/);
  });

  it("rejects the shared bootstrap Service's port when that listener has its own Service (type cluster-ip)", async () => {
    const run = await runStackPolicy(
      mimirKafkaTargetExists,
      mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "listeners", 0, "type"], "cluster-ip"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /address=kafka-kafka-bootstrap\.kafka\.svc:9093 dials port 9093 on the shared Service kafka-kafka-bootstrap, but .*listeners\[0\]\.type=cluster-ip \(listener "tls"/,
    );
    assert.match(
      run.violations[0].message,
      /every Mimir write fails\. Fix: set ingest_storage\.kafka\.address to kafka-kafka-tls-bootstrap\.kafka\.svc:9093/,
    );
  });

  it("rejects the headless brokers Service too, and accepts the listener's own Service or an internal listener", async () => {
    const clusterIp = mutate(
      compliantStack(),
      "kafka-cluster",
      ["spec", "kafka", "listeners", 0, "type"],
      "cluster-ip",
    );
    const brokers = await runStackPolicy(
      mimirKafkaTargetExists,
      mutateValues(
        clusterIp,
        "mimir",
        "mimir.structuredConfig.ingest_storage.kafka.address",
        "kafka-kafka-brokers.kafka.svc:9093",
      ),
    );
    assert.equal(brokers.violations.length, 1);
    assert.match(brokers.violations[0].message, /on the shared Service kafka-kafka-brokers/);
    const own = mutateValues(
      clusterIp,
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.address",
      "kafka-kafka-tls-bootstrap.kafka.svc:9093",
    );
    assert.deepEqual((await runStackPolicy(mimirKafkaTargetExists, own)).violations, []);
    // A second, internal listener next to a cluster-ip one: the shared Service carries the internal one's port.
    const both = mutate(clusterIp, "kafka-cluster", ["spec", "kafka", "listeners", 1], {
      name: "plain",
      port: 9092,
      type: "internal",
      tls: false,
    });
    const internal = mutateValues(
      both,
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.address",
      "kafka-kafka-bootstrap.kafka.svc:9092",
    );
    assert.deepEqual((await runStackPolicy(mimirKafkaTargetExists, internal)).violations, []);
  });

  it("rejects a topic that is neither declared nor auto-created", async () => {
    const run = await runStackPolicy(mimirKafkaTargetExists, without(compliantStack(), "kafka-topic-mimir-ingest"));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /topic "mimir-ingest" on Kafka "kafka".*auto_create_topic_enabled=false/);
  });

  it("accepts Mimir creating the topic", async () => {
    const records = mutateValues(
      without(compliantStack(), "kafka-topic-mimir-ingest"),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_enabled",
      undefined,
    );
    assert.deepEqual((await runStackPolicy(mimirKafkaTargetExists, records)).violations, []);
  });
});
