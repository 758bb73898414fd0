import { strict as assert } from "assert";
import { alloyListensWhereProbed } from "../../../../policies/rules/wiring/alloy-listens-where-probed";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = async (records: ReturnType<typeof compliantStack>) => runStackPolicy(alloyListensWhereProbed, records);

describe("policy alloy-listens-where-probed (W11)", () => {
  it("passes the compliant stack and a port moved through alloy.listenPort", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
    assert.deepEqual((await run(mutateValues(compliantStack(), "alloy", "alloy.listenPort", 12346))).violations, []);
  });

  it("rejects alloy.listenAddr 127.0.0.1 (held-out example)", async () => {
    const result = await run(mutateValues(compliantStack(), "alloy", "alloy.listenAddr", "127.0.0.1"));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.alloy\.listenAddr=127\.0\.0\.1 .*loopback only.*readiness probe.*pods never become Ready.*Fix: set alloy\.listenAddr to 0\.0\.0\.0/,
    );
  });

  it("names clustering peers when clustering is on, and reads the legacy agent map", async () => {
    let records = mutateValues(compliantStack(), "alloy", "alloy.clustering", { enabled: true });
    records = mutateValues(records, "alloy", "agent.listenAddr", "localhost");
    const result = await run(records);
    assert.match(
      result.violations[0].message,
      /values\.agent\.listenAddr=localhost.*clustering peers.*cluster never forms/,
    );
  });

  it("rejects an extraArgs listen address on another port, accepts one on the same port", async () => {
    const moved = mutateValues(compliantStack(), "alloy", "alloy.extraArgs", [
      "--server.http.listen-addr=0.0.0.0:8080",
    ]);
    assert.match(
      (await run(moved)).violations[0].message,
      /--server\.http\.listen-addr=0\.0\.0\.0:8080 moves Alloy's HTTP server to port 8080.*chart default alloy\.listenPort=12345/,
    );
    const same = mutateValues(compliantStack(), "alloy", "alloy.extraArgs", [
      "--server.http.listen-addr=0.0.0.0:12345",
    ]);
    assert.deepEqual((await run(same)).violations, []);
  });

  it("rejects a liveness probe on another port", async () => {
    const records = mutateValues(compliantStack(), "alloy", "alloy.livenessProbe", {
      httpGet: { path: "/-/healthy", port: 8080 },
    });
    assert.match(
      (await run(records)).violations[0].message,
      /livenessProbe\.httpGet\.port=8080.*restarts each Alloy pod forever/,
    );
  });

  it("rejects an OTLP receiver on loopback behind an extra Service port", async () => {
    let records = mutateValues(compliantStack(), "alloy", "alloy.extraPorts", [
      { name: "otlp-grpc", port: 4317, targetPort: 4317, protocol: "TCP" },
    ]);
    records = mutateValues(
      records,
      "alloy",
      "alloy.configMap.content",
      'otelcol.receiver.otlp "default" {\n  grpc {\n    endpoint = "127.0.0.1:4317"\n  }\n  output {}\n}\n',
    );
    assert.match(
      (await run(records)).violations[0].message,
      /otelcol\.receiver\.otlp "default" listens on 127\.0\.0\.1:4317, loopback only/,
    );
  });
});
