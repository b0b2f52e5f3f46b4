// The readiness server actions, in one place for the client components that call them.
export { installDeliverySkillAction, copyImageToStablePathAction } from '@/app/agents/[cluster]/[namespace]/[name]/readiness-actions';
