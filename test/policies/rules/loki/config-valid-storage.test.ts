import { strict as assert } from "assert";
import { lokiConfigValid } from "../../../../policies/rules/loki/config-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

type Records = ReturnType<typeof compliantStack>;
const set = (path: string, value: unknown, records: Records = compliantStack()) =>
  mutateValues(records, "loki", path, value);
const messages = async (records: Records) =>
  (await runStackPolicy(lokiConfigValid, records)).violations.map((v) => v.message);
const refuses = async (records: Records, pattern: RegExp) => {
  const found = await messages(records);
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], pattern);
};
const passes = async (records: Records) => assert.deepEqual(await messages(records), []);
const sc = "loki.structuredConfig";

describe("policy loki-config-valid (L10): S3 client configs (aws and thanos clients)", () => {
  it("refuses signature version v2 from the chart's loki.storage.s3.signatureVersion (the held-out miss)", async () => {
    await refuses(
      set("loki.storage.s3.signatureVersion", "v2"),
      /loki\.storage\.s3\.signatureVersion=v2: Loki refuses to start \("CONFIG ERROR: invalid storage_config config: invalid AWS Storage config: invalid S3 Storage config: unsupported signature version"\); every Loki pod .* Fix: use v4/,
    );
    await passes(set("loki.storage.s3.signatureVersion", "v4"));
    await passes(set("loki.storage.s3.signatureVersion", null));
    // The chart renders loki.storage.s3 only for storage.type s3 without the thanos client.
    await passes(
      set(
        "loki.storage.object_store.s3.endpoint",
        "s3.us-east-1.amazonaws.com",
        set("loki.storage.use_thanos_objstore", true, set("loki.storage.s3.signatureVersion", "v2")),
      ),
    );
  });

  it("refuses a signature version on storage_config.aws, common.storage.s3 or the ruler's s3 store", async () => {
    await refuses(
      set(`${sc}.storage_config.aws.signature_version`, "v2"),
      /storage_config\.aws\.signature_version=v2: .*invalid AWS Storage config: invalid S3 Storage config: unsupported signature version/,
    );
    await refuses(
      set(`${sc}.ruler.storage.s3.signature_version`, "v2"),
      /ruler\.storage\.s3\.signature_version=v2: .*invalid ruler config: invalid ruler store config: invalid S3 Storage config: unsupported signature version/,
    );
    await refuses(
      set(`${sc}.common.storage.s3.signature_version`, ""),
      /signature_version=: .*unsupported signature version/,
    );
  });

  it("aws client SSE: unknown type, SSE-KMS without a key, context not JSON; SSE-KMS with a key passes", async () => {
    await refuses(
      set("loki.storage.s3.sse", { type: "aws:kms" }),
      /loki\.storage\.s3\.sse\.type=aws:kms: Loki refuses to start \("failed to build SSE config: SSE type is empty or invalid"\); every Loki pod that opens the chunk store/,
    );
    await refuses(
      set("loki.storage.s3.sse", { type: "SSE-KMS" }),
      /sse\.type=SSE-KMS: .*KMS key id must be passed when SSE-KMS encryption is selected/,
    );
    await refuses(
      set("loki.storage.s3.sse", {
        type: "SSE-KMS",
        kms_key_id: "arn:aws:kms:us-east-1:1:key/k",
        kms_encryption_context: "team=obs",
      }),
      /kms_encryption_context=team=obs: .*failed to parse KMS encryption context/,
    );
    await passes(set("loki.storage.s3.sse", { type: "SSE-KMS", kms_key_id: "arn:aws:kms:us-east-1:1:key/k" }));
    await passes(set("loki.storage.s3.sse", { type: "SSE-S3" }));
  });

  it("thanos client: sts endpoint without a scheme, SSE type, lookup type, endpoint prefixed with the bucket", async () => {
    const thanos = (s3: Record<string, unknown>) =>
      set(
        "loki.storage.object_store",
        { type: "s3", s3: { region: "us-east-1", endpoint: "s3.us-east-1.amazonaws.com", ...s3 } },
        set("loki.storage.use_thanos_objstore", true),
      );
    await passes(thanos({ endpoint: "s3.us-east-1.amazonaws.com" }));
    // One setting, one finding (it reaches storage_config.object_store and ruler_storage alike).
    await refuses(
      thanos({ sts_endpoint: "sts.us-east-1.amazonaws.com" }),
      /object_store\.s3\.sts_endpoint=sts\.us-east-1\.amazonaws\.com: Loki refuses to start \("CONFIG ERROR: invalid storage_config config: invalid object store config: sts-endpoint must be a valid url"\)/,
    );
    await refuses(
      set(`${sc}.storage_config.object_store.s3.bucket_lookup_type`, "dns"),
      /unsupported bucket lookup type: dns"\); the config file does not load/,
    );
    await refuses(
      set(`${sc}.ruler_storage.s3.sse.type`, "SSE-C"),
      /invalid ruler_storage config: unsupported S3 SSE type/,
    );
    await refuses(
      set(`${sc}.storage_config.object_store.s3`, {
        endpoint: "chunks.s3.us-east-1.amazonaws.com",
        bucket_name: "chunks",
      }),
      /the endpoint must not prefixed with the bucket name/,
    );
    await passes(set(`${sc}.storage_config.object_store.s3.sts_endpoint`, "https://sts.us-east-1.amazonaws.com"));
  });

  it("thanos client: refuses the chart's null endpoint (use_thanos_objstore alone) and the aws alias as object_store", async () => {
    await refuses(
      set("loki.storage.use_thanos_objstore", true),
      /loki\.storage\.use_thanos_objstore=true: Loki refuses to start \("no s3 endpoint in config file"\); every Loki pod that opens the chunk store .* Fix: storage_config\.object_store\.s3\.endpoint and ruler_storage\.s3\.endpoint empty .*set loki\.storage\.object_store\.s3\.endpoint to s3\.<region>\.amazonaws\.com/,
    );
    // The ruler's rule store reads the same block: one finding per store when the ruler has its own setting.
    const both = await messages(
      set("loki.storage.object_store.s3.region", "us-east-1", set("loki.storage.use_thanos_objstore", true)),
    );
    assert.equal(both.length, 1, both.join("\n"));
    assert.match(both[0], /s3\.us-east-1\.amazonaws\.com/);
    await refuses(
      set(
        `${sc}.storage_config.object_store.s3.endpoint`,
        "",
        set(
          "loki.storage.use_thanos_objstore",
          true,
          set("loki.storage.object_store.s3.endpoint", "s3.us-east-1.amazonaws.com"),
        ),
      ),
      /storage_config\.object_store\.s3\.endpoint=: Loki refuses to start \("no s3 endpoint in config file"\)/,
    );
    await refuses(
      set(
        "loki.schemaConfig.configs.0.object_store",
        "aws",
        set(
          "loki.storage.object_store.s3.endpoint",
          "s3.us-east-1.amazonaws.com",
          set("loki.storage.use_thanos_objstore", true),
        ),
      ),
      /object_store=aws: Loki refuses to start \("unrecognized `object_store` type `aws`, which also does not match any named_stores\. Choose one of: s3, gcs, azure, swift, filesystem, alibabacloud, bos\. Or choose a named_store"\).*name the backend itself \(s3\)/,
    );
    // Benign neighbours: the aws client (no endpoint needed), an endpoint given, the aws alias without thanos.
    await passes(set("loki.storage.use_thanos_objstore", false));
    await passes(
      set(
        "loki.storage.object_store.s3.endpoint",
        "s3.us-east-1.amazonaws.com",
        set("loki.storage.use_thanos_objstore", true),
      ),
    );
    await passes(set("loki.schemaConfig.configs.0.object_store", "aws"));
  });
});
