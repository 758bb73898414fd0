import { strict as assert } from "assert";
import { editDistance, secretReferencesDeclared } from "../../../../policies/rules/wiring/secret-references-declared";
import { compliantStack, mutateValues, withDeclaredSecrets } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const withSecrets = withDeclaredSecrets;

describe("policy secret-references-declared (W9)", () => {
  it("passes the compliant fixture with its Secrets, and without them only advises", async () => {
    const run = await runStackPolicy(secretReferencesDeclared, withSecrets());
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.advisories, []);
    const bare = await runStackPolicy(secretReferencesDeclared, compliantStack());
    assert.deepEqual(bare.violations, []);
    assert.ok(
      bare.advisories.some((a) =>
        /not a Secret this stack declares in namespace mimir: make sure it exists/.test(a.message),
      ),
    );
  });

  it("rejects a Loki gateway existingSecret that replaced the program's (held-out f06)", async () => {
    const run = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "loki", "gateway.basicAuth.existingSecret", "loki-gateway-htpasswd-prod"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.gateway\.basicAuth\.existingSecret="loki-gateway-htpasswd-prod" .* names no Secret the stack declares in namespace loki; it looks like a slip of .*"loki-gateway-htpasswd"/,
    );
  });

  it("rejects a Mimir gateway existingSecret typo (held-out f34) and an env secretKeyRef typo (held-out f07)", async () => {
    const gateway = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "mimir", "gateway.nginx.basicAuth.existingSecret", "mimir-gateway-htpasswdd"),
    );
    assert.equal(gateway.violations.length, 1);
    assert.match(gateway.violations[0].message, /gateway\.nginx\.basicAuth\.existingSecret="mimir-gateway-htpasswdd"/);
    const env = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "mimir", "ingester.env", [
        { name: "P", valueFrom: { secretKeyRef: { name: "mimir-kafka-sasl-password", key: "password" } } },
      ]),
    );
    assert.equal(env.violations.length, 1);
    assert.match(
      env.violations[0].message,
      /ingester\.env\[0\]\.valueFrom\.secretKeyRef\.name="mimir-kafka-sasl-password" \(env secretKeyRef/,
    );
  });

  it("rejects a reference while the program's own Secret is referenced by nothing", async () => {
    const run = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "loki", "gateway.basicAuth.existingSecret", "nginx-users"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /the stack's own Secret "loki-gateway-htpasswd" there is referenced by nothing/,
    );
  });

  it("only advises about an unrelated Secret made outside the stack, and skips optional references", async () => {
    const extra = mutateValues(withSecrets(), "mimir", "distributor.extraEnvFrom", [
      { secretRef: { name: "vault-synced-tokens" } },
    ]);
    const run = await runStackPolicy(secretReferencesDeclared, extra);
    assert.deepEqual(run.violations, []);
    assert.match(
      run.advisories[0].message,
      /values\.distributor\.extraEnvFrom\[0\]\.secretRef\.name="vault-synced-tokens" .* make sure it exists/,
    );
    const optional = mutateValues(withSecrets(), "mimir", "distributor.extraEnvFrom", [
      { secretRef: { name: "mimir-kafkaa", optional: true } },
    ]);
    const quiet = await runStackPolicy(secretReferencesDeclared, optional);
    assert.deepEqual([quiet.violations, quiet.advisories], [[], []]);
  });

  it("measures edit distance", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("abc", "abc"), 0);
  });
});
