# Vitrina's container image: a two-stage build from Debian packages only (no vcpkg, no downloads
# besides apt), so it builds the same here, in CI and in Azure Container Registry (`az acr build`).
#
#   docker build -t vitrina:latest .
#   docker run --rm -p 8080:8080 --env-file .env vitrina:latest
#
# The image serves the API by default; the same binary runs the ETL and migrations:
#   docker run --rm --env-file .env vitrina:latest migrate
#   docker run --rm --env-file .env vitrina:latest etl run --spec datasets/diamonds.yaml az://datasets/diamonds.csv

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libpq-dev libhiredis-dev \
      libssl-dev libcurl4-openssl-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev \
      zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake ./cmake
COPY src ./src
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DVITRINA_BUILD_TESTS=OFF \
 && ninja -C build vitrina \
 && strip build/src/vitrina

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libboost-json1.81.0 libboost-url1.81.0 libpq5 libhiredis0.14 libssl3 \
      libcurl4 libyaml-cpp0.7 libspdlog1.10 libfmt9 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app vitrina
WORKDIR /app
COPY --from=build /src/build/src/vitrina /usr/local/bin/vitrina
COPY migrations ./migrations
COPY datasets ./datasets
# Swagger UI's static files (npm swagger-ui-dist), so /docs works with no internet.
COPY tools/node/node_modules/swagger-ui-dist ./docs-ui
ENV HOST=0.0.0.0 \
    PORT=8080 \
    VITRINA_ENV=production \
    DATASET_SPEC=/app/datasets/diamonds.yaml \
    MIGRATIONS_DIR=/app/migrations \
    DOCS_DIR=/app/docs-ui
USER vitrina
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/vitrina"]
CMD ["serve"]
