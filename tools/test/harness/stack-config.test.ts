import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadProject, loadStackConfig } from "../../../tools/harness/stack-config";

const created: string[] = [];
after(() => created.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A throwaway project folder with the given Pulumi.yaml and stack files. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-config-"));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const PROJECT_YAML = `
name: obs
runtime: nodejs
config:
  replicas:
    type: integer
    description: How many
    default: 3
  profile: dev
  zones:
    type: array
    items:
      type: string
    default: [a, b]
  clusterName:
    type: string
  aws:region:
    value: eu-west-1
`;

describe("loadStackConfig", () => {
  it("fills declared defaults (typed and shorthand) and fixed values, keyed as the engine keys them", () => {
    const dir = project({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "config:\n  obs:clusterName: main\n" });
    assert.deepEqual(loadStackConfig(dir, "dev"), {
      project: "obs",
      config: {
        "obs:clusterName": "main",
        "obs:replicas": "3",
        "obs:profile": "dev",
        "obs:zones": '["a","b"]',
        "aws:region": "eu-west-1",
      },
      secretKeys: [],
    });
  });

  it("lets stack values win, turns scalars into strings and structures into JSON with sorted keys", () => {
    const dir = project({
      "Pulumi.yaml": PROJECT_YAML,
      "Pulumi.prod.yaml": [
        "config:",
        "  obs:clusterName: prod",
        "  obs:replicas: 5",
        "  obs:config:legacy: true",
        "  obs:ratio: 1.50",
        "  obs:tenants:",
        "    zeta: { limit: 2 }",
        "    alpha: { limit: 1 }",
        "  aws:region: us-east-2",
      ].join("\n"),
    });
    const { config } = loadStackConfig(dir, "prod");
    assert.equal(config["obs:replicas"], "5");
    assert.equal(config["obs:legacy"], "true", "the legacy <ns>:config:<key> form is normalized");
    assert.equal(config["obs:ratio"], "1.5");
    assert.equal(config["obs:tenants"], '{"alpha":{"limit":1},"zeta":{"limit":2}}');
    assert.equal(config["aws:region"], "us-east-2");
  });

  it("names every missing required key as the CLI does", () => {
    const dir = project({
      "Pulumi.yaml": "name: obs\nconfig:\n  a:\n    type: string\n  b:\n    type: string\n",
    });
    assert.throws(() => loadStackConfig(dir, "dev"), {
      message: "Stack 'dev' is missing configuration values 'a' and 'b'",
    });
  });

  it("rejects a stack value of the wrong declared type", () => {
    const dir = project({
      "Pulumi.yaml": PROJECT_YAML,
      "Pulumi.dev.yaml": "config:\n  obs:clusterName: x\n  obs:replicas: many\n",
    });
    assert.throws(() => loadStackConfig(dir, "dev"), {
      message: "Stack 'dev' with configuration key 'replicas' must be of type 'integer'",
    });
  });

  it("refuses encrypted values by default, naming the key, and can pass their ciphertext as a secret", () => {
    const dir = project({
      "Pulumi.yaml": PROJECT_YAML,
      "Pulumi.dev.yaml": "config:\n  obs:clusterName: x\n  obs:token:\n    secure: v1:abc\n",
    });
    assert.throws(() => loadStackConfig(dir, "dev"), /configuration key 'obs:token' is a secret \(secure:\)/);
    const loaded = loadStackConfig(dir, "dev", { secure: "ciphertext" });
    assert.equal(loaded.config["obs:token"], "[secure:v1:abc]");
    assert.deepEqual(loaded.secretKeys, ["obs:token"]);
  });

  it("rejects a stack key without a namespace", () => {
    const dir = project({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "config:\n  clusterName: x\n" });
    assert.throws(() => loadStackConfig(dir, "dev"), /could not parse clusterName as a configuration key/);
  });

  it("requires a declared secret to be encrypted in the stack file", () => {
    const dir = project({
      "Pulumi.yaml": "name: obs\nconfig:\n  token:\n    type: string\n    secret: true\n",
      "Pulumi.dev.yaml": "config:\n  obs:token: plain\n",
    });
    assert.throws(() => loadStackConfig(dir, "dev"), {
      message: "Stack 'dev' with configuration key 'token' must be encrypted as it's secret",
    });
  });
});

describe("loadProject", () => {
  it("rejects a default that does not match its declared type", () => {
    const dir = project({ "Pulumi.yaml": "name: obs\nconfig:\n  replicas:\n    type: integer\n    default: three\n" });
    assert.throws(
      () => loadProject(dir),
      /The default value specified for configuration key 'replicas' is not of the expected type 'integer'/,
    );
  });

  it("rejects a typed key in another namespace", () => {
    const dir = project({ "Pulumi.yaml": "name: obs\nconfig:\n  aws:region:\n    type: string\n" });
    assert.throws(
      () => loadProject(dir),
      /Configuration key 'aws:region' is not namespaced by the project and should not define a type/,
    );
  });
});
