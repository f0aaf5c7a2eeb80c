/** A queued-results metrics provider for tests of other modules. */
export { createFakeProvider, type FakeProvider, type FakeStep } from './fake-provider.js';
