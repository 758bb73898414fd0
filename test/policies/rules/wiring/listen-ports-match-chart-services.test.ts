import { strict as assert } from "assert";
import { listenPortsMatchChartServices } from "../../../../policies/rules/wiring/listen-ports-match-chart-services";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy listen-ports-match-chart-services (W7)", () => {
  it("passes the compliant stack", async () => {
    assert.deepEqual((await runStackPolicy(listenPortsMatchChartServices, compliantStack())).violations, []);
  });

  it("rejects a Loki HTTP port set only in structuredConfig", async () => {
    const run = await runStackPolicy(
      listenPortsMatchChartServices,
      mutateValues(compliantStack(), "loki", "loki.structuredConfig.server.http_listen_port", 3101),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.loki\.structuredConfig\.server\.http_listen_port=3101 makes Loki listen on 3101, but .*chart default loki\.server\.http_listen_port=3100.*pods never become Ready/,
    );
  });

  it("rejects a Loki gRPC port set only in structuredConfig", async () => {
    const run = await runStackPolicy(
      listenPortsMatchChartServices,
      mutateValues(compliantStack(), "loki", "loki.structuredConfig.server.grpc_listen_port", 9096),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /grpc_listen_port=9096.*query-scheduler/);
  });

  it("accepts Loki ports moved through loki.server, or set the same in both places", async () => {
    const moved = mutateValues(compliantStack(), "loki", "loki.server.http_listen_port", 3101);
    assert.deepEqual((await runStackPolicy(listenPortsMatchChartServices, moved)).violations, []);
    const both = mutateValues(moved, "loki", "loki.structuredConfig.server.http_listen_port", 3101);
    assert.deepEqual((await runStackPolicy(listenPortsMatchChartServices, both)).violations, []);
  });

  it("accepts a Mimir HTTP port change: the chart follows structuredConfig.server", async () => {
    const run = await runStackPolicy(
      listenPortsMatchChartServices,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.server.http_listen_port", 8081),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects a Mimir gRPC port change that leaves ruler.query_frontend.address on 9095", async () => {
    const run = await runStackPolicy(
      listenPortsMatchChartServices,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.server.grpc_listen_port", 9096),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ruler\.query_frontend\.address=dns:\/\/\/mimir-query-frontend\.mimir\.svc:9095 dials Service mimir-query-frontend on port 9095.*grpc_listen_port=9096.*no recording rule or alert is evaluated.*use port 9096/,
    );
  });
  it("rejects a loopback listen address for Loki and Mimir, accepts 0.0.0.0", async () => {
    const loki = await runStackPolicy(
      listenPortsMatchChartServices,
      mutateValues(compliantStack(), "loki", "loki.structuredConfig.server.http_listen_address", "127.0.0.1"),
    );
    assert.equal(loki.violations.length, 1);
    assert.match(
      loki.violations[0].message,
      /http_listen_address=127\.0\.0\.1 makes Loki listen on loopback only.*pods never become Ready/,
    );
    const mimir = await runStackPolicy(
      listenPortsMatchChartServices,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.server.grpc_listen_address", "localhost"),
    );
    assert.match(mimir.violations[0].message, /grpc_listen_address=localhost makes Mimir listen on loopback only/);
    const open = await runStackPolicy(
      listenPortsMatchChartServices,
      mutateValues(compliantStack(), "loki", "loki.server.http_listen_address", "0.0.0.0"),
    );
    assert.deepEqual(open.violations, []);
  });

  const W7 = async (records: ReturnType<typeof compliantStack>) =>
    (await runStackPolicy(listenPortsMatchChartServices, records)).violations.map((v) => v.message);

  it("rejects Loki server ports that collide in the chart's Services", async () => {
    const same = await W7(mutateValues(compliantStack(), "loki", "loki.server.grpc_listen_port", 3100));
    assert.equal(same.length, 1);
    assert.match(
      same[0],
      /values\.loki\.server\.grpc_listen_port \(grpc 3100\/TCP\)|http_listen_port.*grpc_listen_port.*two TCP ports 3100.*Duplicate value/,
    );
    const grpclb = await W7(mutateValues(compliantStack(), "loki", "loki.server.grpc_listen_port", 9096));
    assert.equal(grpclb.length, 1);
    assert.match(
      grpclb[0],
      /grpc_listen_port=9096 and the chart's fixed grpclb port 9096 give every Loki component Service.*two TCP ports 9096/,
    );
  });

  it("rejects a Loki or Mimir server port on the memberlist port", async () => {
    const loki = await W7(mutateValues(compliantStack(), "loki", "loki.server.http_listen_port", 7946));
    assert.equal(loki.length, 1);
    assert.match(
      loki[0],
      /http_listen_port=7946 \(HTTP server\) and .*extraMemberlistConfig\.bind_port=7946 \(memberlist\).*exits at start-up/,
    );
    const mimir = await W7(
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.memberlist.bind_port", 9095),
    );
    assert.match(
      mimir.join("\n"),
      /\(gRPC server\) and .*memberlist\.bind_port=9095 \(memberlist\).*Mimir pod exits at start-up/,
    );
  });

  it("rejects Mimir HTTP and gRPC on one port", async () => {
    const run = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.server.grpc_listen_port", 8080);
    const messages = await W7(run);
    assert.match(messages.join("\n"), /every Mimir component Service two TCP ports 8080.*Duplicate value/);
  });

  it("rejects kube-prometheus-stack Service ports that collide with the config-reloader's", async () => {
    const prom = await W7(mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.service.port", 8080));
    assert.equal(prom.length, 1);
    assert.match(
      prom[0],
      /prometheus\.service\.port=8080 and .*reloaderWebPort=8080 give the Prometheus Service two TCP ports 8080/,
    );
    const am = await W7(mutateValues(compliantStack(), "kube-prometheus-stack", "alertmanager.service.port", 8080));
    assert.match(am[0], /fixed reloader-web port 8080 give the Alertmanager Service two TCP ports 8080/);
    const extra = await W7(
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.service.additionalPorts", [
        { name: "http-web", port: 9091, targetPort: 9091 },
      ]),
    );
    assert.match(extra[0], /two ports named http-web/);
    const fine = mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.service.additionalPorts", [
      { name: "oauth", port: 9091, targetPort: 9091 },
    ]);
    assert.deepEqual(await W7(mutateValues(fine, "kube-prometheus-stack", "prometheus.service.port", 9095)), []);
    assert.deepEqual(
      await W7(mutateValues(compliantStack(), "kube-prometheus-stack", "alertmanager.enabled", false)),
      [],
    );
  });
});
