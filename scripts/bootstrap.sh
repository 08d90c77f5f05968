# Sourced by scripts/run.sh and scripts/test.sh: finds Python >= 3.12, makes .venv and installs
# the locked dependencies into it (again only when the lock file changed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

find_python() {
  local candidate path version
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$candidate" ] || continue
    path="$(command -v "$candidate" 2>/dev/null)" || continue
    if python_ok "$path"; then echo "$path"; return 0; fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare 2>/dev/null | sort -rV); do
      path="$(pyenv root)/versions/$version/bin/python"
      if [ -x "$path" ] && python_ok "$path"; then echo "$path"; return 0; fi
    done
  fi
  return 1
}

ensure_venv() {
  local lock="$1" python stamp
  if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
    if ! python="$(find_python)"; then
      echo "error: this project needs Python 3.12 or newer, and none was found." >&2
      echo "       Install one (e.g. 'pyenv install 3.12') or point PYTHON at it: PYTHON=/path/to/python3.12 $0" >&2
      exit 1
    fi
    echo "==> Creating .venv with $python ($("$python" --version))"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-$(basename "$lock")"
  if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
    echo "==> Installing locked dependencies from ${lock#"$ROOT"/}"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
    cp "$lock" "$stamp"
  fi
}
