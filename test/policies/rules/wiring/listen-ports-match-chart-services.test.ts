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
});
