import { strict as assert } from "assert";
import {
  annotateSecrets,
  downgradeResourceReferences,
  redactSecrets,
  RESOURCE_REFERENCE_SIG,
  revealSecrets,
  secret,
  SIG_KEY,
  skipInternalKeys,
  UNKNOWN,
} from "../../../tools/harness/wire";
import { defaultProviderName, engineUrn } from "../../../tools/harness/engine-identity";
import { parseGoDurationSeconds } from "../../../tools/harness/go-duration";

const ref = (urn: string, id?: string) => ({
  [SIG_KEY]: RESOURCE_REFERENCE_SIG,
  urn,
  ...(id === undefined ? {} : { id }),
});

describe("wire format helpers", () => {
  it("downgrades references as the engine does: custom resources to their ID (unknown if empty), components to URN", () => {
    assert.deepEqual(
      downgradeResourceReferences({ role: ref("urn:r", "role-1"), pending: ref("urn:p", ""), parts: [ref("urn:c")] }),
      { role: "role-1", pending: UNKNOWN, parts: ["urn:c"] },
    );
  });

  it("redacts secrets for artifacts and reveals them for policies, however deep", () => {
    const props = { values: { auth: { password: secret("pw") } }, list: [secret({ nested: secret("x") })] };
    assert.deepEqual(redactSecrets(props), { values: { auth: { password: "[secret]" } }, list: ["[secret]"] });
    assert.deepEqual(revealSecrets(props), { values: { auth: { password: "pw" } }, list: [{ nested: "x" }] });
  });

  it("skips internal keys at the top level only", () => {
    assert.deepEqual(skipInternalKeys({ __defaults: [], a: { __keep: 1 } }), { a: { __keep: 1 } });
  });

  it("makes outputs secret where their input was, key by key in objects, and for additionalSecretOutputs", () => {
    const outputs = annotateSecrets(
      { tags: { owner: "me", token: "t" }, password: "pw", arn: "arn:x", id: "i" },
      { tags: { owner: "me", token: secret("t") }, password: secret("pw") },
      ["arn", "id"],
    );
    assert.deepEqual(outputs, {
      tags: { owner: "me", token: secret("t") },
      password: secret("pw"),
      arn: secret("arn:x"),
      id: "i",
    });
  });
});

describe("engine naming", () => {
  it("prefixes a child's type with its parent's full qualified type, except under the root stack", () => {
    const root = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev";
    const component = engineUrn("dev", "proj", root, "obs:index:Mimir", "mimir");
    assert.equal(component, "urn:pulumi:dev::proj::obs:index:Mimir::mimir");
    const child = engineUrn("dev", "proj", component, "obs:index:Store", "store");
    assert.equal(
      engineUrn("dev", "proj", child, "aws:s3/bucket:Bucket", "b"),
      "urn:pulumi:dev::proj::obs:index:Mimir$obs:index:Store$aws:s3/bucket:Bucket::b",
    );
  });

  it("names default providers after the package version, pre-release and build included", () => {
    assert.equal(defaultProviderName("7.48.0"), "default_7_48_0");
    assert.equal(defaultProviderName("4.0.0-alpha.1+sha"), "default_4_0_0_alpha_1_sha");
    assert.equal(defaultProviderName(undefined), "default");
  });

  it("parses custom timeouts as Go durations, rejecting what Go rejects", () => {
    assert.equal(parseGoDurationSeconds("1h30m"), 5400);
    assert.equal(parseGoDurationSeconds("1.5s"), 1.5);
    assert.equal(parseGoDurationSeconds("1.s"), 1);
    assert.equal(parseGoDurationSeconds("-0"), 0);
    assert.throws(() => parseGoDurationSeconds("1d"), { message: "unable to parse customTimeout Value 1d" });
    assert.throws(() => parseGoDurationSeconds("10"), { message: "unable to parse customTimeout Value 10" });
  });
});
