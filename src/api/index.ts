export { createApp } from './app';
export type { AppDeps } from './app';
export { startApi } from './server';
export type { RunningApi } from './server';
export type { Readiness } from './routes/health';
