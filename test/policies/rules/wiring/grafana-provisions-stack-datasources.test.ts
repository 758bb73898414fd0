import { strict as assert } from "assert";
import { grafanaProvisionsStackDatasources } from "../../../../policies/rules/wiring/grafana-provisions-stack-datasources";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const mimirSource = (tenant: string, isDefault: boolean) => ({
  name: `Mimir (${tenant})`,
  type: "prometheus",
  url: "http://mimir-gateway.mimir.svc/prometheus",
  isDefault,
  jsonData: { httpHeaderName1: "X-Scope-OrgID" },
  secureJsonData: { httpHeaderValue1: tenant },
});
const lokiSource = (tenant: string) => ({
  name: `Loki (${tenant})`,
  type: "loki",
  url: "http://loki-gateway.loki.svc",
  isDefault: false,
  jsonData: { httpHeaderName1: "X-Scope-OrgID" },
  secureJsonData: { httpHeaderValue1: tenant },
});
/** The stack as the program renders it: Prometheus and Alloy write as "prod", Grafana reads "prod" and is the one default. */
const stack = (sources: unknown[] = [mimirSource("prod", true), lokiSource("prod")]) => {
  let records = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": "prod" } },
  ]);
  records = mutateValues(records, KPS, "grafana.sidecar.datasources.isDefaultDatasource", false);
  return mutateValues(records, KPS, "grafana.additionalDataSources", sources);
};
const messages = async (records = stack()) =>
  (await runStackPolicy(grafanaProvisionsStackDatasources, records)).violations.map((v) => v.message);

describe("policy grafana-provisions-stack-datasources (W17)", () => {
  it("passes the stack's datasources with one default", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects two defaults: the chart's Prometheus datasource made default again next to the stack's Mimir", async () => {
    const found = await messages(mutateValues(stack(), KPS, "grafana.sidecar.datasources.isDefaultDatasource", true));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /2 Grafana datasources are the default .*Only one datasource per organization can be marked as default.*crash-loops/,
    );
  });

  it("rejects the datasources sidecar off, which drops every additional datasource", async () => {
    const found = await messages(mutateValues(stack(), KPS, "grafana.sidecar.datasources.enabled", false));
    assert.match(found[0], /sidecar\.datasources\.enabled=false, so the chart renders no datasource ConfigMap/);
  });

  it("rejects a datasource list that no longer reads the tenant the stack writes as", async () => {
    const found = await messages(stack([mimirSource("other", true), lokiSource("prod")]));
    assert.equal(found.length, 1);
    assert.match(found[0], /no Grafana datasource of type prometheus sends X-Scope-OrgID "prod"/);
  });

  it("accepts the sidecar off with forceDeployDatasources, extra datasources, and Grafana disabled", async () => {
    const forced = mutateValues(
      mutateValues(stack(), KPS, "grafana.sidecar.datasources.enabled", false),
      KPS,
      "grafana.forceDeployDatasources",
      true,
    );
    assert.deepEqual(await messages(forced), []);
    assert.deepEqual(
      await messages(
        stack([mimirSource("prod", true), lokiSource("prod"), { name: "Tempo", type: "tempo", url: "http://tempo" }]),
      ),
      [],
    );
    assert.deepEqual(await messages(mutateValues(stack([]), KPS, "grafana.enabled", false)), []);
  });

  describe("the datasources sidecar watches the ConfigMap kube-prometheus-stack renders", () => {
    const sidecar = (key: string, value: unknown, records = stack()) =>
      mutateValues(records, KPS, `grafana.sidecar.datasources.${key}`, value);

    it("rejects resource: secret (h19): the sidecar watches Secrets only, and the datasources come as a ConfigMap", async () => {
      const found = await messages(sidecar("resource", "secret"));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /values\.grafana\.sidecar\.datasources\.resource=secret \(the sidecar's RESOURCE: it watches Secrets only\), but kube-prometheus-stack delivers the stack's datasources .* as the ConfigMap "kps-kube-prometheus-stack-grafana-datasource" \(namespace monitoring\).*Grafana starts without the Mimir and Loki datasources.*Fix: set .*resource to both \(the chart default\) or configmap/,
      );
    });

    it("accepts resource configmap or both, and a Secret-only sidecar with the sidecar off and no stack datasources", async () => {
      assert.deepEqual(await messages(sidecar("resource", "configmap")), []);
      assert.deepEqual(await messages(sidecar("resource", "both")), []);
      assert.deepEqual(await messages(sidecar("resource", "secret", stack([]))), []);
    });

    it("rejects a resourceName list without the datasource ConfigMap, and accepts one naming it", async () => {
      const found = await messages(sidecar("resourceName", "secret/datasources-0"));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /resourceName="secret\/datasources-0" .*Fix: add configmap\/kps-kube-prometheus-stack-grafana-datasource/,
      );
      for (const listed of [
        "configmap/kps-kube-prometheus-stack-grafana-datasource",
        "secret/x, monitoring/configmap/kps-kube-prometheus-stack-grafana-datasource",
        "kps-kube-prometheus-stack-grafana-datasource",
      ])
        assert.deepEqual(await messages(sidecar("resourceName", listed)), [], listed);
      assert.match(
        (await messages(sidecar("resourceName", "secret/kps-kube-prometheus-stack-grafana-datasource")))[0],
        /never loads it/,
      );
    });

    it("rejects a searchNamespace without the ConfigMap's namespace, and accepts ALL, the namespace, or unset", async () => {
      const found = await messages(sidecar("searchNamespace", ["dashboards"]));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /searchNamespace=\["dashboards"\] \(the sidecar's NAMESPACE: it searches only there\).*Fix: add monitoring to/,
      );
      assert.deepEqual(await messages(sidecar("searchNamespace", ["ALL"])), []);
      assert.deepEqual(await messages(sidecar("searchNamespace", ["dashboards", "monitoring"])), []);
      assert.deepEqual(await messages(sidecar("searchNamespace", "ALL")), []);
      // namespaceOverride moves the ConfigMap and the pod together: the unset searchNamespace still finds it.
      assert.deepEqual(await messages(mutateValues(stack(), KPS, "grafana.namespaceOverride", "grafana")), []);
      assert.match(
        (
          await messages(
            sidecar(
              "searchNamespace",
              ["monitoring"],
              mutateValues(stack(), KPS, "grafana.namespaceOverride", "grafana"),
            ),
          )
        )[0],
        /ConfigMap "kps-kube-prometheus-stack-grafana-datasource" \(namespace grafana\)/,
      );
    });
  });
});
