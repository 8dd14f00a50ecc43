"""The verification link of a result document: its QR code and its printed lines.

A verification URL is printed whole on one line when it fits; a longer one is wrapped only
after a ``/``, ``?`` or ``&``, so its query (the code) is never split.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import segno

QUIET_ZONE = 4  # modules of light margin around the symbol, as the QR standard asks
_BREAK_AFTER = re.compile(r"(?<=[/?&])(?!/)")  # not inside the "//" of "https://"


def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url``: error correction level M (15% of it may be lost) or higher
    when that fits in the same size."""
    return segno.make_qr(url, error="m")


def dark_runs(code: segno.QRCode) -> list[tuple[int, int, int]]:
    """The dark modules as runs ``(row, column, length)`` along each row (no quiet zone)."""
    runs = []
    for row, modules in enumerate(code.matrix):
        column = 0
        while column < len(modules):
            if not modules[column]:
                column += 1
                continue
            start = column
            while column < len(modules) and modules[column]:
                column += 1
            runs.append((row, start, column - start))
    return runs


def qr_svg(url: str, title: str) -> str:
    """The QR code of ``url`` as an inline ``<svg>`` element (no external reference)."""
    return str(
        qr_code(url).svg_inline(
            scale=1,
            border=QUIET_ZONE,
            omitsize=True,
            svgclass="qr",
            lineclass=None,
            dark="#000",
            light="#fff",
            title=title,
        )
    )


def url_pieces(url: str) -> list[str]:
    """``url`` cut after each ``/``, ``?`` and ``&``: the only places it may wrap."""
    return [piece for piece in _BREAK_AFTER.split(url) if piece]


def url_lines(url: str, width_of: Callable[[str], float], width: float) -> list[str]:
    """``url`` as lines no wider than ``width``: whole if it fits, else broken only after
    ``/``, ``?`` or ``&``. A piece alone wider than a line is cut where it must, except a
    query parameter (``code=...``): that is never cut."""
    if width_of(url) <= width:
        return [url]
    lines: list[str] = []
    line = ""
    for piece in url_pieces(url):
        if line and width_of(line + piece) > width:
            lines.append(line)
            line = ""
        rest = piece
        while width_of(rest) > width and "=" not in rest:
            cut = _longest_fitting(rest, width_of, width)
            lines.append(rest[:cut])
            rest = rest[cut:]
        line += rest
    if line:
        lines.append(line)
    return lines


def _longest_fitting(text: str, width_of: Callable[[str], float], width: float) -> int:
    length = len(text)
    while length > 1 and width_of(text[:length]) > width:
        length -= 1
    return length
