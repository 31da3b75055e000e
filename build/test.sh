#!/usr/bin/env bash
# Runs LabelHub's whole test suite on a fresh Debian 12 machine (as root or a sudo user):
# installs what is missing, builds, checks migrations, compose file and formatting, runs every test,
# and ends with one summary line "N passed, N failed[, N skipped]".
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

solution="LabelHub.sln"
configuration="Release"
artifacts_dir="$repo_root/artifacts"
test_results_dir="$artifacts_dir/test-results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DEBIAN_FRONTEND=noninteractive
# Only registries are reachable: Playwright must use Debian's chromium, never download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PLAYWRIGHT_BROWSERS_PATH=0
# Where tests may put screenshots and other evidence.
export LABELHUB_ARTIFACTS_DIR="$artifacts_dir"

step() {
    echo
    echo "==> $*"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

compose() {
    if docker compose version >/dev/null 2>&1; then
        docker compose "$@"
    else
        docker-compose "$@"
    fi
}

install_missing_packages() {
    local wanted=(postgresql chromium fonts-liberation fonts-noto-cjk)
    # Either Compose works for the config check; Debian only ships the standalone one.
    if ! docker compose version >/dev/null 2>&1; then
        wanted+=(docker-compose)
    fi

    local missing=()
    local package
    for package in "${wanted[@]}"; do
        if ! is_installed "$package"; then
            missing+=("$package")
        fi
    done

    if [ "${#missing[@]}" -eq 0 ]; then
        echo "All Debian packages present."
        return
    fi

    echo "Installing: ${missing[*]}"
    as_root apt-get update
    # Recommends would pull in a desktop's worth of packages; the fonts chromium needs
    # (Latin, and CJK for Korean text) are named above instead.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    # Debian's package may create and start its own cluster on port 5432. It is left alone:
    # the test fixture runs a private server on a free port of its own.
}

# Prints "N passed, N failed[, N skipped]" summed over every trx file; fails if none ran.
summarize_test_results() {
    local trx_files=("$test_results_dir"/*.trx)
    if [ ! -e "${trx_files[0]}" ]; then
        echo "No test results (trx) were written to $test_results_dir."
        echo "0 passed, 0 failed"
        return 1
    fi

    # xunit's skipped tests count in "total" but not in "executed" (notExecuted stays 0).
    local counts
    counts="$(grep -ho '<Counters [^>]*>' "${trx_files[@]}" | awk '
        function attr(name,    m) {
            return match($0, " " name "=\"[0-9]+\"") ? substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 4) + 0 : 0
        }
        {
            total += attr("total"); executed += attr("executed"); passed += attr("passed")
            failed += attr("failed") + attr("error") + attr("timeout") + attr("aborted")
        }
        END { print executed, passed, failed, total - executed }')"

    local executed passed failed skipped
    read -r executed passed failed skipped <<<"$counts"

    local summary="$passed passed, $failed failed"
    if [ "$skipped" -gt 0 ]; then
        summary+=", $skipped skipped"
    fi

    # The summary is the closing line, so anything else is said first.
    if [ "$executed" -eq 0 ]; then
        echo "No test ran."
    fi
    echo "$summary"
    [ "$executed" -gt 0 ] && [ "$failed" -eq 0 ]
}

main() {
    step "Debian packages"
    install_missing_packages
    # Browser tests launch this binary (Playwright ExecutablePath) instead of a downloaded build.
    LABELHUB_CHROMIUM_PATH="${LABELHUB_CHROMIUM_PATH:-$(command -v chromium || true)}"
    export LABELHUB_CHROMIUM_PATH

    if [ -f .config/dotnet-tools.json ]; then
        step "dotnet tool restore"
        dotnet tool restore
    fi

    step "Build ($configuration)"
    dotnet build "$solution" -c "$configuration"

    step "Pending EF Core model changes"
    local context
    for context in SqliteLabelHubDbContext PostgresLabelHubDbContext; do
        echo "-- $context"
        dotnet ef migrations has-pending-model-changes \
            --project src/LabelHub.Domain --startup-project src/LabelHub.Domain \
            --context "$context" --no-build --configuration "$configuration"
    done

    step "docker-compose.yml"
    if [ -f docker-compose.yml ]; then
        compose -f docker-compose.yml config -q
        echo "docker-compose.yml is valid."
    else
        echo "No docker-compose.yml; skipped."
    fi

    step "Formatting (dotnet format --verify-no-changes)"
    dotnet format "$solution" --verify-no-changes --no-restore

    step "Tests"
    rm -rf "$test_results_dir"
    mkdir -p "$test_results_dir"
    local test_exit=0
    # The browser tests run on their own, after the others: sharing two cores with PostgreSQL servers and model
    # training, a browser's clicks and focus changes can outwait the tests' timeouts.
    dotnet test "$solution" -c "$configuration" --no-build \
        --filter "FullyQualifiedName!~LabelHub.E2E" \
        --results-directory "$test_results_dir" \
        --logger "trx" --logger "console;verbosity=normal" || test_exit=$?
    dotnet test tests/LabelHub.E2E/LabelHub.E2E.csproj -c "$configuration" --no-build \
        --results-directory "$test_results_dir" \
        --logger "trx" --logger "console;verbosity=normal" || test_exit=$?

    echo
    local summary_exit=0
    summarize_test_results || summary_exit=$?
    if [ "$test_exit" -ne 0 ] || [ "$summary_exit" -ne 0 ]; then
        exit 1
    fi
}

main "$@"
