#!/usr/bin/env python3
"""Checks the include graph against the layout (docs/architecture.md, ../shared/STYLE.md).

  tools/check-layers.py [ROOT]

- Layers point one way: a file of domain D includes only D's own headers and those of domains in
  a lower layer (base -> db, redis, http -> telemetry -> catalog, auth -> etl, cache -> api -> cli).
- Pure code (src/vitrina/base/ and every src/vitrina/<domain>/core/) includes only the standard
  library, Boost, base and the cores of its own or a lower domain: no adapter, no I/O library,
  no POSIX header.
- The C headers of outside systems (libpq, hiredis, libcurl, OpenSSL, zlib, yaml-cpp) appear only
  in adapter .cpp files, never in a header.
- Unit tests (tests/unit/<domain>/) include only pure code of their domain or a lower one, and
  the spec loader (catalog/spec_file.hpp) to read the repository's real specs.
- Includes are qualified from the one include root ("vitrina/..."), never relative ("../").

Prints one line per violation and exits 1 when there is any; CMake runs it as a unit test and
`make lint` runs it too. The layer table is the one cmake/VitrinaTarget.cmake checks for links.
"""
import pathlib
import re
import sys

LAYER = {
    "base": 0,
    "db": 1, "redis": 1, "http": 1,
    "telemetry": 2, "identity": 2,
    "catalog": 3, "auth": 3,
    "etl": 4, "cache": 4,
    "api": 5,
    "cli": 6,
}
IO_HEADERS = re.compile(r"^(libpq-fe\.h|hiredis/|curl/|openssl/|zlib\.h|yaml-cpp/)")
STD_HEADER = re.compile(r"^[a-z_0-9]+$")  # <vector>, <string_view>, ...
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def domain_of(path):
    """(domain, pure) of a header path relative to src/vitrina, e.g. 'cache/core/x.hpp'."""
    parts = path.split("/")
    domain = parts[0]
    pure = domain == "base" or (len(parts) > 2 and parts[1] == "core")
    return domain, pure


def check_include(where, domain, pure, target, violations):
    other, other_pure = domain_of(target)
    if other not in LAYER:
        violations.append(f"{where}: includes vitrina/{target}, which is in no known domain")
        return
    if other != domain and LAYER[other] >= LAYER[domain]:
        violations.append(f"{where}: {domain} may not include vitrina/{target} "
                          f"({other} is not in a lower layer)")
    if pure and not other_pure:
        violations.append(f"{where}: pure code may not include the adapter vitrina/{target}")


def check_file(root, path, violations):
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    if rel.startswith("src/vitrina/"):
        domain, pure = domain_of(rel[len("src/vitrina/"):])
        kind = "src"
    elif rel.startswith("tests/unit/"):
        domain, pure, kind = rel.split("/")[2], True, "unit"
    else:
        return
    if domain not in LAYER:
        violations.append(f"{rel}: folder {domain} is not a known domain")
        return
    for line_no, (quote, target) in enumerate(
            ((m.group(1), m.group(2)) for m in INCLUDE.finditer(text)), start=1):
        closing = ">" if quote == "<" else '"'
        where = f"{rel}: #include {quote}{target}{closing}"
        if ".." in target.split("/"):
            violations.append(f"{where}: relative include; use the vitrina/ root")
            continue
        if target.startswith("vitrina/"):
            inner = target[len("vitrina/"):]
            if kind == "unit" and inner == "catalog/spec_file.hpp":
                continue
            check_include(where, domain, pure, inner, violations)
        elif quote == "<":
            if IO_HEADERS.match(target) and (pure or rel.endswith(".hpp")):
                violations.append(f"{where}: outside systems' headers belong in adapter .cpp files")
            elif pure and kind == "src" and not (STD_HEADER.match(target) or target.startswith("boost/")):
                violations.append(f"{where}: pure code includes only the standard library and Boost")
        elif kind == "src":
            violations.append(f"{where}: include from the vitrina/ root")


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[1])
    violations = []
    files = sorted([*root.glob("src/vitrina/**/*.[ch]pp"), *root.glob("tests/unit/**/*.[ch]pp")])
    for path in files:
        check_file(root, path, violations)
    for violation in violations:
        print(violation)
    if violations:
        print(f"check-layers: {len(violations)} violation(s) in {len(files)} files", file=sys.stderr)
        return 1
    print(f"check-layers: {len(files)} files follow the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
