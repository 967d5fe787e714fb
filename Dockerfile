# The reference server as an image: dependencies installed at build time, the server as PID 1, so
# `docker stop` (SIGTERM) reaches it and it closes gracefully.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib lib
COPY server server
COPY bench bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json credentials.json ./
RUN mkdir data && chown node:node data
USER node
EXPOSE 8000
ENTRYPOINT ["node", "dist/server/main.js"]
CMD ["--host", "0.0.0.0"]
