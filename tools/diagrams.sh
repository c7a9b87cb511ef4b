#!/usr/bin/env bash
# Renders the diagrams: docs/diagrams/NAME.dot -> docs/img/NAME.svg and NAME.png (make diagrams).
# Figures in a diagram (@NAME@) are filled in from the committed result files first
# (tools/docs_figures.py), so a new `make bench` or `make record-runs` redraws them.
#
#   tools/diagrams.sh [OUT_DIR]      (default docs/img; the deck test renders into a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/img}
command -v dot >/dev/null || { echo "diagrams: Graphviz's dot is missing (tools/install-deps.sh)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for source in docs/diagrams/*.dot; do
  name=$(basename "$source" .dot)
  python3 tools/docs_figures.py fill "$source" "$tmp/$name.dot"
  dot -Tsvg "$tmp/$name.dot" -o "$out/$name.svg"
  # 144 dpi: sharp on a projector and in the deck, which scales pictures to the slide.
  dot -Tpng -Gdpi=144 "$tmp/$name.dot" -o "$out/$name.png"
  echo "diagrams: $out/$name.svg, $out/$name.png"
done
