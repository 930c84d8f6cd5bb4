# shellcheck shell=bash
# Shared shell helpers, sourced by scripts/*.sh and the Makefile (bash only; not run on its own).

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# ensure_debian_packages PKG... — install whichever of PKG... dpkg does not list as installed.
# Debian is where CI and the team's machines run; elsewhere we only say what is needed and let
# the caller find out whether the tools it wants are there some other way.
ensure_debian_packages() {
    local pkg missing=()
    if ! command -v dpkg-query >/dev/null 2>&1; then
        printf 'note: not a Debian system; make sure these (or their equivalents) are installed: %s\n' \
            "$*" >&2
        return 0
    fi
    for pkg in "$@"; do
        [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == *" ok installed" ]] || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0

    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 ||
            die "missing Debian packages and no sudo to install them; ask an administrator to run: apt-get install ${missing[*]}"
        sudo=(sudo)
    fi
    printf 'installing Debian packages: %s\n' "${missing[*]}" >&2

    # Another process (a colleague's test run, unattended upgrades) may hold the dpkg lock: wait
    # for it instead of failing. The package lists are refreshed only when the install fails
    # without it — on a warm machine that saves a minute of network.
    local log rc=0
    log=$(mktemp)
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
        -o DPkg::Lock::Timeout=600)
    "${apt[@]}" install --no-install-recommends "${missing[@]}" >"$log" 2>&1 ||
        { "${apt[@]}" update >>"$log" 2>&1 &&
            "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$log" 2>&1; } ||
        rc=$?
    if ((rc != 0)); then
        cat "$log" >&2
        rm -f "$log"
        die "could not install Debian packages: ${missing[*]} (apt-get output above)"
    fi
    rm -f "$log"
}
