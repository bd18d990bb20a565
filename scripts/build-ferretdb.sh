#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (SQLite backend) into .tools/bin/ferretdb.
# A plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` produces a binary that
# panics at start ("Invalid build/version/version.txt file content"): the module on the proxy lacks
# the generated version file. So we fetch the same module with the Go toolchain, add that file,
# and build the same command from it.
set -euo pipefail
VERSION=v1.24.2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin/ferretdb"
if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
  exit 0
fi
command -v go >/dev/null || { echo "Go is required to build FerretDB: install Go (https://go.dev/dl) or set MONGODB_URI." >&2; exit 1; }
export GOFLAGS=-mod=mod
SRC_DIR="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -n "$SRC_DIR" && -d "$SRC_DIR" ]] || { echo "could not download FerretDB $VERSION" >&2; exit 1; }
WORK="$ROOT/.tools/src/ferretdb-$VERSION"
rm -rf "$WORK"; mkdir -p "$(dirname "$WORK")"
cp -R "$SRC_DIR" "$WORK"; chmod -R u+w "$WORK"
echo "$VERSION" > "$WORK/build/version/version.txt"
echo "unknown" > "$WORK/build/version/commit.txt"
echo "unknown" > "$WORK/build/version/branch.txt"
echo "safegrade-local" > "$WORK/build/version/package.txt"
mkdir -p "$ROOT/.tools/bin"
(cd "$WORK" && go build -trimpath -buildvcs=false -o "$BIN" ./cmd/ferretdb)
"$BIN" --version >/dev/null
echo "FerretDB $VERSION built at $BIN"
