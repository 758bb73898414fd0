import { strict as assert } from "assert";
import { grpcTlsMatchesServers } from "../../../../policies/rules/wiring/grpc-tls-matches-servers";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const messages = async (records = compliantStack()) =>
  (await runStackPolicy(grpcTlsMatchesServers, records)).violations.map((v) => v.message);

const MIMIR_CORE = [
  "ingester_client.grpc_client_config",
  "querier.store_gateway_client",
  "frontend_worker.grpc_client_config",
  "frontend_worker.query_scheduler_grpc_client_config",
  "frontend.grpc_client_config",
];

/** Mimir with server TLS and the given client blocks TLS. */
function mimirTls(clients: string[]) {
  let records = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.server.grpc_tls_config", {
    cert_file: "/certs/tls.crt",
    key_file: "/certs/tls.key",
  });
  for (const block of clients)
    records = mutateValues(records, "mimir", `mimir.structuredConfig.${block}.tls_enabled`, true);
  return records;
}

describe("policy grpc-tls-matches-servers (W16)", () => {
  it("passes the fixture (plaintext servers and clients)", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects a Mimir client dialing TLS to plaintext servers (querier.store_gateway_client), and a Loki one", async () => {
    const found = await messages(
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.querier.store_gateway_client.tls_enabled", true),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /querier\.store_gateway_client\.tls_enabled=true: Mimir's querier\.store_gateway_client dials Mimir's gRPC servers over TLS, but they serve plaintext gRPC.*fails the TLS handshake/,
    );
    const loki = await messages(
      mutateValues(compliantStack(), "loki", "loki.ingester_client.grpc_client_config.tls_enabled", true),
    );
    assert.match(
      loki[0],
      /values\.loki\.ingester_client\.grpc_client_config\.tls_enabled=true: Loki's ingester_client/,
    );
  });

  it("reads a Mimir client's TLS flag in extraArgs too", async () => {
    const found = await messages(
      mutateValues(compliantStack(), "mimir", "querier.extraArgs", {
        "querier.store-gateway-client.tls-enabled": "true",
      }),
    );
    assert.match(found[0], /querier\.extraArgs.*store-gateway-client\.tls-enabled.*plaintext gRPC/);
  });

  it("ignores tls_enabled of blocks that are not gRPC clients of Mimir's servers (memberlist, caches, ruler.alertmanager_client)", async () => {
    for (const path of ["memberlist.tls_enabled", "ruler.alertmanager_client.tls_enabled"]) {
      assert.deepEqual(
        await messages(mutateValues(compliantStack(), "mimir", `mimir.structuredConfig.${path}`, true)),
        [],
      );
    }
  });

  it("rejects server TLS while core clients stay plaintext, and accepts it with every core client on TLS", async () => {
    const found = await messages(mimirTls(["querier.store_gateway_client"]));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /serves gRPC over TLS \(.*server\.grpc_tls_config\.cert_file and .*key_file\), but its gRPC clients ingester_client\.grpc_client_config, frontend_worker\.grpc_client_config.* dial plaintext/,
    );
    assert.doesNotMatch(found[0], /querier\.store_gateway_client,/);
    assert.deepEqual(await messages(mimirTls(MIMIR_CORE)), []);
    // A certificate without its key serves plaintext: TLS clients are then the break.
    const certOnly = mutateValues(
      mimirTls(MIMIR_CORE),
      "mimir",
      "mimir.structuredConfig.server.grpc_tls_config.key_file",
      "",
    );
    assert.equal((await messages(certOnly)).length, MIMIR_CORE.length);
  });
});
