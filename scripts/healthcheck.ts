/**
 * The image's HEALTHCHECK: exits 0 when the role running in this container is ready. The check cannot see which
 * role the container was started as, and each role serves its probes on its own port (api PORT, worker
 * WORKER_HEALTH_PORT, bridge BRIDGE_HEALTH_PORT), so it asks all three: only the container's own role listens.
 */
const ports = [
  process.env.PORT || '8080',
  process.env.WORKER_HEALTH_PORT || '8081',
  process.env.BRIDGE_HEALTH_PORT || '8082',
];

async function ready(port: string): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3_000) });
    return res.ok;
  } catch {
    return false;
  }
}

Promise.all(ports.map(ready)).then((results) => process.exit(results.some(Boolean) ? 0 : 1));
