# Vitrina's container image: a two-stage build from Debian packages only (no vcpkg, no downloads
# besides apt), so it builds the same here, in CI and in Azure Container Registry (`az acr build`).
#
#   docker build -t vitrina:latest .
#   docker run --rm -p 8080:8080 --env-file .env vitrina:latest
#
# deploy/docker/smoke.sh builds it, pushes it to a local registry, pulls it back, runs it against
# the local services and checks the API (docs/deploy.md has the figures).
#
# The image serves the API by default; the same binary runs the ETL and migrations:
#   docker run --rm --env-file .env vitrina:latest migrate
#   docker run --rm --env-file .env vitrina:latest etl run --spec /app/datasets/diamonds.yaml az://datasets/diamonds.csv

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libpq-dev libhiredis-dev \
      libssl-dev libcurl4-openssl-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev \
      zlib1g-dev libbrotli-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake ./cmake
COPY src ./src
# JOBS caps the compile jobs (docker build --build-arg JOBS=2 on a small shared machine).
ARG JOBS=
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DVITRINA_BUILD_TESTS=OFF \
 && ninja -C build ${JOBS:+-j "$JOBS"} vitrina \
 && strip build/src/vitrina

FROM debian:bookworm-slim
# Shared libraries only (no -dev packages, no compiler); curl for the HEALTHCHECK.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl libboost-json1.81.0 libboost-url1.81.0 libpq5 libhiredis0.14 libssl3 \
      libcurl4 libyaml-cpp0.7 libspdlog1.10 libfmt9 zlib1g libbrotli1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 vitrina \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin vitrina
WORKDIR /app
COPY --from=build /src/build/src/vitrina /usr/local/bin/vitrina
COPY migrations ./migrations
COPY datasets ./datasets
# Swagger UI's static files (npm swagger-ui-dist), so /docs works with no internet: only the six
# the server serves (src/vitrina/api/docs_handlers.cpp), 2 MB instead of the package's 12 MB.
COPY tools/node/node_modules/swagger-ui-dist/swagger-ui.css \
     tools/node/node_modules/swagger-ui-dist/index.css \
     tools/node/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
     tools/node/node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
     tools/node/node_modules/swagger-ui-dist/favicon-16x16.png \
     tools/node/node_modules/swagger-ui-dist/favicon-32x32.png \
     tools/node/node_modules/swagger-ui-dist/LICENSE \
     ./docs-ui/
# The web console served at / (src/console: HTML, CSS, ES modules; no npm package, nothing
# fetched at run time).
COPY src/console ./console
ENV HOST=0.0.0.0 \
    PORT=8080 \
    VITRINA_ENV=production \
    DATASET_SPEC=/app/datasets/diamonds.yaml \
    MIGRATIONS_DIR=/app/migrations \
    DOCS_DIR=/app/docs-ui \
    CONSOLE_DIR=/app/console
# Numeric, so orchestrators that require a non-root user (runAsNonRoot) can verify it.
USER 10001:10001
EXPOSE 8080
# For `docker run` and Compose; Azure Container Apps ignores it and uses its own probes
# (docs/deploy.md).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["/usr/local/bin/vitrina"]
CMD ["serve"]
