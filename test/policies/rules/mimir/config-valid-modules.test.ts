import { strict as assert } from "assert";
import { mimirConfigValid } from "../../../../policies/rules/mimir/config-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const sc = "mimir.structuredConfig";
const set = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, "mimir", path, value);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(mimirConfigValid, records)).violations.map((v) => v.message);

describe("policy mimir-config-valid (M13): module-level checks", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects ruler tenant federation without the global tenant federation", async () => {
    const found = await messages(set(`${sc}.ruler.tenant_federation.enabled`, true));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /ruler\.tenant_federation\.enabled=true: Mimir refuses to start \("-ruler\.tenant-federation\.enabled=true requires -tenant-federation\.enabled=true"\); the ruler module fails to initialise and every ruler pod exits/,
    );
  });

  it("accepts ruler tenant federation with the global flag, the global flag alone, and a disabled ruler", async () => {
    const both = set(`${sc}.tenant_federation.enabled`, true, set(`${sc}.ruler.tenant_federation.enabled`, true));
    assert.deepEqual(await messages(both), []);
    assert.deepEqual(await messages(set(`${sc}.tenant_federation.enabled`, true)), []);
    assert.deepEqual(await messages(set(`${sc}.ruler.tenant_federation.enabled`, false)), []);
    assert.deepEqual(
      await messages(set("ruler.enabled", false, set(`${sc}.ruler.tenant_federation.enabled`, true))),
      [],
    );
  });
});
