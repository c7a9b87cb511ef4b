#!/usr/bin/env python3
"""The deck opens in LibreOffice Impress with every slide and every picture, and what is committed
is what the sources make today.

    presentation_test.py SOURCE_DIR

1. `tools/slides.sh` builds the deck into a temporary folder from the committed sources and
   results; the committed docs/presentation.pptx must hold the same slides, text and notes and
   pictures of the same names (else: run make slides).
   The same for the diagrams: docs/img/*.svg must be what tools/diagrams.sh renders now.
2. LibreOffice converts the fresh deck to PDF (soffice --headless, its own profile folder so it
   runs beside other instances); the PDF has one page per slide of the Markdown (the title slide
   plus one per level-1 heading), and a picture on exactly the pages whose slide has one
   (pdfimages -list), and the .pptx embeds every picture the Markdown names.

A missing tool (pandoc, dot, soffice, pdfinfo, pdfimages) fails the test: `make test` installs
them (tools/install-deps.sh), and a deck check that skips itself would prove nothing.
Standard library only.
"""

import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

TOOLS = ["pandoc", "dot", "soffice", "pdfinfo", "pdfimages"]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(args, cwd, timeout=300):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        fail(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def slides_of(markdown):
    """Per slide (title first), the pictures it shows; fenced code and comments are not slides."""
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    slides = [[]]  # the title slide, from the YAML metadata
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("# "):
            slides.append([])
        elif not fenced:
            slides[-1] += IMAGE.findall(line)
    return slides


def deck_differences(fresh, committed):
    """Entries that differ. Pictures count by name only: screenshots may be taken again with other
    bytes. A stale diagram is caught through its SVG (check_committed), a stale chart through the
    slides' text, which quotes the same make bench."""
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(committed) as b:
        names = sorted(set(a.namelist()) | set(b.namelist()))
        return [n for n in names if n not in a.namelist() or n not in b.namelist()
                or (not n.startswith("ppt/media/") and a.read(n) != b.read(n))]


def check_committed(root, tmp):
    fresh_deck = os.path.join(tmp, "presentation.pptx")
    filled = os.path.join(tmp, "presentation.md")
    run([os.path.join(root, "tools", "slides.sh"), fresh_deck, filled], root)
    stale = deck_differences(fresh_deck, os.path.join(root, "docs", "presentation.pptx"))
    if stale:
        fail("docs/presentation.pptx is not what the sources and results make now (" +
             ", ".join(stale[:5]) + "): run make slides")
    img = os.path.join(tmp, "img")
    run([os.path.join(root, "tools", "diagrams.sh"), img], root)
    for name in sorted(os.listdir(img)):
        if name.endswith(".svg") and not filecmp.cmp(os.path.join(img, name),
                                                     os.path.join(root, "docs", "img", name), shallow=False):
            fail(f"docs/img/{name} is not what docs/diagrams/ renders now: run make diagrams")
    return fresh_deck, filled


def check_pptx(deck, slides):
    with zipfile.ZipFile(deck) as archive:
        names = archive.namelist()
    pptx_slides = [n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
    media = [n for n in names if n.startswith("ppt/media/")]
    if len(pptx_slides) != len(slides):
        fail(f"the .pptx has {len(pptx_slides)} slides, the Markdown {len(slides)}")
    pictures = {p for slide in slides for p in slide}
    if len(media) < len(pictures):
        fail(f"the .pptx embeds {len(media)} pictures, the Markdown names {len(pictures)}")
    return len(media)


def check_pdf(root, deck, tmp, slides):
    profile = "file://" + os.path.join(tmp, "lo-profile")
    run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", tmp, deck], root, timeout=600)
    pdf = os.path.splitext(deck)[0] + ".pdf"
    if not os.path.exists(pdf):
        fail("soffice wrote no PDF")
    pages = int(re.search(r"^Pages:\s+(\d+)", run(["pdfinfo", pdf], root), re.M).group(1))
    if pages != len(slides):
        fail(f"the PDF has {pages} pages, the deck {len(slides)} slides")
    listed = run(["pdfimages", "-list", pdf], root).splitlines()[2:]
    with_images = sorted({int(line.split()[0]) for line in listed if line.strip()})
    expected = [number for number, pictures in enumerate(slides, 1) if pictures]
    if with_images != expected:
        fail(f"pictures on PDF pages {with_images}, expected on {expected}")
    return pages, len(listed)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = os.path.abspath(sys.argv[1])
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        fail("missing " + ", ".join(missing) + ": run tools/install-deps.sh")
    with tempfile.TemporaryDirectory(prefix="vitrina-deck-") as tmp:
        deck, filled = check_committed(root, tmp)
        with open(filled, encoding="utf-8") as source:
            slides = slides_of(source.read())
        media = check_pptx(deck, slides)
        pages, images = check_pdf(root, deck, tmp, slides)
    print(f"ok: {pages} slides, {media} pictures embedded, {images} drawn on "
          f"{sum(1 for s in slides if s)} pages; committed deck and diagrams up to date")


if __name__ == "__main__":
    main()
