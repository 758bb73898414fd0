import {
  CreatedResource,
  RecordingMocks,
  RegistrationLog,
  captureRegistrations,
  installMocks,
  settleMocks,
} from "../../tools/harness/mocks";

export interface MockedComponents {
  /** The resource of this type and name as the mocks created it (throws when there is none). */
  find(type: string, name: string): CreatedResource;
  readonly mocks: RecordingMocks;
  /** Every registration, with its dependencies: for "waits for X" checks. */
  readonly registrations: RegistrationLog;
}

/**
 * For the enclosing describe block: installs the harness mocks for a stack named `stack`, runs `register` (which
 * constructs the components under test), waits until every registration settled, and restores afterwards.
 */
export function mockComponents(stack: string, register: () => Promise<void>): MockedComponents {
  let mocks: RecordingMocks | undefined;
  let registrations: RegistrationLog | undefined;
  before(async () => {
    mocks = await installMocks({
      region: "eu-west-1",
      accountId: "123456789012",
      project: "observability-stack",
      stack,
    });
    registrations = captureRegistrations();
    await register();
    await settleMocks();
  });
  after(async () => {
    await settleMocks();
    registrations?.restore();
  });
  return {
    find: (type, name) => mocks!.findCreated(type, name),
    get mocks() {
      return mocks!;
    },
    get registrations() {
      return registrations!;
    },
  };
}
