# millwatch as a container image: one image, the part it runs chosen by its command
# (`alerts coils dashboard`, `ingest`; no command runs every part). tsx is a runtime
# dependency (millwatch runs its TypeScript as is), so the dev dependencies stay out.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production
# jemalloc for Node's own memory (docs/deployment.md, "Memory"); preloaded below, after the
# build steps.
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .
# DATA_DIR is a volume: the records (DuckDB), credentials and the InfluxDB spool live there.
RUN mkdir -p /data && chown node:node /data
USER node
ENV DATA_DIR=/data CONFIG_DIR=/app/config HTTP_HOST=0.0.0.0 HTTP_PORT=3000
EXPOSE 3000
# jemalloc in place of glibc's malloc: shorter alert latency and event-loop delay under load,
# and freed pages given back as they age (docs/deployment.md, "Memory"). The benchmarks and
# the soak start millwatch with these too.
ENV LD_PRELOAD=libjemalloc.so.2 MALLOC_CONF=background_thread:true
ENTRYPOINT ["node", "--import", "tsx", "bin/millwatch.ts"]
CMD []
