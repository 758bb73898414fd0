import * as assert from "node:assert/strict";
import * as upstream from "../../../settings/upstream";
import {
  assertBatchFitsBurst,
  base2Bytes,
  buildAlloyConfig,
  LOKI_ENV,
  MIMIR_ENV,
  OTLP_PORTS,
} from "../../../components/alloy/config";
import { PROFILES, settingsFor } from "../fixtures";

/** Alloy's Base2Bytes units (alecthomas/units): B, KiB, MiB, GiB. */
function parseBase2Bytes(text: string): number {
  const m = /^(\d+)(B|KiB|MiB|GiB)$/.exec(text);
  assert.ok(m, `${text} is not a Base2Bytes value`);
  return Number(m[1]) * { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m[2] as "B"];
}

const code = (config: string): string =>
  config
    .split("\n")
    .map((line) => line.replace(/\/\/.*$/, ""))
    .join("\n");

/** Top-level component declarations: `<name> "<label>" {`. */
function declared(config: string): Set<string> {
  const ids = new Set<string>();
  for (const m of code(config).matchAll(/^([a-z_]+(?:\.[a-z_]+)+) "([a-z_0-9]+)" \{/gm)) ids.add(`${m[1]}.${m[2]}`);
  return ids;
}

/** References to other components' exports: `<name>.<label>.(receiver|input|targets|output)`. */
function referenced(config: string): Set<string> {
  const ids = new Set<string>();
  for (const m of code(config).matchAll(/\b([a-z_]+(?:\.[a-z_]+)+)\.([a-z_0-9]+)\.(receiver|input|targets|output)\b/g))
    ids.add(`${m[1]}.${m[2]}`);
  return ids;
}

/** The body of one top-level component, up to its matching closing brace. */
function block(config: string, header: string): string {
  const start = config.indexOf(header);
  assert.ok(start >= 0, `missing ${header}`);
  let depth = 0;
  for (let i = config.indexOf("{", start); i < config.length; i++) {
    if (config[i] === "{") depth++;
    if (config[i] === "}" && --depth === 0) return config.slice(start, i + 1);
  }
  throw new Error(`unbalanced ${header}`);
}

describe("Alloy configuration", () => {
  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const settings = settingsFor(profile);
      const config = buildAlloyConfig(settings);

      it("declares every component it references and balances its braces", () => {
        const refs = [...referenced(config)];
        assert.ok(refs.length >= 8, `expected the pipeline's references, found ${refs.join(", ")}`);
        assert.deepEqual(
          refs.filter((id) => !declared(config).has(id)),
          [],
        );
        assert.equal((config.match(/\{/g) ?? []).length, (config.match(/\}/g) ?? []).length);
      });

      it("collects this node's pod log files into Loki as the default tenant", () => {
        const pods = block(config, 'discovery.kubernetes "pods"');
        assert.match(pods, /field = "spec\.nodeName=" \+ sys\.env\("K8S_NODE_NAME"\)/);
        assert.match(
          block(config, 'discovery.relabel "pod_logs"'),
          /replacement\s+= "\/var\/log\/pods\/\*\$1\/\*\.log"/,
        );
        assert.match(
          block(config, 'loki.source.file "pod_logs"'),
          /forward_to = \[loki\.process\.pod_logs\.receiver\]/,
        );
        const write = block(config, 'loki.write "default"');
        assert.ok(write.includes(`url = "${settings.loki.pushUrl}"`));
        assert.ok(write.includes(`tenant_id = "${settings.defaultTenant}"`));
      });

      it("pushes to Loki's gateway with basic auth from the environment and keeps the tenant header", () => {
        const write = block(config, 'loki.write "default"');
        const endpoint = block(write, "endpoint");
        const auth = block(endpoint, "basic_auth");
        assert.ok(auth.includes(`username = sys.env("${LOKI_ENV.username}")`));
        assert.ok(auth.includes(`password = sys.env("${LOKI_ENV.password}")`));
        assert.ok(endpoint.includes(`tenant_id = "${settings.defaultTenant}"`));
        assert.notDeepEqual(LOKI_ENV, MIMIR_ENV, "each gateway has its own credentials");
        assert.ok(!/password\s*=\s*"/.test(code(config)), "no literal password in the config");
      });

      it("collects Kubernetes events in exactly one clustered instance", () => {
        const events = block(config, 'loki.source.kubernetes_events "cluster"');
        assert.match(events, /clustering \{\s+enabled = true\s+\}/);
        assert.ok(!/namespaces\s*=/.test(events), "listing namespaces would spread events over several instances");
        assert.equal(config.match(/loki\.source\.kubernetes_events "/g)!.length, 1);
      });

      it("sends a batch below the tenant's ingestion burst", () => {
        const batch = /batch_size = "([^"]+)"/.exec(block(config, 'loki.write "default"'));
        assert.ok(batch);
        const bytes = parseBase2Bytes(batch[1]);
        assert.equal(bytes, settings.loki.alloyBatchSizeBytes);
        assert.ok(bytes < settings.loki.ingestionBurstSizeMB * upstream.loki.bytesPerMB, `${bytes} >= burst`);
      });

      it("receives OTLP on 4317/4318 and routes metrics to Mimir and logs to Loki", () => {
        const otlp = block(config, 'otelcol.receiver.otlp "default"');
        assert.ok(otlp.includes(`endpoint = "0.0.0.0:${OTLP_PORTS.grpc}"`));
        assert.ok(otlp.includes(`endpoint = "0.0.0.0:${OTLP_PORTS.http}"`));
        const batch = block(config, 'otelcol.processor.batch "default"');
        assert.match(batch, /metrics = \[otelcol\.exporter\.prometheus\.mimir\.input\]/);
        assert.match(batch, /logs\s+= \[otelcol\.exporter\.loki\.default\.input\]/);
        assert.match(block(config, 'otelcol.exporter.prometheus "mimir"'), /prometheus\.remote_write\.mimir\.receiver/);
        assert.match(block(config, 'otelcol.exporter.loki "default"'), /loki\.write\.default\.receiver/);
      });

      it("remote-writes to Mimir with the tenant header and credentials from the environment", () => {
        const rw = block(config, 'prometheus.remote_write "mimir"');
        assert.ok(rw.includes(`url     = "${settings.mimir.pushUrl}"`));
        assert.ok(rw.includes(`"X-Scope-OrgID" = "${settings.defaultTenant}"`));
        assert.ok(rw.includes(`username = sys.env("${MIMIR_ENV.username}")`));
        assert.ok(rw.includes(`password = sys.env("${MIMIR_ENV.password}")`));
      });
    });
  }

  it("is deterministic and follows the configured tenant", () => {
    const settings = settingsFor("staging", { tenants: [{ id: "team.a" }] });
    assert.equal(buildAlloyConfig(settings), buildAlloyConfig(settings));
    assert.ok(buildAlloyConfig(settings).includes('tenant_id = "team.a"'));
    assert.ok(!buildAlloyConfig(settings).includes('"platform"'));
  });

  it("prints byte sizes in the largest exact Base2Bytes unit", () => {
    assert.equal(base2Bytes(1024 ** 2), "1MiB");
    assert.equal(base2Bytes(512 * 1024), "512KiB");
    assert.equal(base2Bytes(3_000_000), "3000000B");
    assert.equal(base2Bytes(2 * 1024 ** 3), "2GiB");
    assert.throws(() => base2Bytes(0), /positive whole number/);
  });

  it("refuses a batch larger than the Loki burst, naming both keys", () => {
    const settings = structuredClone(settingsFor("dev"));
    settings.loki.alloyBatchSizeBytes = settings.loki.ingestionBurstSizeMB * upstream.loki.bytesPerMB + 1;
    assert.throws(
      () => assertBatchFitsBurst(settings),
      /settings\.loki\.alloyBatchSizeBytes = \d+ must be <= .*settings\.loki\.ingestionBurstSizeMB/,
    );
    assert.throws(() => buildAlloyConfig(settings), /alloyBatchSizeBytes/);
  });
});
