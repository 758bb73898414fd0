import { strict as assert } from "assert";
import {
  imageTag,
  kafkaVersionSupportedByStrimzi,
  strimziImageVersions,
} from "../../../../policies/rules/rollout/kafka-version-supported-by-strimzi";
import { compliantStack, mutate } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

const kafkaSpec = (records: ResourceRecord[], path: string, value: unknown) =>
  mutate(records, "kafka-cluster", ["spec", ...path.split(".")], value);

/** The program's Kafka CR: version 4.3.1, metadata 4.3-IV0 (settings/upstream.ts), plus an image. */
const withImage = (image: string, version = "4.3.1", metadata: string | null = "4.3-IV0") =>
  kafkaSpec(
    kafkaSpec(kafkaSpec(compliantStack(), "kafka.version", version), "kafka.metadataVersion", metadata ?? undefined),
    "kafka.image",
    image,
  );

describe("policy kafka-version-supported-by-strimzi (U4): spec.kafka.image", () => {
  it("rejects a Kafka 4.2.1 image under version 4.3.1 / metadata 4.3-IV0 (g28)", async () => {
    const result = await runStackPolicy(
      kafkaVersionSupportedByStrimzi,
      withImage("registry.example.com/strimzi/kafka:1.2.0-kafka-4.2.1"),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /spec\.kafka\.image=registry\.example\.com\/strimzi\/kafka:1\.2\.0-kafka-4\.2\.1 runs Kafka 4\.2\.1, but spec\.kafka\.version=4\.3\.1 and spec\.kafka\.metadataVersion=4\.3-IV0.*Unable to register/,
    );
  });

  it("rejects an older image when the metadata version comes from the version (metadataVersion unset)", async () => {
    const result = await runStackPolicy(
      kafkaVersionSupportedByStrimzi,
      withImage("quay.io/strimzi/kafka:1.2.0-kafka-4.2.0", "4.3.1", null),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /metadata version 4\.3-IV0 \(Kafka 4\.3\.1's, spec\.kafka\.metadataVersion unset\)/,
    );
  });

  it("accepts a mirrored image of the same Kafka release (registry port, digest)", async () => {
    for (const image of [
      "registry.example.com:5000/strimzi/kafka:1.2.0-kafka-4.3.1",
      "quay.io/strimzi/kafka:1.2.0-kafka-4.3.1@sha256:0123456789abcdef",
    ]) {
      const result = await runStackPolicy(kafkaVersionSupportedByStrimzi, withImage(image));
      assert.deepEqual([result.violations, result.advisories], [[], []], image);
    }
  });

  it("only advises on a newer image that can run the metadata version, or an older patch of the same minor", async () => {
    for (const [image, version, metadata] of [
      ["quay.io/strimzi/kafka:1.2.0-kafka-4.3.1", "4.2.1", "4.2-IV1"],
      ["quay.io/strimzi/kafka:1.2.0-kafka-4.3.0", "4.3.1", "4.3-IV0"],
      ["quay.io/strimzi/kafka:1.2.0-kafka-4.2.1", "4.3.1", "4.2-IV1"],
    ]) {
      const result = await runStackPolicy(kafkaVersionSupportedByStrimzi, withImage(image, version, metadata));
      assert.deepEqual(result.violations, [], image);
      assert.equal(result.advisories.length, 1, image);
      assert.match(result.advisories[0].message, /INFERRED: .*runs Kafka .*Strimzi assumes the image is Kafka/);
    }
  });

  it("advises that it cannot tell when the tag names no Kafka version", async () => {
    for (const image of ["registry.example.com/kafka:latest", "registry.example.com/kafka@sha256:abc"]) {
      const result = await runStackPolicy(kafkaVersionSupportedByStrimzi, withImage(image));
      assert.deepEqual(result.violations, []);
      assert.equal(result.advisories.length, 1);
      assert.match(result.advisories[0].message, /the pack cannot tell which Kafka release it carries/);
    }
  });

  it("advises on an image built by an older Strimzi", async () => {
    const result = await runStackPolicy(
      kafkaVersionSupportedByStrimzi,
      withImage("quay.io/strimzi/kafka:0.45.0-kafka-4.3.1"),
    );
    assert.deepEqual(result.violations, []);
    assert.equal(result.advisories.length, 1);
    assert.match(result.advisories[0].message, /built by Strimzi 0\.45\.0, older than the 1\.2\.0 operator/);
  });

  it("parses tags", () => {
    assert.equal(imageTag("a.b:5000/x/kafka:1.2.0-kafka-4.3.1@sha256:f"), "1.2.0-kafka-4.3.1");
    assert.equal(imageTag("a.b:5000/x/kafka"), undefined);
    assert.deepEqual(strimziImageVersions("0.45.0-rc1-kafka-3.9.0"), { kafka: [3, 9, 0], strimzi: [0, 45, 0] });
    assert.deepEqual(strimziImageVersions("custom-kafka-4.3.1"), { kafka: [4, 3, 1], strimzi: undefined });
    assert.equal(strimziImageVersions("4.3.1"), undefined);
  });
});
