#!/bin/sh
# Entrypoint of the OrderFlow image: one image, seven programs
# (intake, review, warehouse, logistics, billing, tracking, orderctl), all on PATH.
#
#   docker run IMAGE warehouse [flags...]   runs that program (or any other command, e.g. sh)
#   docker run IMAGE [--flag ...]           runs $ORDERFLOW_SERVICE, baked in with
#                                           `docker build --build-arg SERVICE=warehouse`
#
# The program is exec'ed, so it runs as PID 1 and receives SIGTERM itself
# (the services handle SIGTERM/SIGINT through swift-service-lifecycle).
set -eu

case "${1:-}" in
  "" | -*)
    if [ -z "${ORDERFLOW_SERVICE:-}" ]; then
      echo "orderflow: say which program to run: intake, review, warehouse, logistics, billing, tracking or orderctl" >&2
      echo "  e.g. 'docker run IMAGE warehouse', compose 'command: [\"warehouse\"]'," >&2
      echo "  or build the image with --build-arg SERVICE=warehouse" >&2
      exit 64
    fi
    exec "$ORDERFLOW_SERVICE" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
