# syntax=docker/dockerfile:1
# One image for every role: `docker run IMAGE api|bridge|worker` (and `sandbox` for the demo emulators).
# Node: the current LTS line, pinned (Node 20 is past its end of life; the tests also pass on it, see
# docs/deployment.md). Debian (glibc), not Alpine: the Temporal worker's native core needs glibc.
ARG NODE_IMAGE=node:26.10.0-bookworm-slim

# Compiles TypeScript and prebuilds the Temporal workflow bundle, with dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build \
 && node dist/scripts/build-workflow-bundle.js dist/workflow-bundle.js

# Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/scripts/sandbox-services.js /app/dist/scripts/healthcheck.js ./dist/scripts/
COPY --from=build /app/dist/workflow-bundle.js ./dist/
COPY --chmod=755 deploy/docker-entrypoint.sh /usr/local/bin/cloud-archive
# The official image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# api 8080 (PORT), worker probes 8081 (WORKER_HEALTH_PORT), bridge probes 8082 (BRIDGE_HEALTH_PORT), all with
# /metrics; the worker's Temporal SDK metrics 9464 (WORKER_SDK_METRICS_PORT).
EXPOSE 8080 8081 8082 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/dist/scripts/healthcheck.js"]
ENTRYPOINT ["cloud-archive"]
CMD ["api"]
