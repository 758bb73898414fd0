import { strict as assert } from "assert";
import { captureProgram, type CapturedResource, type CapturedStack } from "../../../tools/harness/capture";
import { isSecret, redactSecrets, RESOURCE_REFERENCE_SIG, SIG_KEY, UNKNOWN } from "../../../tools/harness/wire";
import { FIXTURE_PROGRAM, FIXTURE_PROJECT, fixtureConfig, fixtureMocks } from "./fixtures/fixture-mocks";

const ROOT = `urn:pulumi:dev::${FIXTURE_PROJECT}::pulumi:pulumi:Stack::${FIXTURE_PROJECT}-dev`;
const STORE = `urn:pulumi:dev::${FIXTURE_PROJECT}::fixture:index:Store::main`;
const LOGS = `urn:pulumi:dev::${FIXTURE_PROJECT}::fixture:index:Store$fixture:storage:Bucket::main-logs`;
const DATA = `urn:pulumi:dev::${FIXTURE_PROJECT}::fixture:index:Store$fixture:storage:Bucket::main-data`;
const ORPHAN = `urn:pulumi:dev::${FIXTURE_PROJECT}::fixture:storage:Bucket::orphan`;
const DB = `urn:pulumi:dev::${FIXTURE_PROJECT}::fixture:storage:Database::db`;
const FIXTURE_PROVIDER = `urn:pulumi:dev::${FIXTURE_PROJECT}::pulumi:providers:fixture::default`;
const RANDOM_PROVIDER = `urn:pulumi:dev::${FIXTURE_PROJECT}::pulumi:providers:random::default_4_21_2`;

function capture(preview: boolean, bucketSizeGb = "50", mocks = fixtureMocks()): Promise<CapturedStack> {
  return captureProgram({
    programPath: FIXTURE_PROGRAM,
    project: FIXTURE_PROJECT,
    stack: "dev",
    config: fixtureConfig(bucketSizeGb),
    preview,
    mocks,
  });
}

function find(stack: CapturedStack, urn: string): CapturedResource {
  const resource = stack.resources.find((r) => r.urn === urn);
  assert.ok(resource, `${urn} was not captured; got ${stack.resources.map((r) => r.urn).join(", ")}`);
  return resource;
}

