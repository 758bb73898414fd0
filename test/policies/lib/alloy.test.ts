import { strict as assert } from "assert";
import { lokiWriteEndpoints } from "../../../policies/lib/alloy";

describe("policies/lib/alloy lokiWriteEndpoints", () => {
  it("reads url and batch_size of every endpoint of every loki.write block", () => {
    const text = `
// comment with loki.write "fake" { endpoint { batch_size = "99MiB" } }
loki.write "default" {
  endpoint {
    url = "http://loki-gateway.loki.svc/loki/api/v1/push"
    batch_size = "2MiB"
    basic_auth { username = "u" }
  }
  endpoint {
    url = env("LOKI_URL")
  }
}
/* loki.write "commented" { endpoint { url = "x" } } */
loki.write "archive" { endpoint { url = "http://archive:3100/loki/api/v1/push" } }
`;
    assert.deepEqual(lokiWriteEndpoints(text), [
      { component: 'loki.write "default"', url: "http://loki-gateway.loki.svc/loki/api/v1/push", batchSize: "2MiB" },
      { component: 'loki.write "default"', url: undefined, batchSize: undefined },
      { component: 'loki.write "archive"', url: "http://archive:3100/loki/api/v1/push", batchSize: undefined },
    ]);
  });

  it("ignores batch_size of nested blocks", () => {
    const text = 'loki.write "x" { endpoint { url = "http://l" queue_config { batch_size = "9MiB" } } }';
    assert.equal(lokiWriteEndpoints(text)[0].batchSize, undefined);
  });

  it("returns nothing for text without loki.write", () => {
    assert.deepEqual(lokiWriteEndpoints('prometheus.remote_write "m" { endpoint { url = "http://m" } }'), []);
  });
});
