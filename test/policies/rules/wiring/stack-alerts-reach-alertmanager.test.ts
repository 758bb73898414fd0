import { strict as assert } from "assert";
import { stackAlertsReachAlertmanager } from "../../../../policies/rules/wiring/stack-alerts-reach-alertmanager";
import { compliantStack, mutateValues, retag } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const run = (records = compliantStack()) => runStackPolicy(stackAlertsReachAlertmanager, records);
const set = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, KPS, path, value);
const noAlertmanager = () => set("alertmanager.enabled", false);

describe("policy stack-alerts-reach-alertmanager (W14)", () => {
  it("passes the compliant fixture (the chart's Alertmanager)", async () => {
    const result = await run();
    assert.deepEqual(result.violations, []);
    assert.deepEqual(result.advisories, []);
  });

  it("rejects alertmanager.enabled false without alertingEndpoints in prod: every alert is dropped", async () => {
    const result = await run(noAlertmanager());
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.alertmanager\.enabled=false with no .*alertingEndpoints .*renders no spec\.alerting\.alertmanagers .*silently dropped.*Rules: .*default rules/,
    );
  });

  it("rejects prometheusSpec.disableAlerting true", async () => {
    const result = await run(set("prometheus.prometheusSpec.disableAlerting", true));
    assert.match(result.violations[0]?.message ?? "", /disableAlerting=true leaves spec\.alerting out/);
  });

  it("only advises in dev", async () => {
    const result = await run(retag(noAlertmanager(), "dev"));
    assert.deepEqual(result.violations, []);
    assert.match(result.advisories[0]?.message ?? "", /Advisory in .*dev/);
  });

  it("accepts an external Alertmanager (alertingEndpoints, additionalAlertManagerConfigs) and a stack without rules", async () => {
    const external = [{ namespace: "alerting", name: "alertmanager", port: "web" }];
    assert.deepEqual(
      (await run(set("prometheus.prometheusSpec.alertingEndpoints", external, noAlertmanager()))).violations,
      [],
    );
    const additional = [{ static_configs: [{ targets: ["am.example:9093"] }] }];
    assert.deepEqual(
      (await run(set("prometheus.prometheusSpec.additionalAlertManagerConfigs", additional, noAlertmanager())))
        .violations,
      [],
    );
    assert.deepEqual((await run(set("defaultRules.create", false, noAlertmanager()))).violations, []);
  });
});
