# millwatch as a container image: one image, the part it runs chosen by its command
# (`alerts coils dashboard`, `ingest`; no command runs every part). tsx is a runtime
# dependency (millwatch runs its TypeScript as is), so the dev dependencies stay out.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .
# DATA_DIR is a volume: the records (DuckDB), credentials and the InfluxDB spool live there.
RUN mkdir -p /data && chown node:node /data
USER node
ENV DATA_DIR=/data CONFIG_DIR=/app/config HTTP_HOST=0.0.0.0 HTTP_PORT=3000
EXPOSE 3000
ENTRYPOINT ["node", "--import", "tsx", "bin/millwatch.ts"]
CMD []
