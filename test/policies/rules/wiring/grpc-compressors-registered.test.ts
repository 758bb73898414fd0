import { strict as assert } from "assert";
import { grpcCompressorsRegistered } from "../../../../policies/rules/wiring/grpc-compressors-registered";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const judge = (release: "mimir" | "loki", path: string, value: unknown) =>
  runStackPolicy(grpcCompressorsRegistered, mutateValues(compliantStack(), release, path, value));

describe("policy grpc-compressors-registered (W15)", () => {
  it("passes the fixture (no compression set)", async () => {
    assert.deepEqual((await runStackPolicy(grpcCompressorsRegistered, compliantStack())).violations, []);
  });

  it("rejects lz4 on Loki's ingester client, which Loki never validates, in its rendered section", async () => {
    const run = await judge("loki", "loki.ingester_client.grpc_client_config.grpc_compression", "lz4");
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.loki\.ingester_client\.grpc_client_config\.grpc_compression="lz4": Loki registers no gRPC compressor of that name \(it has gzip, snappy\).*Compressor is not installed.*every push/,
    );
  });

  it("rejects zstd anywhere in Loki's structuredConfig and s2, which only Mimir registers", async () => {
    const zstd = await judge("loki", "loki.structuredConfig.frontend.grpc_client_config.grpc_compression", "zstd");
    assert.match(zstd.violations[0].message, /frontend\.grpc_client_config\.grpc_compression="zstd"/);
    const s2 = await judge("loki", "loki.structuredConfig.ingester_client.grpc_client_config.grpc_compression", "s2");
    assert.equal(s2.violations.length, 1);
  });

  it("rejects an unregistered Mimir client compression and a flag in extraArgs, leaving M13's validated paths to it", async () => {
    const client = await judge("mimir", "mimir.structuredConfig.querier.store_gateway_client.grpc_compression", "lz4");
    assert.match(client.violations[0].message, /store_gateway_client\.grpc_compression="lz4": Mimir registers/);
    const flag = await judge("mimir", "querier.extraArgs", { "querier.store-gateway-client.grpc-compression": "zstd" });
    assert.match(
      flag.violations[0].message,
      /querier\.extraArgs\.querier\.store-gateway-client\.grpc-compression="zstd"/,
    );
    const validated = await judge(
      "mimir",
      "mimir.structuredConfig.ingester_client.grpc_client_config.grpc_compression",
      "lz4",
    );
    assert.deepEqual(validated.violations, []);
  });

  it("accepts the registered compressors: gzip and snappy in Loki, s2 in Mimir, and empty", async () => {
    for (const value of ["gzip", "snappy", ""])
      assert.deepEqual(
        (await judge("loki", "loki.ingester_client.grpc_client_config.grpc_compression", value)).violations,
        [],
      );
    assert.deepEqual(
      (await judge("mimir", "mimir.structuredConfig.querier.store_gateway_client.grpc_compression", "s2")).violations,
      [],
    );
  });
});
