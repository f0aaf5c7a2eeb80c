/** The `web` metric provider. */
export { createWebProvider, DEFAULT_WEB_TIMEOUT_SECONDS } from './web-provider.js';
export { compileK8sJsonPath, DEFAULT_JSON_PATH, findFirst } from './k8s-jsonpath.js';
