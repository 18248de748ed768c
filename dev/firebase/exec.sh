#!/usr/bin/env bash
# Runs a command under `firebase emulators:exec --only firestore,pubsub --project demo-warden`, with the
# Google Cloud CLI's emulators (see prepare.sh), a JDK >= 21, the Emulator UI off, and nothing downloaded
# except firebase-tools itself from the npm registry (once; npx caches it).
#
#   bash dev/firebase/exec.sh 'npm run test:emulator'     # one argument: a shell command line
#   bash dev/firebase/exec.sh npm run test:emulator       # several: one command, each word kept as is
#
# The command runs in the directory exec.sh was called from, with FIRESTORE_EMULATOR_HOST=127.0.0.1:8705,
# PUBSUB_EMULATOR_HOST=127.0.0.1:8706, GCLOUD_PROJECT=demo-warden (and FIREBASE_EMULATOR_HUB) set by
# firebase-tools; the exit status is the command's. Ports and the UI setting come from <repo>/firebase.json.
# The emulators' logs (firestore-debug.log, pubsub-debug.log) go to WARDEN_FIREBASE_DIR
# (default <repo>/.warden/firebase).
#
# Environment: FIREBASE_TOOLS_VERSION (default below), WARDEN_FIREBASE_DIR, WARDEN_JAVA_HOME,
# CLOUDSDK_ROOT_DIR (see prepare.sh).

set -euo pipefail

FIREBASE_TOOLS_VERSION="${FIREBASE_TOOLS_VERSION:-15.34.2}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/../.." && pwd -P)"

if [[ $# -eq 0 ]]; then
  echo "usage: bash dev/firebase/exec.sh '<command>'   (or: exec.sh <program> [args...])" >&2
  exit 2
fi
# POSIX single-quoting: firebase-tools runs the script with /bin/sh, which may not be bash.
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
if [[ $# -eq 1 ]]; then
  cmd="$1"
else
  cmd=""
  for a in "$@"; do cmd+="$(sq "$a") "; done
fi

caller_cwd="$PWD"
state="${WARDEN_FIREBASE_DIR:-$repo/.warden/firebase}"

# JAVA_HOME, PATH (JDK >= 21 first), FIRESTORE_EMULATOR_BINARY_PATH, PUBSUB_EMULATOR_BINARY_PATH,
# NO_UPDATE_NOTIFIER, START_LOGGING_EMULATOR. (Assigned first so that a failing prepare.sh stops us.)
exports="$(bash "$here/prepare.sh" "$state")"
eval "$exports"

# The repo's pinned Node (24; the Google client libraries need >= 22) for firebase-tools and the command.
if [[ -x "$repo/node_modules/.bin/node" ]]; then
  export PATH="$repo/node_modules/.bin:$PATH"
fi

# firebase-tools starts its own emulators and sets these for the command; stale outer values only confuse.
unset FIRESTORE_EMULATOR_HOST PUBSUB_EMULATOR_HOST FIREBASE_EMULATOR_HUB

# firebase-tools runs the script with `sh -c`; run it where exec.sh was called from.
script="cd $(sq "$caller_cwd") || exit 1
$cmd"

# firebase-tools writes its emulators' logs into its working directory: keep them out of the tree.
state="$(cd "$state" && pwd -P)"
cd "$state"
exec npx --yes --prefer-offline "firebase-tools@$FIREBASE_TOOLS_VERSION" emulators:exec \
  --config "$repo/firebase.json" \
  --project demo-warden \
  --only firestore,pubsub \
  --non-interactive \
  "$script"
