import { strict as assert } from "assert";
import { alloyListensWhereProbed, httpServerTls } from "../../../../policies/rules/wiring/alloy-listens-where-probed";
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

  // The program's OTLP wiring (components/alloy/values.ts, config.ts): two extra ports and a receiver on 0.0.0.0.
  const OTLP =
    'otelcol.receiver.otlp "default" {\n  grpc {\n    endpoint = "0.0.0.0:4317"\n  }\n  http {\n    endpoint = "0.0.0.0:4318"\n  }\n  output {}\n}\n';
  const TLS = 'http {\n  tls {\n    cert_file = "/tls/tls.crt"\n    key_file  = "/tls/tls.key"\n  }\n}\n';
  const otlpStackPorts = [
    { name: "otlp-grpc", port: 4317, targetPort: 4317, protocol: "TCP", appProtocol: "grpc" },
    { name: "otlp-http", port: 4318, targetPort: 4318, protocol: "TCP" },
  ];
  const otlpStack = () => {
    let records = mutateValues(compliantStack(), "alloy", "alloy.extraPorts", otlpStackPorts);
    records = mutateValues(records, "alloy", "alloy.clustering", { enabled: true });
    return mutateValues(records, "alloy", "alloy.configMap.content", OTLP);
  };

  it("passes the program's OTLP extra ports and receivers", async () => {
    assert.deepEqual((await run(otlpStack())).violations, []);
  });

  it("rejects extraPorts replaced by a list without the receivers' ports: the alloy Service has no port for them", async () => {
    const zipkin = [{ name: "zipkin", port: 9411, targetPort: 9411, protocol: "TCP" }];
    const result = await run(mutateValues(otlpStack(), "alloy", "alloy.extraPorts", zipkin));
    assert.equal(result.violations.length, 2);
    assert.match(
      result.violations[0].message,
      /otelcol\.receiver\.otlp "default" listens on 0\.0\.0\.0:4317, but no values\.alloy\.extraPorts entry targets port 4317 \(extra ports: zipkin 9411\), so the alloy Service .*has no port for it: senders .*connection refused/,
    );
    assert.match(result.violations[1].message, /listens on 0\.0\.0\.0:4318, but no/);
    // Benign: the program's ports plus zipkin, a loopback-only receiver with no extra port, the Service disabled.
    const kept = [...(otlpStackPorts as unknown[]), ...zipkin];
    assert.deepEqual((await run(mutateValues(otlpStack(), "alloy", "alloy.extraPorts", kept))).violations, []);
    const local = mutateValues(
      mutateValues(otlpStack(), "alloy", "alloy.extraPorts", []),
      "alloy",
      "alloy.configMap.content",
      OTLP.replace(/0\.0\.0\.0/g, "127.0.0.1"),
    );
    assert.deepEqual((await run(local)).violations, []);
    const noService = mutateValues(
      mutateValues(otlpStack(), "alloy", "alloy.extraPorts", zipkin),
      "alloy",
      "service.enabled",
      false,
    );
    assert.deepEqual((await run(noService)).violations, []);
  });

  it("rejects alloy.listenPort equal to an OTLP extra port (held-out example)", async () => {
    const result = await run(mutateValues(otlpStack(), "alloy", "alloy.listenPort", 4317));
    assert.equal(result.violations.length, 2);
    const messages = result.violations.map((v) => v.message).join("\n");
    assert.match(
      messages,
      /http-metrics \(values\.alloy\.listenPort=4317\) and values\.alloy\.extraPorts\[0\] \(name otlp-grpc, port 4317\/TCP\) give the alloy Service .*two TCP ports 4317.*Duplicate value/,
    );
    assert.match(messages, /and, with clustering on, the <fullname>-cluster Service\) two TCP ports 4317/);
    assert.match(
      messages,
      /otelcol\.receiver\.otlp "default" listens on 0\.0\.0\.0:4317, the port Alloy's own HTTP server binds/,
    );
  });

  it("rejects two extra ports on one port, and port names taken by the chart", async () => {
    const dup = mutateValues(compliantStack(), "alloy", "alloy.extraPorts", [
      { name: "a", port: 9000, targetPort: 9000 },
      { name: "b", port: 9000, targetPort: 9001, protocol: "TCP" },
    ]);
    assert.match((await run(dup)).violations[0].message, /two TCP ports 9000/);
    const udp = mutateValues(compliantStack(), "alloy", "alloy.extraPorts", [
      { name: "a", port: 9000, targetPort: 9000 },
      { name: "b", port: 9000, targetPort: 9000, protocol: "UDP" },
    ]);
    assert.deepEqual((await run(udp)).violations, []);
    const named = mutateValues(compliantStack(), "alloy", "alloy.extraPorts", [
      { name: "http-metrics", port: 9000, targetPort: 9000 },
    ]);
    assert.match((await run(named)).violations[0].message, /two ports named http-metrics/);
    let clusterName = mutateValues(compliantStack(), "alloy", "alloy.extraPorts", [
      { name: "http", port: 9000, targetPort: 9000 },
    ]);
    assert.deepEqual((await run(clusterName)).violations, []);
    clusterName = mutateValues(clusterName, "alloy", "alloy.clustering", { enabled: true });
    assert.match((await run(clusterName)).violations[0].message, /-cluster Service two ports named http/);
  });

  it("rejects duplicate nodePorts under service.type NodePort", async () => {
    let records = mutateValues(compliantStack(), "alloy", "service.type", "NodePort");
    records = mutateValues(records, "alloy", "alloy.extraPorts", [
      { name: "faro", port: 12347, targetPort: 12347, nodePort: 31128 },
    ]);
    assert.match((await run(records)).violations[0].message, /same nodePort 31128/);
  });

  it("rejects listenScheme HTTPS without a TLS block (held-out example), and a lower-case scheme", async () => {
    const https = mutateValues(otlpStack(), "alloy", "alloy.listenScheme", "HTTPS");
    const result = await run(https);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.alloy\.listenScheme=HTTPS .*Alloy serves plain HTTP .*pods never become Ready and the DaemonSet rollout/,
    );
    const lower = mutateValues(otlpStack(), "alloy", "alloy.listenScheme", "https");
    assert.match((await run(lower)).violations[0].message, /accepts only "HTTP" or "HTTPS"/);
  });

  it("accepts HTTPS with an http tls block, rejects HTTP with one, and needs cluster TLS when clustered", async () => {
    let records = mutateValues(otlpStack(), "alloy", "alloy.configMap.content", TLS + OTLP);
    records = mutateValues(records, "alloy", "alloy.listenScheme", "HTTPS");
    assert.match((await run(records)).violations[0].message, /--cluster\.enable-tls.*cluster never forms/);
    const clusterTls = mutateValues(records, "alloy", "alloy.extraArgs", ["--cluster.enable-tls"]);
    assert.deepEqual((await run(clusterTls)).violations, []);
    const plain = mutateValues(clusterTls, "alloy", "alloy.listenScheme", "HTTP");
    assert.match((await run(plain)).violations[0].message, /listenScheme=HTTP .*Alloy serves HTTPS/);
  });

  it("finds only the top-level http block's tls", () => {
    assert.equal(httpServerTls(TLS), true);
    assert.equal(httpServerTls(OTLP), false);
    assert.equal(httpServerTls('otelcol.receiver.otlp "x" {\n  http {\n    tls {\n    }\n  }\n}\n'), false);
    assert.equal(httpServerTls("// http { tls { } }\n" + OTLP), false);
    assert.equal(httpServerTls('logging { format = "http {" }\n'), false);
  });
});
