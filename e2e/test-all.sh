#!/usr/bin/env bash
# The whole test suite, from a fresh clone: Debian packages, npm ci, build, lint, type checks,
# unit + component tests, the lab NAS suites (root), browser e2e, Electron e2e (skips without
# its binary), and a final check that the lab left nothing behind.
set -uo pipefail
cd "$(dirname "$0")/.."
out=e2e/output
mkdir -p "$out"
rm -f "$out"/vitest-*.json "$out"/playwright.json "$out"/flaky.txt
failures=()

step() {
  local name=$1
  shift
  printf '\n=== %s\n' "$name" >&2
  local started=$SECONDS
  if "$@"; then
    printf '=== %s: ok (%ss)\n' "$name" $((SECONDS - started)) >&2
  else
    printf '=== %s: FAILED (%ss)\n' "$name" $((SECONDS - started)) >&2
    failures+=("$name")
  fi
}

is_root() { [ "$(id -u)" = 0 ]; }

# 1. Debian packages (keytar's build needs libsecret-1-dev before npm ci; the lab needs its servers).
if is_root; then
  bash e2e/lab/install-deps.sh || { echo "installing Debian packages failed" >&2; exit 1; }
else
  echo "not root: skipping Debian package install (run as root on a fresh machine)" >&2
fi

# 2. npm: offline node-gyp headers where Debian ships them; no Electron download where GitHub is unreachable.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
if ! timeout 5 getent hosts github.com >/dev/null 2>&1; then export ELECTRON_SKIP_BINARY_DOWNLOAD=1; fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci || { echo "npm ci failed" >&2; exit 1; }
fi

step build npm run build
step lint npm run lint
step typecheck npm run typecheck
step "unit + component tests" npx vitest run --project unit --project renderer \
  --reporter=default --reporter=json --outputFile.json="$out/vitest-unit.json"
if is_root; then
  # A lab left over by a crashed run would hold addresses and loop devices: clear it first.
  npx tsx e2e/lab/cli.ts down --all >&2 || true
  step "lab NAS tests" npx vitest run --project lab \
    --reporter=default --reporter=json --reporter=./e2e/support/flaky-reporter.ts --outputFile.json="$out/vitest-lab.json"
else
  echo "SKIPPED lab NAS tests: they need root (network namespaces, loop devices)" >&2
fi
step "browser + Electron e2e" npx playwright test -c e2e/playwright.config.ts
if is_root; then
  step "lab leaves nothing behind" npx tsx e2e/lab/cli.ts check-clean --all
fi

node e2e/summary.mjs "$out" || true
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED steps: %s\n' "${failures[*]}" >&2
  exit 1
fi
