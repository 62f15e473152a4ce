"""``infoshare spec-site build --out DIR``: build the published site of the profile.

See docs/adr/0016-published-profile-site.md. The site, its PDFs and
``build-info.json`` are written to DIR (default ``build/spec-site``); a node
configured with ``[spec_site] folder = DIR`` serves it at ``/spec/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from infoshare.cli._exit import ExitCode

DEFAULT_OUT = Path("build") / "spec-site"


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "spec-site",
        help="build the profile's published site, its PDF and the brief",
        description="Build the published site of the profile (HTML, the whole profile as a"
        " PDF, the two-page brief) with no warning and no broken link allowed.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the site into a folder")
    build.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"the folder to write the site into, replaced if it holds a site"
        f" (default: {DEFAULT_OUT})",
    )
    build.add_argument(
        "--chromium",
        help="the Chromium binary that prints the PDFs (default: $INFOSHARE_CHROMIUM or chromium)",
    )
    build.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    from infoshare.spec_site import build_site

    result = build_site(args.out, chromium=args.chromium)
    sys.stdout.write(
        f"built the site of profile {result.release.version} ({result.release.date}) in"
        f" {result.out}: {result.pages} pages, {result.links} links checked, none broken\n"
    )
    for pdf in result.pdfs:
        sys.stdout.write(f"  {pdf}\n")
    return int(ExitCode.OK)
