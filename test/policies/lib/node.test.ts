import { strict as assert } from "assert";
import * as policy from "@pulumi/policy";
import { PolicyInputError, PropNode, show } from "../../../policies/lib/node";
import { isUnknown, unwrapProxy } from "../../../policies/lib/unknown";
import { UNKNOWN } from "../support/harness";

const sdk = policy as unknown as {
  unknownCheckingProxy: (props: unknown) => Record<string, unknown>;
  UnknownValueError: new (...args: unknown[]) => Error;
};

function rootOf(props: Record<string, unknown>): PropNode {
  const proxied = sdk.unknownCheckingProxy(props);
  return PropNode.root({ label: 'Kafka "k"', urn: "urn:test", proxiedProps: proxied }, unwrapProxy(proxied));
}

describe("policies/lib/node PropNode", () => {
  it("navigates keys containing dots and names the path in messages", () => {
    const node = rootOf({ spec: { kafka: { config: { "message.max.bytes": "16777216" } } } }).get(
      "spec",
      "kafka",
      "config",
      "message.max.bytes",
    );
    assert.equal(node.number(), 16777216);
    assert.equal(node.where, 'Kafka "k" spec.kafka.config["message.max.bytes"]');
    assert.equal(show({ value: 1, where: node.where }), 'Kafka "k" spec.kafka.config["message.max.bytes"]=1');
  });

  it("turns an unknown value (or anything under it) into an Unknown instead of throwing", () => {
    const root = rootOf({ spec: UNKNOWN, other: { port: UNKNOWN } });
    assert.ok(isUnknown(root.get("spec", "replicas").number()));
    assert.ok(isUnknown(root.get("other", "port").number()));
    assert.equal(root.get("missing").number(), undefined);
  });

  it("re-reads an unknown through the SDK proxy so the SDK reports its own advisory", () => {
    const unknown = rootOf({ other: { port: UNKNOWN } })
      .get("other", "port")
      .unknown();
    assert.throws(
      () => unknown.raiseThroughSdk(),
      (e: Error) => e instanceof sdk.UnknownValueError && /\.other\.port can't be known during preview/.test(e.message),
    );
  });

  it("reports malformed values naming key, value and what is allowed", () => {
    const node = rootOf({ spec: { replicas: "three" } }).get("spec", "replicas");
    assert.throws(
      () => node.number(),
      (e: Error) => e instanceof PolicyInputError && e.message === 'Kafka "k" spec.replicas="three" is not a number.',
    );
  });

  it("reads booleans given as strings", () => {
    assert.equal(rootOf({ a: "false" }).get("a").boolean(), false);
  });
});
