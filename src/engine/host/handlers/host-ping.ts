import type { Handler } from './types.ts';

export const hostPing: Handler<'host.ping'> = async ({ delayMs }, host) => {
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  return { pid: process.pid, uptimeMs: Date.now() - host.startedAt };
};
