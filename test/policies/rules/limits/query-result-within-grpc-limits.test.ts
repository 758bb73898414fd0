import { strict as assert } from "assert";
import { queryResultWithinGrpcLimits } from "../../../../policies/rules/limits/query-result-within-grpc-limits";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const sc = "mimir.structuredConfig";
const set = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, "mimir", path, value);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(queryResultWithinGrpcLimits, records)).violations.map((v) => v.message);

describe("policy mimir-query-result-within-grpc-limits (Q13, mandatory)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects a 4 MiB gRPC receive limit on every component: the query-frontend refuses larger querier results", async () => {
    const found = await messages(set(`${sc}.server.grpc_server_max_recv_msg_size`, 4194304));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /server\.grpc_server_max_recv_msg_size=4Mi \(4194304 bytes\) is the query-frontend's gRPC receive limit, below what the queriers send back \(.*chart-generated config frontend_worker\.grpc_client_config\.max_send_msg_size=400Mi.*ResourceExhausted.*unreadable/,
    );
  });

  it("judges the query-frontend's own extraArgs flag, and a querier send limit below it", async () => {
    const flagged = await messages(
      set("query_frontend.extraArgs", { "server.grpc-max-recv-msg-size-bytes": "1048576" }),
    );
    assert.equal(flagged.length, 1);
    assert.match(flagged[0], /query_frontend\.extraArgs\["server\.grpc-max-recv-msg-size-bytes"\]=1Mi/);
    // Only the ingesters' server is lowered: the query-frontend keeps Mimir's default.
    assert.deepEqual(
      await messages(set("ingester.extraArgs", { "server.grpc-max-recv-msg-size-bytes": "1048576" })),
      [],
    );
    // The queriers never send more than 1 MiB: a 1 MiB receive limit holds it.
    const small = set(`${sc}.frontend_worker.grpc_client_config.max_send_msg_size`, 1048576);
    assert.deepEqual(await messages(set(`${sc}.server.grpc_server_max_recv_msg_size`, 1048576, small)), []);
  });

  it("accepts Mimir's default, a larger limit, and 0 is not judged", async () => {
    assert.deepEqual(await messages(set(`${sc}.server.grpc_server_max_recv_msg_size`, 104857600)), []);
    assert.deepEqual(await messages(set(`${sc}.server.grpc_server_max_recv_msg_size`, 536870912)), []);
  });

  it("rejects a small ruler receive limit for remote evaluation results", async () => {
    const remote = set(`${sc}.ruler.query_frontend.address`, "dns:///mimir-query-frontend:9095");
    const found = await messages(
      set(`${sc}.ruler.query_frontend.grpc_client_config.max_recv_msg_size`, 1048576, remote),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /ruler's receive limit for query results from the query-frontend.*alert cannot fire/);
    assert.deepEqual(
      await messages(
        set(
          `${sc}.ruler.query_frontend.grpc_client_config.max_recv_msg_size`,
          1048576,
          set("ruler.enabled", false, remote),
        ),
      ),
      [],
    );
  });
});
