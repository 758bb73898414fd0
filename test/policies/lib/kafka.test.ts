import { strict as assert } from "assert";
import { kafkaEnvName, kafkaLandscape, parseKafkaAddress } from "../../../policies/lib/kafka";
import { StackView } from "../../../policies/lib/stack";
import { compliantStack, mutateValues } from "../support/fixture";
import { stackValidationArgs } from "../support/harness";

const landscapeOf = (records = compliantStack()) =>
  kafkaLandscape(new StackView(stackValidationArgs(records).resources));

describe("policies/lib/kafka", () => {
  it("parses the first address of a comma-separated seed list", () => {
    assert.deepEqual(parseKafkaAddress("a-kafka-bootstrap.kafka.svc:9093,b:9092"), {
      host: "a-kafka-bootstrap.kafka.svc",
      port: 9093,
    });
    assert.deepEqual(parseKafkaAddress("broker"), { host: "broker", port: undefined });
  });

  it("maps broker properties to apache/kafka image env vars", () => {
    assert.equal(kafkaEnvName("message.max.bytes"), "KAFKA_MESSAGE_MAX_BYTES");
  });

  it("resolves Mimir's bootstrap address to the Strimzi Kafka and its declared topic", () => {
    const { paths, clusters, topics } = landscapeOf();
    assert.equal(paths.length, 1);
    assert.equal(paths[0].cluster?.kind, "strimzi");
    assert.equal(paths[0].topic?.declared, true);
    assert.equal(paths[0].port, 9093);
    assert.equal(clusters.length, 1);
    assert.equal(topics.length, 1);
  });

  it("accepts the .svc.cluster.local form and a namespace-less host in the Kafka's namespace", () => {
    const full = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.address",
      "kafka-kafka-bootstrap.kafka.svc.cluster.local:9093",
    );
    assert.equal(landscapeOf(full).paths[0].cluster?.kind, "strimzi");
    const elsewhere = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.address",
      "other-kafka-bootstrap.kafka.svc:9093",
    );
    assert.equal(landscapeOf(elsewhere).paths[0].cluster?.kind, "external");
  });

  it("uses the built-in Kafka when kafka.enabled is absent and no address is set", () => {
    let records = mutateValues(compliantStack(), "mimir", "kafka", undefined);
    records = mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.kafka.address", undefined);
    const [path] = landscapeOf(records).paths;
    assert.equal(path.cluster?.kind, "builtin");
    assert.match(path.address.value, /-kafka\.mimir\.svc\.cluster\.local\.:9092$/);
  });

  it("skips releases with ingest storage disabled", () => {
    const records = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ingest_storage.enabled", false);
    assert.deepEqual(landscapeOf(records).paths, []);
  });
});
