# syntax=docker/dockerfile:1
# Build: compile TypeScript to dist/ with the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The backfill's stage processes run dist/scripts/batch_nifty50.js and feed_kafka.js.
COPY scripts ./scripts
RUN npm run build

# Run: production dependencies and the compiled code only, as an unprivileged user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
RUN mkdir -p /app/.tickflow && chown node:node /app/.tickflow
USER node
EXPOSE 9464
VOLUME ["/app/.tickflow"]
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/tickflow.js"]
CMD ["live"]
