// Knowledge of Codex's files and CLI as pure functions (no I/O).
export * from './auth';
export * from './cli-output';
export * from './config';
export * from './features';
export * from './device-login';
export * from './rollout';
export * from './discord-uploads';
export * from './skills';
