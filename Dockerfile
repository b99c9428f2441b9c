# syntax=docker/dockerfile:1
# Three stages. `build` installs everything and builds the web bundle and the Prisma client;
# `prod-deps` installs production dependencies only; the runtime image gets those, the
# server's sources, the migrations and the built web app, and runs as a non-root user.
# Sizes (measured as the files each variant copies; see README "Docker image"): the old
# runtime copied the whole build stage.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prune-dev-optional.mjs ./scripts/
# --ignore-scripts: postinstall runs `prisma generate`, whose CLI is a devDependency; the
# generated client comes from the build stage instead.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && node scripts/prune-dev-optional.mjs

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/server ./server
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/scripts/db-migrate.ts ./scripts/
COPY --from=build --chown=node:node /app/dist/web ./dist/web
RUN mkdir -p /data && chown -R node:node /data
USER node
EXPOSE 3000
# Ready, not just alive: a draining replica reports unhealthy at once.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node is PID 1's only child of note: no npx wrapper, so SIGTERM reaches the server and it drains (1012, grace period).
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "server/main.ts"]