describe("captureProgram", function () {
  let update: CapturedStack;
  let preview: CapturedStack;
  const updateMocks = fixtureMocks();

  before(async function () {
    [update, preview] = await Promise.all([capture(false, "50", updateMocks), capture(true)]);
    // Reported for the harness's performance budget (one capture of the fixture program).
    console.log(
      `      capture of the fixture program: update ${update.durationMs} ms, preview ${preview.durationMs} ms`,
    );
  });

  it("runs the program inside the root stack, which is registered first and owns the stack outputs", () => {
    assert.equal(update.error, undefined, update.error?.message);
    assert.equal(update.resources[0].urn, ROOT);
    assert.equal(update.rootStackUrn, ROOT);
    assert.deepEqual(Object.keys(update.outputs).sort(), ["dataArn", "dbEndpoint", "dbPassword", "orphanSize"]);
    assert.equal(update.outputs.dataArn, "arn:fixture:bucket:main-data");
  });

  it("names resources as the engine does: no stack prefix for top-level resources, the parent's type for children", () => {
    // The SDK's own MockMonitor would name these pulumi:pulumi:Stack$fixture:index:Store and Store$... differently.
    find(update, STORE);
    find(update, LOGS);
    find(update, ORPHAN);
  });

  it("keeps each registration's parent, dependencies and property dependencies", () => {
    assert.equal(find(update, STORE).parent, ROOT);
    assert.equal(find(update, DATA).parent, STORE);
    assert.deepEqual(find(update, DATA).dependencies, [LOGS]);
    assert.deepEqual(find(update, DATA).propertyDependencies.loggingTarget, [LOGS]);
    const db = find(update, DB);
    assert.ok(db.dependencies.includes(ORPHAN), "dependsOn is a dependency");
    assert.deepEqual(db.propertyDependencies.logBucket, [LOGS]);
  });

  it("registers a default provider per package before its first user, with the package's config and version", () => {
    const order = update.resources.map((r) => r.urn);
    const fixtureProvider = find(update, FIXTURE_PROVIDER);
    assert.equal(fixtureProvider.synthesized, true);
    assert.equal(fixtureProvider.parent, undefined);
    assert.deepEqual(fixtureProvider.inputs, { region: "eu-west-1" });
    assert.ok(order.indexOf(FIXTURE_PROVIDER) < order.indexOf(ORPHAN));
    assert.equal(find(update, ORPHAN).provider, `${FIXTURE_PROVIDER}::${fixtureProvider.id}`);
    assert.deepEqual(find(update, RANDOM_PROVIDER).inputs, { version: "4.21.2" });
    // An explicit provider is used as given, with its mock ID.
    assert.equal(
      find(update, DB).provider,
      `urn:pulumi:dev::${FIXTURE_PROJECT}::pulumi:providers:fixture::west::west-id`,
    );
  });

  it("calls the mocks for custom resources only, never for components or the root stack", () => {
    assert.ok(updateMocks.calls.includes("fixture:storage:Bucket::orphan"));
    assert.ok(
      !updateMocks.calls.some(
        (call) => call.startsWith("fixture:index:Store") || call.startsWith("pulumi:pulumi:Stack"),
      ),
    );
  });

  it("marks secrets as the engine does, including additionalSecretOutputs, and can redact them", () => {
    const password = find(
      update,
      `urn:pulumi:dev::${FIXTURE_PROJECT}::random:index/randomPassword:RandomPassword::db-password`,
    );
    assert.ok(isSecret(password.outputs.result), "RandomPassword.result is a secret output");
    const db = find(update, DB);
    assert.deepEqual(db.inputs.password, { [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value: "short-pw" });
    assert.ok(isSecret(update.outputs.dbPassword));
    assert.equal(redactSecrets(db.inputs).password, "[secret]");
  });

  it("keeps resource references in inputs: custom resources with their ID, components by URN", () => {
    const db = find(update, DB);
    assert.deepEqual(db.inputs.logBucket, { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: LOGS, id: "main-logs-id" });
    assert.deepEqual(db.inputs.store, { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: STORE });
  });

  it("records resource options the engine forwards to policies", () => {
    const orphan = find(update, ORPHAN);
    assert.equal(orphan.options.protect, true);
    assert.equal(orphan.options.customTimeouts.create, 5400);
  });

  it("in an update, IDs and computed outputs come from the mocks, overlaid on the inputs", () => {
    const data = find(update, DATA);
    assert.equal(data.id, "main-data-id");
    assert.deepEqual(data.inputs, { loggingTarget: "arn:fixture:bucket:main-logs", sizeGb: 50 });
    assert.equal(data.outputs.arn, "arn:fixture:bucket:main-data");
    assert.equal(data.outputs.sizeGb, 50);
  });

  it("in a preview, IDs and every output that is not an input are unknown, and so is what depends on them", () => {
    const logs = find(preview, LOGS);
    assert.equal(logs.id, undefined);
    assert.equal(logs.outputs.arn, UNKNOWN);
    assert.equal(logs.outputs.sizeGb, 10);
    assert.equal(find(preview, DATA).inputs.loggingTarget, UNKNOWN);
    assert.equal(find(preview, ORPHAN).provider, `${FIXTURE_PROVIDER}::${UNKNOWN}`);
    assert.equal(preview.outputs.dataArn, UNKNOWN);
    assert.equal(preview.outputs.orphanSize, 500);
  });

  it("records log messages with the URN of the resource they name", () => {
    assert.deepEqual(
      update.logs.filter((log) => log.message.startsWith("store ")),
      [{ severity: "info", message: "store main holds 50 GB", urn: STORE }],
    );
  });

  it("reports a program that fails its config validation, with nothing registered", async () => {
    const failed = await capture(true, "0");
    assert.ok(failed.error, "the program failed");
    assert.equal(failed.error.name, "RunError");
    assert.equal(failed.error.message, `${FIXTURE_PROJECT}:bucketSizeGb must be a whole number >= 1, got 0`);
    assert.equal(failed.error.resourcesRegisteredBefore, 0);
  });

  it("reports missing required config with the SDK's message", async () => {
    const failed = await captureProgram({
      programPath: FIXTURE_PROGRAM,
      project: FIXTURE_PROJECT,
      stack: "dev",
      config: {},
      preview: true,
      mocks: fixtureMocks(),
    });
    assert.match(failed.error?.message ?? "", /Missing required configuration variable 'harness-fixture:bucketSizeGb'/);
  });

  it("reports a mock failure as a program error naming the resource, after what was registered", async () => {
    const failing = fixtureMocks();
    const mocks = fixtureMocks({
      newResource: (args) => {
        if (args.type === "fixture:storage:Database") {
          throw new Error("no database for you");
        }
        return failing.newResource(args);
      },
    });
    const failed = await capture(false, "50", mocks);
    assert.match(failed.error?.message ?? "", /db.*fixture:storage:Database.*no database for you/s);
    assert.ok((failed.error?.resourcesRegisteredBefore ?? 0) >= 5, "the buckets and password were registered first");
  });

  it("isolates concurrent evaluations from each other", async () => {
    const [small, large] = await Promise.all([capture(false, "7"), capture(false, "700")]);
    assert.equal(find(small, DATA).inputs.sizeGb, 7);
    assert.equal(find(large, DATA).inputs.sizeGb, 700);
  });
});
