# Sourced by bin/start and bin/test: make sure .venv exists and holds the given requirements file.
# Reinstalls only when a requirements file changed since the last install.

gb_ensure_venv() {
    local requirements="$1"
    local python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "gbproject needs Python 3.11 or newer: '$python' was not found (set PYTHON=/path/to/python3)." >&2
        exit 1
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "gbproject needs Python 3.11 or newer; $("$python" --version 2>&1) found (set PYTHON=...)." >&2
        exit 1
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "Creating the virtualenv in .venv ..."
        "$python" -m venv .venv
    fi
    local stamp=".venv/.installed-$(basename "$requirements").sha256"
    local wanted
    wanted="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "Installing $requirements ..."
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
        echo "$wanted" > "$stamp"
    fi
}
