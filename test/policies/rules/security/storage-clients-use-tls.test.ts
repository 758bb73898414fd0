import { strict as assert } from "assert";
import { storageClientsUseTls } from "../../../../policies/rules/security/storage-clients-use-tls";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(storageClientsUseTls, records);

describe("policy storage-clients-use-tls (S13)", () => {
  it("passes the compliant fixture (HTTPS, the clients' default)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects Mimir's common insecure flag once, naming every bucket it cuts off", async () => {
    const result = await run(
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.common.storage.s3.insecure", true),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /common\.storage\.s3\.insecure=true makes Mimir's blocks_storage to Bucket "obs-prod-mimir-blocks", Mimir's ruler_storage to .*, Mimir's alertmanager_storage to .* speak plain HTTP, but the stack's bucket policies deny requests without TLS.*403 AccessDenied/,
    );
  });

  it("lets a section's own insecure: false win over common, and rejects Loki's chart flag", async () => {
    let records = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.common.storage.s3.insecure", true);
    for (const section of ["blocks_storage", "ruler_storage", "alertmanager_storage"])
      records = mutateValues(records, "mimir", `mimir.structuredConfig.${section}.s3.insecure`, false);
    assert.deepEqual((await run(records)).violations, []);
    const loki = await run(mutateValues(compliantStack(), "loki", "loki.storage.s3.insecure", true));
    assert.equal(loki.violations.length, 1);
    assert.match(
      loki.violations[0].message,
      /loki\.storage\.s3\.insecure=true makes Loki to Bucket "obs-prod-loki-chunks"/,
    );
  });

  it("does not judge a bucket outside the stack", async () => {
    let records = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.blocks_storage.s3", {
      bucket_name: "on-prem-minio-blocks",
      insecure: true,
    });
    records = mutateValues(
      records,
      "mimir",
      "mimir.structuredConfig.blocks_storage.s3.endpoint",
      "minio.storage.svc:9000",
    );
    assert.deepEqual((await run(records)).violations, []);
  });
});
