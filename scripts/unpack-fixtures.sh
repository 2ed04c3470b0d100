#!/usr/bin/env bash
# Unpacks the committed test fixtures (Tests/Fixtures/*.tar.xz) into .fixtures/ once.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.fixtures/.stamp
if [ -f "$stamp" ] && [ -z "$(find Tests/Fixtures -newer "$stamp" -type f | head -n 1)" ]; then
  exit 0
fi
rm -rf .fixtures && mkdir -p .fixtures
for a in Tests/Fixtures/*.tar.xz; do tar -xJf "$a" -C .fixtures; done
xz -dc Tests/Fixtures/xlmr-250k-tokenizer.json.xz > .fixtures/tokenizer/xlmr-250k/tokenizer.json
chmod -R u+w .fixtures
touch "$stamp"
