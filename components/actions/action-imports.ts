// The agent page's server actions, in one place for the client components that call them.
export { restartAgentAction, bulkRestartAction, setApprovalModeAction, setFeatureAction } from '@/app/agents/[cluster]/[namespace]/[name]/actions';
