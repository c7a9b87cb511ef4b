#!/usr/bin/env python3
"""Writes the deck's reference document: pandoc's own default .pptx with smaller type.

    slides_reference.py OUT.pptx

Pandoc's default body text (24 pt) lets a five-bullet slide run off the bottom, and LibreOffice
does not shrink it. Every font size in the slide master and layouts is scaled by SCALE instead of
committing a binary template; the rest (16:9, layouts, colours) stays pandoc's. The zip entries
keep their order and get a fixed date, so the same pandoc gives the same bytes. Standard library only.
"""

import io
import re
import subprocess
import sys
import zipfile

SCALE = 0.78
STYLED = re.compile(r"ppt/(slideMasters|slideLayouts)/[^/]+\.xml")


def smaller(match):
    """sz is in hundredths of a point; whole points, 6 pt at least."""
    return b'sz="%d"' % max(600, round(int(match.group(1)) * SCALE / 100) * 100)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    default = subprocess.run(["pandoc", "--print-default-data-file", "reference.pptx"],
                             check=True, capture_output=True).stdout
    with zipfile.ZipFile(io.BytesIO(default)) as source, \
            zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if STYLED.fullmatch(info.filename):
                data = re.sub(rb'sz="(\d+)"', smaller, data)
            # Pandoc stamps its default's entries with the current time; a fixed one keeps the
            # deck's bytes a function of its inputs (the deck test compares them).
            info.date_time = (2000, 1, 1, 0, 0, 0)
            target.writestr(info, data)


if __name__ == "__main__":
    main()
