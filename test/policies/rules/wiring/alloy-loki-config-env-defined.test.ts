import { strict as assert } from "assert";
import {
  alloyEnvUses,
  alloyLokiConfigEnvDefined,
  envsubstUses,
} from "../../../../policies/rules/wiring/alloy-loki-config-env-defined";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

// The program's Alloy config reads its gateway credentials from env vars filled by two Secrets (components/alloy).
const CONFIG = `
discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("K8S_NODE_NAME")
  }
}
loki.write "default" {
  endpoint {
    url = "http://loki-gateway.loki.svc/loki/api/v1/push"
    basic_auth {
      username = sys.env("LOKI_USERNAME")
      password = sys.env("LOKI_PASSWORD")
    }
  }
}
prometheus.remote_write "default" {
  endpoint {
    url = "http://mimir-gateway.mimir.svc/api/v1/push"
    basic_auth {
      username = sys.env("MIMIR_USERNAME")
      password = sys.env("MIMIR_PASSWORD")
    }
  }
}
`;

const secret = (name: string, namespace: string, stringData: unknown): ResourceRecord => ({
  type: "kubernetes:core/v1:Secret",
  name: `${namespace}-${name}`,
  props: { metadata: { name, namespace }, type: "Opaque", stringData },
});

function stack(alloy: Record<string, unknown> = {}): ResourceRecord[] {
  const records = mutateValues(compliantStack(), "alloy", "alloy", {
    configMap: { content: CONFIG },
    envFrom: [{ secretRef: { name: "alloy-mimir-auth" } }, { secretRef: { name: "alloy-loki-auth" } }],
    ...alloy,
  });
  return [
    ...records,
    secret("alloy-mimir-auth", "monitoring", { MIMIR_USERNAME: "platform", MIMIR_PASSWORD: "p1" }),
    secret("alloy-loki-auth", "monitoring", { LOKI_USERNAME: "platform", LOKI_PASSWORD: "p2" }),
  ];
}

async function run(records: ResourceRecord[]) {
  return runStackPolicy(alloyLokiConfigEnvDefined, records);
}

describe("policy alloy-loki-config-env-defined (W10)", () => {
  it("passes the compliant fixture and the program's Alloy wiring", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
    assert.deepEqual((await run(stack())).violations, []);
  });

  it("rejects an envFrom override that drops the Secret providing the Loki password (g04)", async () => {
    const result = await run(stack({ envFrom: [{ secretRef: { name: "alloy-mimir-auth" } }] }));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /reads sys\.env\("LOKI_PASSWORD"\) \(password\), sys\.env\("LOKI_USERNAME"\) \(username\), but the container does not define them.*secretRef "alloy-mimir-auth" \(MIMIR_PASSWORD, MIMIR_USERNAME\).*answers 401.*keep \{ secretRef: \{ name: "alloy-loki-auth" \} \}/,
    );
  });

  it("accepts the variables from extraEnv, a prefixed envFrom, or a coalesce default", async () => {
    const viaExtraEnv = stack({
      envFrom: [{ secretRef: { name: "alloy-mimir-auth" } }],
      extraEnv: [
        { name: "LOKI_USERNAME", value: "platform" },
        { name: "LOKI_PASSWORD", valueFrom: { secretKeyRef: { name: "alloy-loki-auth", key: "LOKI_PASSWORD" } } },
      ],
    });
    assert.deepEqual((await run(viaExtraEnv)).violations, []);
    const prefixed = stack({ configMap: { content: CONFIG.replace(/LOKI_/g, "X_LOKI_") } });
    const withPrefix = mutateValues(prefixed, "alloy", "alloy.envFrom", [
      { secretRef: { name: "alloy-mimir-auth" } },
      { prefix: "X_", secretRef: { name: "alloy-loki-auth" } },
    ]);
    assert.deepEqual((await run(withPrefix)).violations, []);
    const defaulted = stack({
      configMap: { content: `${CONFIG}\nlocal.file "x" { filename = coalesce(sys.env("EXTRA_FILE"), "/tmp/x") }\n` },
    });
    assert.deepEqual((await run(defaulted)).violations, []);
  });

  it("does not judge an envFrom Secret the stack does not declare, nor Secrets unknown at preview", async () => {
    const external = stack({
      envFrom: [{ secretRef: { name: "alloy-mimir-auth" } }, { secretRef: { name: "vault-made" } }],
    });
    assert.deepEqual((await run(external)).violations, []);
    const preview = stack({ envFrom: [{ secretRef: { name: "alloy-mimir-auth" } }] }).map((r) =>
      r.name === "monitoring-alloy-mimir-auth" ? { ...r, props: { ...r.props, stringData: UNKNOWN } } : r,
    );
    assert.deepEqual((await run(preview)).violations, []);
  });

  it("rejects an env secretKeyRef naming a key the Secret lacks", async () => {
    const result = await run(
      stack({
        extraEnv: [{ name: "EXTRA", valueFrom: { secretKeyRef: { name: "alloy-loki-auth", key: "LOKI_PASS" } } }],
      }),
    );
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /key "LOKI_PASS".*CreateContainerConfigError/);
  });

  it("rejects a Loki ${VAR} no Loki pod defines, and accepts it once global.extraEnv defines it", async () => {
    const withVar = mutateValues(
      compliantStack(),
      "loki",
      "loki.structuredConfig.storage_config.aws.secret_access_key",
      "${S3_SECRET}",
    );
    const result = await run(withVar);
    assert.ok(result.violations.length >= 1);
    assert.match(result.violations[0].message, /names \$\{S3_SECRET\}.*-config\.expand-env=true/);
    const defined = mutateValues(withVar, "loki", "global.extraEnv", [{ name: "S3_SECRET", value: "x" }]);
    assert.deepEqual((await run(defined)).violations, []);
    const defaulted = mutateValues(
      compliantStack(),
      "loki",
      "loki.structuredConfig.storage_config.aws.region",
      "${AWS_REGION:-eu-west-1}",
    );
    assert.deepEqual((await run(defaulted)).violations, []);
  });

  it("parses the uses", () => {
    assert.deepEqual(
      alloyEnvUses('a = sys.env("A")\nb = env("B")\nc = coalesce(sys.env("C"), "x")\n// d = sys.env("D")'),
      [
        { name: "A", attribute: "a" },
        { name: "B", attribute: "b" },
      ],
    );
    assert.deepEqual([...envsubstUses({ a: "${A} $B ${C:-x} $$D" })].sort(), ["A", "B"]);
  });
});
