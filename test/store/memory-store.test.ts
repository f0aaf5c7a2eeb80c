import { createMemoryStateStore } from '../../src/adapters/store/memory/index.js';
import { describeStateStoreContract } from './state-store.contract.js';

describeStateStoreContract('memory', () => ({ store: createMemoryStateStore(), cleanup: () => {} }), { durable: false });
