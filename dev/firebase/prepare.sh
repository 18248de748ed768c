#!/usr/bin/env bash
# Prepares the Google Cloud CLI's Firestore and Pub/Sub emulators for `firebase emulators:exec`
# (firebase-tools 15), so it runs them from local files instead of downloading its own.
#
#   bash dev/firebase/prepare.sh [DIR]        # DIR defaults to <repo>/.warden/firebase
#   eval "$(bash dev/firebase/prepare.sh)"    # stdout is only `export` lines; notes go to stderr
#
# Creates files only under DIR, and is idempotent (re-running rewrites nothing that is already current):
#   DIR/cloud-firestore-emulator.jar  a wrapper jar: a manifest only, with Main-Class (the gcloud jar has
#                                     none, and firebase-tools starts Firestore with `java -jar`) and a
#                                     Class-Path pointing at the gcloud Firestore jar
#   DIR/cloud-pubsub-emulator         a script that execs the gcloud Pub/Sub emulator (firebase-tools
#                                     chmods the override path, so it must be a file we own)
#   DIR/env.sh                        the same exports as printed on stdout
#
# Inputs (all optional): CLOUDSDK_ROOT_DIR (the Google Cloud CLI root), WARDEN_JAVA_HOME (a JDK >= 21
# to use; otherwise JAVA_HOME if it is >= 21, otherwise the newest >= 21 under /usr/lib/jvm).

set -euo pipefail

MIN_JAVA=21
FIRESTORE_MAIN=com.google.cloud.datastore.emulator.firestore.CloudFirestore

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/../.." && pwd -P)"

note() { printf 'prepare.sh: %s\n' "$*" >&2; }
die() {
  note "error: $*"
  exit 1
}

out="${1:-$repo/.warden/firebase}"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"

# --- the Google Cloud CLI (same search order as dev/emulators.ts) ---------------------------------
sdk=""
candidates=()
[[ -n "${CLOUDSDK_ROOT_DIR:-}" ]] && candidates+=("$CLOUDSDK_ROOT_DIR")
if gcloud_bin="$(command -v gcloud 2>/dev/null)"; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$gcloud_bin")")")")
fi
candidates+=(/usr/lib/google-cloud-sdk /usr/share/google-cloud-sdk /opt/google-cloud-sdk)
for c in "${candidates[@]}"; do
  if [[ -d "$c/platform" ]]; then
    sdk="$(cd "$c" && pwd -P)"
    break
  fi
done
[[ -n "$sdk" ]] || die "no Google Cloud CLI found (set CLOUDSDK_ROOT_DIR); install it and run:
  gcloud components install cloud-firestore-emulator pubsub-emulator
  (or apt-get install google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator)"

firestore_jar="$sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
pubsub_bin="$sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator"
[[ -f "$firestore_jar" ]] || die "missing $firestore_jar (gcloud components install cloud-firestore-emulator)"
[[ -x "$pubsub_bin" ]] || die "missing $pubsub_bin (gcloud components install pubsub-emulator)"

# --- a JDK >= 21 (firebase-tools 15 refuses to start Java emulators on older ones) -----------------
java_major() { # prints the major version of the java in JDK dir $1, or nothing
  local v
  [[ -x "$1/bin/java" ]] || return 0
  v="$("$1/bin/java" -Duser.language=en -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.[^"]*\)\{0,1\}".*/\1/p' | head -n1)"
  [[ "$v" == 1 ]] && v=8 # "1.8.0_x"
  printf '%s' "$v"
}

java_home=""
for c in "${WARDEN_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
  [[ -n "$c" ]] || continue
  m="$(java_major "$c")"
  if [[ -n "$m" && "$m" -ge "$MIN_JAVA" ]]; then
    java_home="$c"
    break
  fi
  [[ "$c" == "${WARDEN_JAVA_HOME:-}" ]] && die "WARDEN_JAVA_HOME=$c is not a JDK >= $MIN_JAVA (found '${m:-none}')"
