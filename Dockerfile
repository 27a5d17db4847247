# kube-api-exporter image: `docker build -t kube-api-exporter:0.1.0 .` (README "Install on a cluster").

# Build stage: dev dependencies (TypeScript) compile src/ to dist/; the demo and its simulated API server are left out.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && rm -r dist/demo

# Runtime stage: production dependencies and the compiled output only, as the unprivileged `node` user (uid 1000,
# numeric so that Kubernetes' runAsNonRoot can verify it).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER 1000:1000
EXPOSE 8080
# --disable-sigusr1 (Node >= 22.14): SIGUSR1 cannot open the inspector, whatever the code does.
ENTRYPOINT ["node", "--disable-sigusr1", "dist/main.js"]
