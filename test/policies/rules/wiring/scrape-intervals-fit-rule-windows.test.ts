import { strict as assert } from "assert";
import { scrapeIntervalsFitRuleWindows } from "../../../../policies/rules/wiring/scrape-intervals-fit-rule-windows";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const run = (records = compliantStack()) => runStackPolicy(scrapeIntervalsFitRuleWindows, records);
const withRules = (exprs: string[], records = compliantStack()) => [
  ...records,
  {
    type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    name: "stack-alerts-rules",
    props: {
      metadata: { name: "observability-stack-alerts", namespace: "monitoring" },
      spec: { groups: [{ name: "g", rules: exprs.map((expr, i) => ({ alert: `A${i}`, expr })) }] },
    },
  },
];
const RULES = ['sum(rate(cortex_discarded_samples_total{namespace="mimir"}[5m])) > 0', "max_over_time(x[1m]) > 1"];

describe("policy scrape-intervals-fit-rule-windows (Q10)", () => {
  it("passes the compliant fixture with the stack's rules (30s default against a 1m window) and Loki's 15s", async () => {
    assert.deepEqual((await run(withRules(RULES))).violations, []);
    assert.deepEqual(
      (await run(mutateValues(withRules(RULES), "loki", "monitoring.serviceMonitor.enabled", true))).violations,
      [],
    );
  });

  it("rejects Mimir's meta-monitoring interval of 10m against the stack's max_over_time()[1m]", async () => {
    const records = mutateValues(withRules(RULES), "mimir", "metaMonitoring.serviceMonitor", {
      enabled: true,
      interval: "10m",
    });
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /metaMonitoring\.serviceMonitor\.interval=10m scrapes every 10m, longer than the stack's own rules allow \(max_over_time\(\.\.\.\[1m\]\) in A1 .*needs a sample in its range: at most one scrape every 1m.*never fire.*scrape at most every 1m/,
    );
  });

  it("rejects a global scrapeInterval of 3m against rate()[5m] (two samples), and a kubelet cAdvisorInterval of 90s", async () => {
    const global = await run(
      mutateValues(withRules([RULES[0]]), KPS, "prometheus.prometheusSpec.scrapeInterval", "3m"),
    );
    assert.match(
      global.violations[0]?.message ?? "",
      /prometheusSpec\.scrapeInterval=3m scrapes every 3m, .*rate\(\.\.\.\[5m\]\) in A0 .*needs two samples in its range: at most one scrape every 2m30s/,
    );
    const cadvisor = await run(mutateValues(withRules(RULES), KPS, "kubelet.serviceMonitor.cAdvisorInterval", "90s"));
    assert.match(cadvisor.violations[0]?.message ?? "", /cAdvisorInterval=90s/);
  });

  it("passes benign neighbours: a 1m interval against max_over_time()[1m], a 2m interval against rate()[5m], a disabled monitor, no rules", async () => {
    assert.deepEqual(
      (await run(mutateValues(withRules(RULES), KPS, "prometheus.prometheusSpec.scrapeInterval", "1m"))).violations,
      [],
    );
    const fiveMinute = withRules([RULES[0]]);
    assert.deepEqual(
      (await run(mutateValues(fiveMinute, KPS, "prometheus.prometheusSpec.scrapeInterval", "2m"))).violations,
      [],
    );
    const disabled = mutateValues(withRules(RULES), "mimir", "metaMonitoring.serviceMonitor", {
      enabled: false,
      interval: "10m",
    });
    assert.deepEqual((await run(disabled)).violations, []);
    assert.deepEqual(
      (await run(mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.scrapeInterval", "10m"))).violations,
      [],
    );
  });
});