done
if [[ -z "$java_home" ]]; then
  best=0
  for c in /usr/lib/jvm/*/; do
    c="$(cd "$c" && pwd -P)"
    m="$(java_major "$c")"
    if [[ -n "$m" && "$m" -ge "$MIN_JAVA" && "$m" -gt "$best" ]]; then
      best="$m"
      java_home="$c"
    fi
  done
fi
[[ -n "$java_home" ]] || die "no JDK >= $MIN_JAVA found (looked at WARDEN_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*); install one, e.g. apt-get install openjdk-21-jdk-headless or temurin-21-jdk"
java_home="$(cd "$java_home" && pwd -P)"
[[ -x "$java_home/bin/jar" ]] || die "$java_home has no bin/jar (a full JDK is needed to build the wrapper jar, not a JRE)"

# --- the Firestore wrapper jar ---------------------------------------------------------------------
# Class-Path entries are URLs (space-separated), so percent-encode what a path may contain.
url_path() { printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/#/%23/g' -e 's/?/%3F/g'; }

wrapper="$out/cloud-firestore-emulator.jar"
manifest="$out/cloud-firestore-emulator.manifest"
# Enable-Native-Access (JDK 22+, ignored before) silences the JVM's warning about netty's native loading.
want="Manifest-Version: 1.0
Main-Class: $FIRESTORE_MAIN
Class-Path: file:$(url_path "$firestore_jar")
Enable-Native-Access: ALL-UNNAMED
"
if [[ ! -f "$wrapper" || ! -f "$manifest" || "$(cat "$manifest")"$'\n' != "$want" ]]; then
  tmp="$(mktemp -d "$out/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  printf '%s' "$want" >"$tmp/manifest"
  # --date makes the jar reproducible (JDK 19+); fall back without it.
  "$java_home/bin/jar" --create --file "$tmp/wrapper.jar" --manifest "$tmp/manifest" --date=2000-01-01T00:00:02Z 2>/dev/null ||
    "$java_home/bin/jar" --create --file "$tmp/wrapper.jar" --manifest "$tmp/manifest"
  mv -f "$tmp/wrapper.jar" "$wrapper"
  mv -f "$tmp/manifest" "$manifest"
  rm -rf "$tmp"
  trap - EXIT
  note "built $wrapper (Main-Class $FIRESTORE_MAIN, Class-Path $firestore_jar)"
fi
chmod 0755 "$wrapper" # firebase-tools chmods it anyway; keep the state stable

# --- the Pub/Sub launcher --------------------------------------------------------------------------
# `exec` all the way down (the gcloud script execs java too), so the SIGINT firebase-tools sends on
# shutdown reaches the JVM itself. If it did not stop within 4 s, firebase-tools would fall back to
# `kill -9` on every process whose command line matches 'pubsub-emulator', including unrelated ones.
launcher="$out/cloud-pubsub-emulator"
launcher_text="#!/usr/bin/env bash
# Generated by dev/firebase/prepare.sh: runs the Google Cloud CLI's Pub/Sub emulator.
export JAVA_HOME=\"\${JAVA_HOME:-$java_home}\"
exec $(printf '%q' "$pubsub_bin") \"\$@\"
"
if [[ ! -f "$launcher" || "$(cat "$launcher")"$'\n' != "$launcher_text" ]]; then
  printf '%s' "$launcher_text" >"$launcher.tmp"
  mv -f "$launcher.tmp" "$launcher"
  note "wrote $launcher"
fi
chmod 0755 "$launcher"

# --- the environment for firebase-tools ------------------------------------------------------------
exports="export JAVA_HOME=$(printf '%q' "$java_home")
export PATH=$(printf '%q' "$java_home/bin"):\"\$PATH\"
export FIRESTORE_EMULATOR_BINARY_PATH=$(printf '%q' "$wrapper")
export PUBSUB_EMULATOR_BINARY_PATH=$(printf '%q' "$launcher")
export NO_UPDATE_NOTIFIER=1
export START_LOGGING_EMULATOR=false"
if [[ ! -f "$out/env.sh" || "$(cat "$out/env.sh")" != "$exports" ]]; then
  printf '%s\n' "$exports" >"$out/env.sh"
fi
note "JDK $java_home (Java $(java_major "$java_home")); Google Cloud CLI $sdk"
printf '%s\n' "$exports"
