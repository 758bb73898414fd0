import { strict as assert } from "assert";
import { CHARTS as PINNED } from "../../../../components/shared/charts";
import facts from "../../../../policies/lib/charts/chart-refusals.json";
import {
  CHART_REFUSAL_MODELS,
  CHART_REFUSAL_PREDICATE_IDS,
  chartTemplatesRender,
} from "../../../../policies/rules/rollout/chart-templates-render";
import { compliantStack, mutateValues, withMimirChart } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";
import { ResourceRecord } from "../../support/harness";

const run = (records: ResourceRecord[]) => runStackPolicy(chartTemplatesRender, records);
const loki = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, "loki", path, value);

describe("policy chart-templates-render (U8)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
  });

  it("rejects lokiCanary.enabled: false while test.enabled keeps its default true", async () => {
    const result = await run(loki("lokiCanary.enabled", false));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.lokiCanary\.enabled=false while test\.enabled=true \(loki chart 18\.11\.0 default, values\.yaml\).*templates\/validate\.yaml line 6\): "Helm test requires the Loki Canary to be enabled", so the Helm release fails to render, so it cannot install or upgrade\. Fix: .*test\.enabled: false/,
    );
  });

  it("accepts disabling both lokiCanary and test", async () => {
    const records = loki("test.enabled", false, loki("lokiCanary.enabled", false));
    assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects read.replicas: 2 beside the distributed targets in Distributed mode", async () => {
    const result = await run(loki("read.replicas", 2));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.read\.replicas=2 \(scalable targets\) and .*values\.ingester\.replicas=3.* while .*values\.deploymentMode=Distributed.*"You have more than zero replicas configured for scalable targets.*Fix: set read\.replicas to 0/,
    );
  });

  it("counts the chart's default of 3 for scalable targets the values leave unset", async () => {
    const records = mutateValues(compliantStack(), "loki", "write", undefined);
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /write\.replicas=3 \(loki chart 18\.11\.0 default, values\.yaml\)/);
  });

  it('accepts read.replicas 0, "0" or null, and the transition mode with both', async () => {
    for (const records of [
      loki("read.replicas", 0),
      loki("read.replicas", "0"),
      loki("read.replicas", null),
      loki("deploymentMode", "SimpleScalable<->Distributed", loki("read.replicas", 2)),
    ])
      assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects single binary replicas beside distributed targets, and without a schema", async () => {
    const mixed = await run(loki("singleBinary.replicas", 1));
    assert.equal(mixed.violations.length, 1);
    assert.match(mixed.violations[0].message, /monolithic and distributed targets/);
    const noSchema = await run(loki("loki.schemaConfig", {}));
    assert.equal(noSchema.violations.length, 1);
    assert.match(noSchema.violations[0].message, /You must provide a schema_config for Loki/);
    assert.deepEqual(
      (await run(loki("loki.useTestSchema", true, loki("loki.schemaConfig", {})))).violations,
      [],
      "the test schema stands in for schemaConfig",
    );
  });

  it("rejects HPA and KEDA on one Loki component, and a missing ruler bucket", async () => {
    const both = await run(
      loki("querier.kedaAutoscaling", { enabled: true }, loki("querier.autoscaling", { enabled: true })),
    );
    assert.match(both.violations[0].message, /Cannot enable both HPA and Keda based autoscaling for querier/);
    const ruler = await run(loki("loki.storage.bucketNames.ruler", ""));
    assert.equal(ruler.violations.length, 1);
    assert.match(ruler.violations[0].message, /"Please define loki\.storage\.bucketNames\.ruler"/);
    assert.deepEqual(
      (await run(loki("ruler.enabled", false, loki("loki.storage.bucketNames.ruler", "")))).violations,
      [],
    );
  });

  it("rejects the Grafana operator folder with the default folder and a folderUID (kube-prometheus-stack)", async () => {
    const records = mutateValues(compliantStack(), "kube-prometheus-stack", "grafana.operator", {
      dashboardsConfigMapRefEnabled: true,
      matchLabels: { dashboards: "grafana" },
      folderUID: "abc",
    });
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /grafana\.operator\.folder=General \(kube-prometheus-stack chart 88\.5\.3 default, values\.yaml\), .*folderUID=abc.*\(2 set\).*only one of folder, folderUID, or folderRef must be set/,
    );
    const fixed = mutateValues(records, "kube-prometheus-stack", "grafana.operator.folder", null);
    assert.deepEqual((await run(fixed)).violations, []);
  });

  it("rejects an alloy Deployment with autoscaling and no requests, and a PDB on the DaemonSet", async () => {
    const hpa = mutateValues(
      mutateValues(compliantStack(), "alloy", "controller.type", "deployment"),
      "alloy",
      "controller.autoscaling.horizontal.enabled",
      true,
    );
    const result = await run(hpa);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /"\.Values\.alloy\.resources\.requests is required when using autoscaling\."/,
    );
    const pdb = await run(mutateValues(compliantStack(), "alloy", "controller.podDisruptionBudget.enabled", true));
    assert.match(pdb.violations[0].message, /PDBs \(Pod Disruption Budgets\) are not intended for DaemonSets/);
  });

  describe("kube-prometheus-stack's subcharts (grafana 12.11.1, prometheus-node-exporter 4.56.1, prometheus-windows-exporter 0.12.8)", () => {
    const kps = (path: string, value: unknown, records = compliantStack()) =>
      mutateValues(records, "kube-prometheus-stack", path, value);
    /** Sets values.grafana["grafana.ini"] (a key with a dot, which mutateValues' path cannot name). */
    const grafanaIni = (ini: unknown) =>
      compliantStack().map((r) => {
        const values = r.props.values as Record<string, Record<string, unknown>> | undefined;
        if (r.props.chart !== "kube-prometheus-stack" || !values?.grafana) return r;
        return {
          ...r,
          props: { ...r.props, values: { ...values, grafana: { ...values.grafana, "grafana.ini": ini } } },
        };
      });

    it("rejects a datasources sidecar watch timeout with watchMethod SLEEP (h20), naming the subchart's message", async () => {
      const records = kps("grafana.sidecar.datasources", { watchMethod: "SLEEP", watchServerTimeout: 3600 });
      const result = await run(records);
      assert.equal(result.violations.length, 1);
      assert.match(
        result.violations[0].message,
        /values\.grafana\.sidecar\.datasources\.watchServerTimeout=3600 with .*watchMethod=SLEEP.*grafana chart 12\.11\.1 \(kube-prometheus-stack 88\.5\.3 subchart\) templates\/_pod\.tpl.*"Cannot use \.Values\.sidecar\.datasources\.watchServerTimeout with \.Values\.sidecar\.datasources\.watchMethod SLEEP", so the Helm release fails to render.*Fix: drop grafana\.sidecar\.datasources\.watchServerTimeout/,
      );
    });

    it("accepts the timeouts with WATCH, SLEEP without them, and a timeout on a sidecar that does not render", async () => {
      for (const records of [
        kps("grafana.sidecar.datasources", { watchServerTimeout: 3600, watchClientTimeout: 60 }),
        kps("grafana.sidecar.datasources", { watchMethod: "SLEEP" }),
        kps("grafana.sidecar.alerts", { watchMethod: "SLEEP", watchServerTimeout: 3600 }),
        kps(
          "grafana.sidecar.datasources.enabled",
          false,
          kps("grafana.sidecar.datasources", { watchMethod: "SLEEP", watchClientTimeout: 60 }),
        ),
        kps(
          "grafana.enabled",
          false,
          kps("grafana.sidecar.dashboards", { watchMethod: "SLEEP", watchClientTimeout: 60 }),
        ),
      ])
        assert.deepEqual((await run(records)).violations, []);
    });

    it("rejects the client timeout of the dashboards sidecar (on by kube-prometheus-stack's default) and of its init container", async () => {
      const sidecar = await run(kps("grafana.sidecar.dashboards", { watchMethod: "SLEEP", watchClientTimeout: 60 }));
      assert.equal(sidecar.violations.length, 1);
      assert.match(
        sidecar.violations[0].message,
        /dashboards\.watchClientTimeout=60 .*_pod\.tpl lines 548\/555 \(init\), 821\/828/,
      );
      const init = await run(
        kps("grafana.sidecar.dashboards", { initDashboards: true, watchMethod: "LIST", watchClientTimeout: 60 }),
      );
      assert.match(init.violations[0].message, /watchMethod LIST"/);
    });

    it("rejects a literal secret in grafana.ini and accepts a variable expansion or assertNoLeakedSecrets: false", async () => {
      const result = await run(grafanaIni({ database: { password: "hunter2" } }));
      assert.equal(result.violations.length, 1);
      assert.match(
        result.violations[0].message,
        /grafana\.ini"\]\.database\.password is a literal value .*_helpers\.tpl line 228.*"Sensitive key 'database\.password' should not be defined explicitly in values/,
      );
      assert.deepEqual((await run(grafanaIni({ database: { password: "$__file{/etc/secrets/db}" } }))).violations, []);
      assert.deepEqual(
        (await run(grafanaIni({ database: { user: "grafana" }, server: { root_url: "x" } }))).violations,
        [],
      );
      const off = mutateValues(
        grafanaIni({ database: { password: "hunter2" } }),
        "kube-prometheus-stack",
        "grafana.assertNoLeakedSecrets",
        false,
      );
      assert.deepEqual((await run(off)).violations, []);
    });

    it("rejects node-exporter image.sha and an emptied tlsSecret item, and accepts image.digest", async () => {
      const sha = await run(kps("prometheus-node-exporter.image.sha", "abc"));
      assert.equal(sha.violations.length, 1);
      assert.match(sha.violations[0].message, /"image\.sha forbidden\. Use image\.digest instead"/);
      assert.deepEqual((await run(kps("prometheus-node-exporter.image.digest", "sha256:abc"))).violations, []);
      assert.deepEqual(
        (await run(kps("prometheus-windows-exporter.image.sha", "abc"))).violations,
        [],
        "windowsMonitoring off",
      );
      const win = await run(
        kps("windowsMonitoring.enabled", true, kps("prometheus-windows-exporter.image.sha", "abc")),
      );
      assert.match(win.violations[0].message, /prometheus-windows-exporter subchart templates\/_helpers\.tpl line 79/);
      const tls = await run(kps("prometheus-node-exporter.tlsSecret", { enabled: true, keyItem: "" }));
      assert.equal(tls.violations.length, 1);
      assert.match(tls.violations[0].message, /"Value tlsSecret\.keyItem must be set\."/);
      assert.deepEqual((await run(kps("prometheus-node-exporter.tlsSecret", { enabled: true }))).violations, []);
    });
  });

  describe("mimir-distributed (validate.yaml at grafana/mimir 4fa848c, _helpers.tpl at 01064b3a)", () => {
    // The predicates model the pinned 6.0.6; the fixture's own Mimir release is 6.1 (support/fixture.ts).
    const mimir = (path: string, value: unknown, records = withMimirChart(compliantStack())) =>
      mutateValues(records, "mimir", path, value);

    it("passes the compliant fixture at the pinned chart", async () => {
      assert.deepEqual((await run(withMimirChart(compliantStack()))).violations, []);
    });

    it("rejects a deprecated memcached section turned on, and accepts its renamed chunks-cache", async () => {
      const result = await run(mimir("memcached", { enabled: true }));
      assert.equal(result.violations.length, 1);
      assert.match(
        result.violations[0].message,
        /values\.memcached\.enabled=true.*validate\.yaml \(grafana\/mimir 4fa848c\) lines 125, 131, 137 and 143\): "memcached\.enabled has been renamed to chunks-cache\.enabled".*Fix: move the memcached section to chunks-cache/,
      );
      assert.deepEqual((await run(mimir("memcached", { enabled: false }))).violations, []);
    });

    it("rejects a zone-aware migration step without the step it needs, and accepts the steps in order", async () => {
      const result = await run(
        mimir("ingester.zoneAwareReplication.migration", { enabled: true, excludeDefaultZone: true }),
      );
      assert.equal(result.violations.length, 1);
      assert.match(
        result.violations[0].message,
        /values\.ingester\.zoneAwareReplication\.migration\.excludeDefaultZone=true with .*writePath=false.*"You have set ingester\.zoneAwareReplication\.migration\.excludeDefaultZone=true, but ingester\.zoneAwareReplication\.migration\.writePath=false\./,
      );
      const skipped = await run(
        mimir("ingester.zoneAwareReplication.migration", { enabled: false, writePath: true, readPath: true }),
      );
      assert.match(
        skipped.violations[0].message,
        /"You have set ingester\.zoneAwareReplication\.migration\.readPath=true, but ingester\.zoneAwareReplication\.migration\.enabled=false\./,
      );
      assert.deepEqual(
        (
          await run(
            mimir("ingester.zoneAwareReplication.migration", { enabled: true, writePath: true, readPath: true }),
          )
        ).violations,
        [],
      );
    });

    it("rejects migration replicas without the migration, and a store-gateway migration without zone awareness", async () => {
      const replicas = await run(mimir("ingester.zoneAwareReplication.migration", { replicas: 3 }));
      assert.match(
        replicas.violations[0].message,
        /migration\.replicas, but ingester\.zoneAwareReplication\.migration\.enabled=false/,
      );
      const sg = await run(
        mimir("store_gateway.zoneAwareReplication", { enabled: false, migration: { enabled: true } }),
      );
      assert.match(
        sg.violations[0].message,
        /store_gateway\.zoneAwareReplication\.migration\.enabled=true, but store_gateway\.zoneAwareReplication\.enabled=false/,
      );
      assert.deepEqual((await run(mimir("store_gateway.zoneAwareReplication", { enabled: false }))).violations, []);
    });

    it("rejects a zone-aware component with fewer than 3 zones (_helpers.tpl), and accepts 3 zones or zone awareness off", async () => {
      const zone = (name: string) => ({ name, nodeSelector: { "topology.kubernetes.io/zone": `eu-west-1${name}` } });
      const two = await run(mimir("ingester.zoneAwareReplication.zones", [zone("a"), zone("b")]));
      assert.equal(two.violations.length, 1);
      assert.match(
        two.violations[0].message,
        /ingester\.zoneAwareReplication\.enabled=true.* with 2 zones \(.*values\.ingester\.zoneAwareReplication\.zones=.*_helpers\.tpl \(grafana\/mimir 01064b3a\) line 595\): "When zone-awareness is enabled, you must have at least 3 zones defined\.".*Fix: list at least 3 zones in ingester\.zoneAwareReplication\.zones/,
      );
      const sg = await run(mimir("store_gateway.zoneAwareReplication.zones", [zone("a")]));
      assert.match(sg.violations[0].message, /store_gateway\.zoneAwareReplication\.enabled=true.* with 1 zone /);
      // The alertmanager's zone awareness is off by default: its zone list is not read.
      assert.deepEqual((await run(mimir("alertmanager.zoneAwareReplication.zones", [zone("a")]))).violations, []);
      const am = await run(
        mimir("alertmanager.zoneAwareReplication", { enabled: true, zones: [zone("a"), zone("b")] }),
      );
      assert.match(am.violations[0].message, /alertmanager\.zoneAwareReplication\.enabled=true with 2 zones/);
      assert.deepEqual(
        (await run(mimir("ingester.zoneAwareReplication.zones", [zone("a"), zone("b"), zone("c")]))).violations,
        [],
      );
      assert.deepEqual(
        (await run(mimir("ingester.zoneAwareReplication", { enabled: false, zones: [zone("a")] }))).violations,
        [],
      );
    });

    it("rejects a zone name that makes a resource name longer than 253 characters, and accepts a long but fitting one", async () => {
      const long = "z".repeat(240);
      const result = await run(
        mimir("store_gateway.zoneAwareReplication.zones", [{ name: "zone-a" }, { name: "zone-b" }, { name: long }]),
      );
      assert.equal(result.violations.length, 1);
      assert.match(result.violations[0].message, /240 characters.*exceeds kubernetes limit of 253 character/);
      const fits = "z".repeat(200);
      assert.deepEqual(
        (
          await run(
            mimir("store_gateway.zoneAwareReplication.zones", [{ name: "zone-a" }, { name: "zone-b" }, { name: fits }]),
          )
        ).violations,
        [],
      );
    });

    it("rejects an ingester Deployment, a bad configStorageType, and a top-level podDisruptionBudget", async () => {
      const sts = await run(mimir("ingester.statefulSet", { enabled: false }));
      assert.match(sts.violations[0].message, /Ingesters are stateful/);
      const storage = await run(mimir("configStorageType", "secret"));
      assert.match(storage.violations[0].message, /configStorageType=secret.*should be one of 'Secret' or 'ConfigMap'/);
      assert.deepEqual((await run(mimir("configStorageType", "Secret"))).violations, []);
      const pdb = await run(mimir("podDisruptionBudget", { maxUnavailable: 1 }));
      assert.match(pdb.violations[0].message, /per component podDisruptionBudget/);
    });

    it("rejects gateway autoscaling on memory without a memory request, and both ingresses", async () => {
      const records = mimir(
        "gateway.resources",
        { requests: { cpu: "100m" } },
        mimir("gateway.autoscaling", { enabled: true }),
      );
      const hpa = await run(records);
      assert.equal(hpa.violations.length, 1);
      assert.match(
        hpa.violations[0].message,
        /gateway\.autoscaling\.targetMemoryUtilizationPercentage, you must also set gateway\.resources\.requests\.memory/,
      );
      assert.deepEqual(
        (await run(mimir("gateway.autoscaling.targetMemoryUtilizationPercentage", null, records))).violations,
        [],
      );
      const both = await run(mimir("ingress", { enabled: true }, mimir("gateway.ingress", { enabled: true })));
      assert.match(both.violations[0].message, /both ingress\.enabled and gateway\.ingress\.enabled/);
      assert.deepEqual((await run(mimir("gateway.ingress", { enabled: true }))).violations, []);
    });

    it("rejects rbac.type scc with the default pod security context ids, and accepts them set to null", async () => {
      const scc = await run(mimir("rbac", { type: "scc" }));
      assert.match(
        scc.violations[0].message,
        /rbac\.type=scc.*set the values fsGroup, runAsGroup, runAsUser to null in rbac\.podSecurityContext/,
      );
      const nulls = { fsGroup: null, runAsGroup: null, runAsUser: null };
      assert.deepEqual(
        (
          await run(
            mimir(
              "rbac",
              { type: "scc", podSecurityContext: nulls },
              mimir("rollout_operator.podSecurityContext", nulls),
            ),
          )
        ).violations,
        [],
      );
    });

    it("rejects the alertmanager zone-aware without its StatefulSet, and the meta-monitoring agent without ServiceMonitors", async () => {
      const am = await run(
        mimir("alertmanager.zoneAwareReplication.enabled", true, mimir("alertmanager.statefulSet", { enabled: false })),
      );
      assert.match(
        am.violations[0].message,
        /alertmanager\.statefulSet\.enabled=false\. This is not a supported configuration/,
      );
      const agent = await run(
        mimir("metaMonitoring", {
          serviceMonitor: { enabled: false },
          grafanaAgent: { enabled: true, metrics: { remote: { url: "http://x" } } },
        }),
      );
      assert.match(agent.violations[0].message, /metaMonitoring\.serviceMonitor is disabled/);
      const top = await run(mimir("config", { a: 1 }));
      assert.match(top.violations[0].message, /Top level 'config' is not allowed/);
    });
  });

  describe("the refusal inventory (policies/lib/charts/chart-refusals.json)", () => {
    it("lists every pinned chart at its pinned version", () => {
      for (const pin of Object.values(PINNED)) {
        const entry = facts.charts.find((c) => c.chart === pin.chart);
        assert.ok(entry, `${pin.chart} is not in chart-refusals.json`);
        assert.equal(
          entry.version,
          pin.version,
          `${pin.chart}: the inventory is of ${entry.version}, the pin ${pin.version}`,
        );
      }
    });

    it("models every refusal by a predicate of the policy, or says why it is unreachable", () => {
      const open = (facts.refusals as Array<Record<string, unknown>>).filter(
        (r) =>
          !(typeof r.predicate === "string" && CHART_REFUSAL_PREDICATE_IDS.has(r.predicate)) &&
          !(typeof r.unreachable === "string" && r.unreachable.length > 20),
      );
      assert.deepEqual(open, [], "refusals neither modelled nor explained");
    });

    it("models each chart at the version the inventory lists, and every predicate answers some refusal", () => {
      for (const [chart, model] of Object.entries(CHART_REFUSAL_MODELS))
        assert.equal(model!.version, facts.charts.find((c) => c.chart === chart)?.version, chart);
      const used = new Set((facts.refusals as Array<{ predicate?: string }>).map((r) => r.predicate));
      for (const id of CHART_REFUSAL_PREDICATE_IDS) assert.ok(used.has(id), `${id} models no listed refusal`);
    });
  });
});
