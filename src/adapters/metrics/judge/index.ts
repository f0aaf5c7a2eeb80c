export { createJudgeProvider } from './judge-provider.js';
export { queryRole, queryRoleTotal, type QueryNumbers } from './role-query.js';
