"""The panel pack as a PDF: the pack's HTML template laid out for print by WeasyPrint."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PACK_CSS = Path(__file__).resolve().parent / "static" / "panels" / "pack-print.css"


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(PACK_CSS))


def render_pdf(html: str) -> bytes:
    """The PDF of `html`. Only data: URIs (the charts) may load: nothing from disk or network."""
    return render_pdf_with_pages(html)[0]


def render_pdf_with_pages(html: str) -> tuple[bytes, int]:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, url_fetcher=fetcher, base_url="about:blank").render(
        stylesheets=[_stylesheet()]
    )
    return document.write_pdf(), len(document.pages)
