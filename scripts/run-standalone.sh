#!/usr/bin/env bash
# `make run` until the local control plane exists: one standalone Shoal node on :8080 with its
# data under .data/standalone, a sample class with a small data set, and a query to try. The node
# stays in the foreground; Ctrl-C stops it gracefully (index snapshots are written on the way out).
# Expects a build in dist/ (make build). Environment variables of the node pass through
# (SHOAL_HTTP_PORT, SHOAL_DATA_DIR, SHOAL_API_KEYS, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

export SHOAL_HTTP_PORT="${SHOAL_HTTP_PORT:-8080}"
export SHOAL_DATA_DIR="${SHOAL_DATA_DIR:-.data/standalone}"
export SHOAL_NODE_NAME="${SHOAL_NODE_NAME:-standalone-0}"
MAIN="${SHOAL_MAIN:-dist/node/main.js}"
URL="http://127.0.0.1:${SHOAL_HTTP_PORT}"
AUTH=()
if [[ -n "${SHOAL_API_KEYS:-}" ]]; then AUTH=(-H "Authorization: Bearer ${SHOAL_API_KEYS%%,*}"); fi

if [[ ! -f "$MAIN" ]]; then echo "run-standalone: $MAIN not found; run 'make build' first" >&2; exit 1; fi

node "$MAIN" &
NODE_PID=$!
# Whatever ends this script (Ctrl-C, an error below) stops the node with it.
stop() { kill -TERM "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 0' INT TERM

# Wait until ready (every shard loaded), or give up if the node died or a minute passed.
for _ in $(seq 1 600); do
  if curl -fs "$URL/v1/.well-known/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$NODE_PID" 2>/dev/null; then echo "run-standalone: the node exited during start" >&2; exit 1; fi
  sleep 0.1
done
curl -fs "$URL/v1/.well-known/ready" >/dev/null || { echo "run-standalone: the node is not ready after 60 s" >&2; exit 1; }

if [[ "$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" "$URL/v1/schema/Article")" != 200 ]]; then
  curl -fsS "${AUTH[@]}" -H 'content-type: application/json' -d @examples/standalone/article-class.json "$URL/v1/schema" >/dev/null
  answer=$(curl -fsS "${AUTH[@]}" -H 'content-type: application/json' -d @examples/standalone/articles.json "$URL/v1/batch/objects")
  failed=$(grep -o '"FAILED"' <<<"$answer" | wc -l || true)
  echo "run-standalone: created class Article and imported the sample articles ($failed failed)"
else
  echo "run-standalone: class Article already exists in $SHOAL_DATA_DIR; kept it"
fi

AUTH_HINT=""
if [[ -n "${SHOAL_API_KEYS:-}" ]]; then AUTH_HINT=" -H 'Authorization: Bearer <key>'"; fi
cat <<MSG

Shoal is running at $URL (data in $SHOAL_DATA_DIR). Try:

  curl -s$AUTH_HINT $URL/v1/graphql -H 'content-type: application/json' -d '{"query":"{Get{Article(nearVector:{vector:[0.9,0.1,0.3,0]},where:{operator:GreaterThan,path:[\"wordCount\"],valueInt:800},limit:3){title wordCount _additional{id distance}}}}"}'

  curl -s$AUTH_HINT '$URL/v1/objects?class=Article&limit=2'
  curl -s$AUTH_HINT '$URL/v1/nodes?output=verbose'

Ctrl-C stops the node.
MSG

wait "$NODE_PID"
