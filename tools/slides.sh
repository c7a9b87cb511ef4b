#!/usr/bin/env bash
# Writes the deck (make slides): docs/slides/presentation.md with its figures filled in from the
# committed result files (tools/docs_figures.py), then pandoc's PowerPoint writer. Pictures come
# from docs/img/ (make diagrams, make bench). The same inputs give the same bytes: timestamps
# inside the file are those of the newest figures (SOURCE_DATE_EPOCH), not the time of the run.
#
#   tools/slides.sh [OUT.pptx] [FILLED.md]     (defaults docs/presentation.pptx; no filled copy)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/presentation.pptx}
filled=${2:-}
command -v pandoc >/dev/null || { echo "slides: pandoc is missing (tools/install-deps.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 tools/docs_figures.py fill docs/slides/presentation.md "$tmp/presentation.md"
python3 tools/slides_reference.py "$tmp/reference.pptx"
[[ -z $filled ]] || cp "$tmp/presentation.md" "$filled"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
# --resource-path: the Markdown names pictures relative to docs/, as the docs themselves do.
SOURCE_DATE_EPOCH=$(python3 tools/docs_figures.py epoch) \
  pandoc "$tmp/presentation.md" --from markdown --to pptx --slide-level=1 \
  --reference-doc="$tmp/reference.pptx" --resource-path=docs -o "$out_abs"
echo "slides: $out ($(grep -c '^# ' "$tmp/presentation.md") slides after the title)"
