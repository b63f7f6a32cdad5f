#!/usr/bin/env bash
# build-images.sh — build Shoal's two container images from the repository root.
#
#   scripts/build-images.sh [node|operator]...      (default: both)
#
# Builder: docker when a docker engine answers (`docker info`), else rootful podman prepared by
# scripts/container-env.sh (installs podman and a local stand-in for the node:22-bookworm-slim
# base image; needs root). Force one with SHOAL_IMAGE_BUILDER=docker|podman.
#
# Environment:
#   SHOAL_IMAGE_REPO      registry/owner prefix   (default ghcr.io/shoal-dev)
#   SHOAL_IMAGE_TAG       tag of both images      (default: "version" of package.json)
#   SHOAL_IMAGE_BUILDER   docker | podman         (default: detected as above)
#
# Images: $SHOAL_IMAGE_REPO/shoal:$TAG (node/Dockerfile) and $SHOAL_IMAGE_REPO/shoal-operator:$TAG
# (operator/Dockerfile). The OCI labels version, revision (git commit, "-dirty" when the tree
# has changes) and created are passed as build arguments. container-env.sh's `build` takes no
# build arguments, so for podman they are written into a temporary copy of the Dockerfile, as
# the ARG defaults and straight into the LABEL text: buildah's layer cache keys on the
# instruction text, so a LABEL naming ${SHOAL_CREATED} would be reused with a stale value. Every
# stage before the labels keeps its cache.
set -euo pipefail
cd "$(dirname "$0")/.."

repo=${SHOAL_IMAGE_REPO:-ghcr.io/shoal-dev}
version=$(node -p 'require("./package.json").version')
tag=${SHOAL_IMAGE_TAG:-$version}
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain 2>/dev/null | head -1)" ]; then revision+=-dirty; fi
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)

builder=${SHOAL_IMAGE_BUILDER:-}
if [ -z "$builder" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then builder=docker; else builder=podman; fi
fi
case "$builder" in
  docker|podman) ;;
  *) echo "build-images: SHOAL_IMAGE_BUILDER must be docker or podman, got '$builder'" >&2; exit 2 ;;
esac

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(node operator)

image_of() {
  case "$1" in
    node) echo "$repo/shoal:$tag" ;;
    operator) echo "$repo/shoal-operator:$tag" ;;
    *) echo "build-images: unknown image '$1' (expected node or operator)" >&2; exit 2 ;;
  esac
}

if [ "$builder" = podman ]; then
  scripts/container-env.sh prepare
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
fi

for target in "${targets[@]}"; do
  image=$(image_of "$target")
  dockerfile=$target/Dockerfile
  echo "build-images: $builder build $dockerfile -> $image"
  start=$SECONDS
  if [ "$builder" = docker ]; then
    docker build -f "$dockerfile" -t "$image" \
      --build-arg SHOAL_VERSION="$version" --build-arg SHOAL_REVISION="$revision" --build-arg SHOAL_CREATED="$created" .
  else
    sed -e "s|^ARG SHOAL_VERSION=.*|ARG SHOAL_VERSION=$version|" \
        -e "s|^ARG SHOAL_REVISION=.*|ARG SHOAL_REVISION=$revision|" \
        -e "s|^ARG SHOAL_CREATED=.*|ARG SHOAL_CREATED=$created|" \
        -e "s|\${SHOAL_VERSION}|$version|g; s|\${SHOAL_REVISION}|$revision|g; s|\${SHOAL_CREATED}|$created|g" \
        "$dockerfile" > "$tmp/$target.Dockerfile"
    scripts/container-env.sh build . "$image" "$tmp/$target.Dockerfile"
  fi
  echo "build-images: built $image in $((SECONDS - start)) s"
done

for target in "${targets[@]}"; do
  image=$(image_of "$target")
  if [ "$builder" = docker ]; then size=$(docker image inspect -f '{{.Size}}' "$image")
  else size=$(scripts/container-env.sh podman image inspect -f '{{.Size}}' "$image"); fi
  echo "build-images: $image $((size / 1000000)) MB"
done
