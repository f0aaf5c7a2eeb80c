export { createGatewayClient, GatewayConfigRejectedError, GatewayUnavailableError, GatewayUnauthorizedError } from './client.js';
export type { GatewayClient, ClusterStats, GatewayHealth, EndpointState, GatewayConfig, ConfigProblem } from './client.js';
