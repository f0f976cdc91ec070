export { createBridge } from './bridge';
export type { Bridge, BridgeOptions } from './bridge';
export type { StartWorkflow } from './handle-message';
export { LazyTemporalClient } from './temporal-client';
