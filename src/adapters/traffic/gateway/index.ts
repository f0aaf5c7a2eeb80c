export { createGatewayClient, GatewayConfigRejectedError, GatewayUnavailableError } from './client.js';
export type { GatewayClient, ClusterStats, GatewayHealth, EndpointState, GatewayConfig, ConfigProblem } from './client.js';
