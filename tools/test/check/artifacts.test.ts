import { strict as assert } from "assert";
import { parse } from "yaml";
import type { CapturedResource, CapturedStack } from "../../../tools/harness/capture";
import { secret, UNKNOWN, RESOURCE_REFERENCE_SIG, SIG_KEY, type WireProperties } from "../../../tools/harness/wire";
import { stackArtifacts, valuesYaml } from "../../../tools/check/artifacts";
import { readable } from "../../../tools/check/readable";

const ROOT = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev";
const PASSWORD = "s3cr3t-Passw0rd-xyz";

function resource(
  type: string,
  name: string,
  inputs: WireProperties,
  extra: Partial<CapturedResource> = {},
): CapturedResource {
  return {
    urn: `urn:pulumi:dev::proj::${type}::${name}`,
    type,
    name,
    custom: true,
    remote: false,
    read: false,
    synthesized: false,
    parent: ROOT,
    dependencies: [],
    propertyDependencies: {},
    inputs,
    outputs: inputs,
    options: {
      protect: false,
      ignoreChanges: [],
      additionalSecretOutputs: [],
      customTimeouts: { create: 0, update: 0, delete: 0, read: 0 },
      aliases: [],
    },
    ...extra,
  };
}

function stackOf(resources: CapturedResource[]): CapturedStack {
  return {
    project: "proj",
    stack: "dev",
    preview: false,
    config: {},
    secretKeys: [],
    resources,
    rootStackUrn: ROOT,
    outputs: {},
    logs: [],
    durationMs: 1,
  };
}

const release = (name: string, release: string, namespace: string, values: WireProperties) =>
  resource("kubernetes:helm.sh/v3:Release", name, {
    name: release,
    namespace,
    chart: "mimir-distributed",
    version: "6.0.6",
    repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
    values,
  });

describe("check artifacts", () => {
  const password = resource(
    "random:index/randomPassword:RandomPassword",
    "pw",
    { length: 20 },
    { outputs: { length: 20, result: secret(PASSWORD) } },
  );

  it("redacts secrets, marks unknowns and turns resource references into their URN", () => {
    const plain = readable({
      password: secret("hidden"),
      later: UNKNOWN,
      nested: [{ deep: secret({ a: 1 }) }],
      ref: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: "urn:pulumi:dev::proj::t::n", id: "i-1" },
      b: 1,
      a: 2,
    });
    assert.deepEqual(plain, {
      a: 2,
      b: 1,
      later: "[unknown]",
      nested: [{ deep: "[secret]" }],
      password: "[secret]",
      ref: "[resource urn:pulumi:dev::proj::t::n]",
    });
    assert.deepEqual(Object.keys(plain as object), ["a", "b", "later", "nested", "password", "ref"], "keys sorted");
  });

  it("catches a secret that reached another input in plain text, redacts it and says where", () => {
    const leaking = resource("kubernetes:core/v1:ConfigMap", "leaky", {
      data: { "config.yaml": `password: ${PASSWORD}\n` },
    });
    const artifacts = stackArtifacts(stackOf([leaking, password]));
    assert.deepEqual(artifacts.unmarkedSecrets, [{ urn: leaking.urn, path: "data.config.yaml" }]);
    assert.ok(!JSON.stringify(artifacts.resources).includes(PASSWORD));
    assert.match(JSON.stringify(artifacts.resources), /password: \[secret\]/);
  });

  it("lists resources by URN with sorted dependencies and the provider's URN without its ID", () => {
    const b = resource(
      "t:m:B",
      "b",
      {},
      {
        dependencies: ["urn:z", "urn:a"],
        provider: "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0::abc-123",
      },
    );
    const a = resource("t:m:A", "a", {});
    const artifacts = stackArtifacts(stackOf([b, a]));
    assert.deepEqual(
      artifacts.resources.map((r) => r.name),
      ["a", "b"],
    );
    assert.deepEqual(artifacts.resources[1].dependencies, ["urn:a", "urn:z"]);
    assert.equal(artifacts.resources[1].provider, "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0");
  });

  it("names values files after the Helm release, prefixing the namespace only when two releases share a name", () => {
    const artifacts = stackArtifacts(
      stackOf([
        release("mimir-a", "mimir", "team-a", { x: 1 }),
        release("mimir-b", "mimir", "team-b", { x: 2 }),
        release("loki-release", "loki", "loki", {}),
      ]),
    );
    assert.deepEqual(
      artifacts.helmValues.map((v) => v.file),
      ["loki.yaml", "team-a-mimir.yaml", "team-b-mimir.yaml"],
    );
  });

  it("writes values YAML that parses back to exactly the release's values, secrets redacted", () => {
    const values = {
      mimir: { structuredConfig: { limits: { ingestion_rate: 10 } } },
      auth: { password: secret(PASSWORD) },
      config: "line one\nline two\n",
    };
    const [file] = stackArtifacts(stackOf([release("mimir-release", "mimir", "mimir", values)])).helmValues;
    const text = valuesYaml(file);
    assert.match(
      text,
      /^# Render: helm template mimir mimir-distributed --repo https:\/\/grafana\.github\.io\/helm-charts --version 6\.0\.6 --namespace mimir -f mimir\.yaml$/m,
    );
    assert.deepEqual(parse(text), { ...values, auth: { password: "[secret]" } });
    assert.ok(!text.includes(PASSWORD));
  });
});
