import { strict as assert } from "assert";
import { remoteWriteKeepsSamplesThroughOutages } from "../../../../policies/rules/limits/remote-write-keeps-samples-through-outages";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(remoteWriteKeepsSamplesThroughOutages, records);
const prometheusWrite = (queueConfig: Record<string, unknown>) =>
  mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push", queueConfig },
  ]);
const alloyQueue = (limit: string) =>
  mutateValues(
    compliantStack(),
    "alloy",
    "alloy.configMap.content",
    `prometheus.remote_write "mimir" {\n  endpoint {\n    url = "http://mimir-gateway.mimir.svc/api/v1/push"\n    queue_config {\n      sample_age_limit = "${limit}"\n    }\n  }\n}\n`,
  );

describe("policy remote-write-keeps-samples-through-outages (Q7)", () => {
  it("passes the compliant fixture (no age limit: re-sent as long as the WAL holds them)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects a Prometheus sampleAgeLimit below the 2h re-send window", async () => {
    const result = await run(prometheusWrite({ sampleAgeLimit: "30s" }));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /remoteWrite\[0\]\.queueConfig\.sampleAgeLimit=30s: Prometheus drops samples older than 30s when sending, .*too_old.*Fix: remove sampleAgeLimit \(0, the default\) or set it to at least 2h/,
    );
  });

  it("rejects an Alloy sample_age_limit below the window", async () => {
    const result = await run(alloyQueue("5m"));
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /sample_age_limit = "5m": Alloy drops samples older than 5m/);
  });

  it("accepts a limit of 2h or more, and 0 (off)", async () => {
    assert.deepEqual((await run(prometheusWrite({ sampleAgeLimit: "3h" }))).violations, []);
    assert.deepEqual((await run(prometheusWrite({ sampleAgeLimit: "0s" }))).violations, []);
    assert.deepEqual((await run(alloyQueue("2h"))).violations, []);
  });
});
