# OrderFlow container image: one image holding all seven executables
# (intake, review, warehouse, logistics, billing, tracking, orderctl).
#
#   docker build -t orderflow .
#   docker run --rm -e ORDERFLOW_BOOTSTRAP_SERVERS=kafka:9092 -v warehouse-data:/data orderflow warehouse
#   docker run --rm orderflow orderctl --help
#
# The program is chosen by the command (compose `command: ["warehouse"]`, Kubernetes
# `args: ["warehouse"]`), or baked in as the default with `--build-arg SERVICE=warehouse`.
# No HEALTHCHECK here: compose and Kubernetes probe /ready and /health themselves.
#
# Deliberately builder-agnostic (no heredocs, no RUN --mount caches), so the classic
# builder used by docker-compose 1.29 builds it as well as BuildKit does.

ARG SWIFT_IMAGE=swift:6.3-noble
ARG RUNTIME_IMAGE=ubuntu:24.04

# ---------------------------------------------------------------------------
# Build stage
# ---------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends librdkafka-dev libsqlite3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependency resolution is its own layer: it is rebuilt only when the manifest or the
# lock file changes, not on every source edit. With a Package.resolved present the
# pinned versions are used as they are (an out-of-date lock file fails the build
# instead of silently resolving something else).
COPY Package.swift Package.resolved* ./
RUN swift package resolve $([ -f Package.resolved ] && echo --force-resolved-versions)

COPY . .

# Release build of every product; the Swift runtime and Foundation are linked in
# statically, so the runtime image needs no Swift toolchain.
RUN swift build -c release --static-swift-stdlib \
 && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
 && mkdir -p /staging/bin \
 && for p in intake review warehouse logistics billing tracking orderctl; do \
      cp "$bin/$p" /staging/bin/ || exit 1; \
    done \
 && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/bin/ \
 && cp deploy/docker/entrypoint.sh /staging/bin/orderflow-entrypoint \
 && chmod 0755 /staging/bin/*

# ---------------------------------------------------------------------------
# Runtime stage
# ---------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

# Runtime libraries only: librdkafka (Ubuntu 24.04 ships 2.3; we need >= 2.1), SQLite,
# CA certificates (TLS to managed Kafka), tzdata, and curl for the compose healthchecks.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends librdkafka1 libsqlite3-0 ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/*

# Fixed numeric ids so that Kubernetes runAsNonRoot / fsGroup can match them.
RUN groupadd --system --gid 10001 orderflow \
 && useradd --system --uid 10001 --gid orderflow --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin orderflow \
 && mkdir -p /data \
 && chown orderflow:orderflow /data \
 && chmod 0750 /data

COPY --from=build /staging/bin/ /usr/local/bin/

# Fail the image build if a shared library the binaries need is missing at runtime.
RUN for p in intake review warehouse logistics billing tracking orderctl; do \
      if ldd "/usr/local/bin/$p" | grep -q 'not found'; then \
        echo "missing runtime library for $p:"; ldd "/usr/local/bin/$p" | grep 'not found'; exit 1; \
      fi; \
    done

# Default program when the container is started without a command (empty: say one).
ARG SERVICE=
ENV ORDERFLOW_SERVICE=${SERVICE} \
    ORDERFLOW_HTTP_HOST=0.0.0.0 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static

# Working directory "/" makes each service's default database path
# (./data/<service>.sqlite) land on the /data volume even when ORDERFLOW_DB_PATH is unset.
WORKDIR /
VOLUME ["/data"]
# HTTP (/health, /ready, /metrics): intake 8081, review 8082, warehouse 8083, logistics 8084, billing 8085;
# tracking 8086 (also its API and web page).
EXPOSE 8081 8082 8083 8084 8085 8086

USER 10001:10001
ENTRYPOINT ["/usr/local/bin/orderflow-entrypoint"]
CMD []
