import { strict as assert } from "assert";
import { StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../../policies/rules";
import { compliantStack, withDeclaredSecrets } from "../support/fixture";
import { runStackPolicy } from "../support/harness";

describe("the compliant prod fixture", () => {
  for (const policy of policies as StackValidationPolicy[]) {
    it(`passes ${policy.name} without violations, advisories or preview gaps`, async () => {
      const run = await runStackPolicy(policy, withDeclaredSecrets(compliantStack()));
      assert.deepEqual(run, { violations: [], advisories: [], previewAdvisory: undefined });
    });
  }
});
