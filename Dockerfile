# syntax=docker/dockerfile:1
# Multi-stage build: dependencies and the web bundle are built in `build`; the runtime
# image carries only what `npm run serve` needs and runs as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown -R node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node is PID 1's only child of note: no npx wrapper, so SIGTERM reaches the server and it drains (1012, grace period).
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "server/main.ts"]
