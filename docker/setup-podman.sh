#!/usr/bin/env bash
# docker/setup-podman.sh: a Docker-compatible engine for the docker module's tests on a machine without Docker.
#
#   docker/setup-podman.sh          install podman (apt), build the local JRE base image, start the API socket
#   docker/setup-podman.sh --stop   stop the API service this script started
#
# Exit 0: unix:///run/podman/podman.sock serves the Docker API and the image localhost/skua-jre:17 exists; use
#   DOCKER_HOST=unix:///run/podman/podman.sock TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
#   SKUA_DOCKER_BASE=localhost/skua-jre:17
# Exit 1: not possible here (not root, no apt, install or build failed); the reason is printed and the docker
#   module's tests skip themselves.
#
# No registry is needed: the base image is a Debian bookworm minbase root file system from the apt mirror this
# machine already uses, plus openjdk-17-jre-headless (debootstrap --include), imported as localhost/skua-jre:17.
# Idempotent: every step is skipped when its result exists, so a rerun takes a few seconds.
set -uo pipefail

SOCK_DIR=/run/podman
SOCK="$SOCK_DIR/podman.sock"
PID_FILE="$SOCK_DIR/skua-podman-service.pid"
LOG_FILE="$SOCK_DIR/skua-podman-service.log"
JRE_IMAGE=localhost/skua-jre:17
SUITE=bookworm

STARTED_PID=""
say() { echo "setup-podman: $*" >&2; }
give_up() {
  say "$* -- the docker module's tests will be skipped"
  if [[ -n "$STARTED_PID" ]]; then kill "$STARTED_PID" 2>/dev/null; rm -f "$PID_FILE"; fi
  exit 1
}

if [[ "${1:-}" == "--stop" ]]; then
  if [[ -f "$PID_FILE" ]] && kill "$(cat "$PID_FILE")" 2>/dev/null; then
    say "stopped the podman API service (pid $(cat "$PID_FILE"))"
  fi
  rm -f "$PID_FILE"
  exit 0
fi

START=$SECONDS
[[ "$(id -u)" == 0 ]] || give_up "needs root (podman as root, debootstrap)"
command -v apt-get >/dev/null 2>&1 || give_up "needs apt-get (a Debian-family machine)"

# --- packages --------------------------------------------------------------------------------------------------
missing=()
for tool in podman:podman runc:runc debootstrap:debootstrap curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
if (( ${#missing[@]} )); then
  say "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" buildah; } \
    >/dev/null 2>&1 || give_up "apt-get install ${missing[*]} failed"
fi

# --- engine configuration: runc, and limits that a JVM with many sockets is happy with ------------------------
conf=/etc/containers/containers.conf.d/skua.conf
if [[ ! -f "$conf" ]]; then
  mkdir -p "$(dirname "$conf")"
  cat >"$conf" <<'EOF'
# Written by skua docker/setup-podman.sh
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF
fi

# --- base image: Debian minbase + JRE 17, from the configured apt mirror --------------------------------------
apt_mirror() {
  local uri
  uri="$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) if ($i !~ /security/) {print $i; exit}}' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
  if [[ -z "$uri" ]]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! podman image exists "$JRE_IMAGE"; then
  mirror="$(apt_mirror)"
  rootfs="$(mktemp -d /var/tmp/skua-rootfs.XXXXXX)"
  say "debootstrap $SUITE (minbase + openjdk-17-jre-headless) from $mirror"
  t0=$SECONDS
  if ! debootstrap --variant=minbase --include=openjdk-17-jre-headless "$SUITE" "$rootfs" "$mirror" \
      >/var/tmp/skua-debootstrap.log 2>&1; then
    tail -20 /var/tmp/skua-debootstrap.log >&2
    rm -rf "$rootfs"
    give_up "debootstrap failed (log: /var/tmp/skua-debootstrap.log)"
  fi
  # Leaner image: no package lists, caches or docs are needed at run time.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$JRE_IMAGE" >/dev/null 2>&1 \
    || { rm -rf "$rootfs"; give_up "podman import failed"; }
  rm -rf "$rootfs"
  say "built $JRE_IMAGE in $((SECONDS - t0)) s"
fi

# --- Docker API socket ------------------------------------------------------------------------------------------
api_up() { curl -fsS --max-time 5 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }
if ! api_up; then
  mkdir -p "$SOCK_DIR"
  rm -f "$SOCK"
  # Detached from our stdout/stderr so that whoever reads them is not kept waiting by the service.
  setsid podman system service --time=0 "unix://$SOCK" </dev/null >"$LOG_FILE" 2>&1 &
  STARTED_PID=$!
  echo "$STARTED_PID" >"$PID_FILE"
  for _ in $(seq 1 50); do
    api_up && break
    sleep 0.2
  done
  api_up || give_up "podman system service did not answer on $SOCK (log: $LOG_FILE)"
fi

# Earlier test images that a rebuild untagged (only ours: Testcontainers labels what it builds).
podman image prune -f --filter label=org.testcontainers=true >/dev/null 2>&1 || true

# --- smoke test: can this machine run a container at all? -------------------------------------------------------
if ! out="$(podman run --rm --network=host "$JRE_IMAGE" java -version 2>&1)"; then
  echo "$out" >&2
  give_up "podman cannot run a container here"
fi

say "ready in $((SECONDS - START)) s: DOCKER_HOST=unix://$SOCK, base image $JRE_IMAGE"
