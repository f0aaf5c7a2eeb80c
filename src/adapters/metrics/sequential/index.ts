export { createSequentialProvider } from './sequential-provider.js';
export { increment, readCarriedState, STATE_KEY, type CarriedState } from './carried-state.js';
