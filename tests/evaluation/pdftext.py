"""Read the text WeasyPrint laid out on the pages of a rendered document (no pdftotext needed)."""


def _walk(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


def page_lines(document) -> list[str]:
    """Every laid-out line of text, page by page, in reading order."""
    lines = []
    for page in document.pages:
        for box in _walk(page._page_box):
            if type(box).__name__ == "LineBox":
                text = "".join(
                    b.text for b in _walk(box) if type(b).__name__ == "TextBox" and b.text
                )
                if text.strip():
                    lines.append(" ".join(text.split()))
    return lines


def keyed_cells(document) -> dict[str, str]:
    """{data-key: the text laid out in that element} for every element carrying a data-key."""
    cells = {}
    for page in document.pages:
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if element is None or not element.get("data-key"):
                continue
            if type(box).__name__ not in ("TableCellBox", "InlineBox", "BlockBox"):
                continue
            lines = [
                "".join(b.text for b in _walk(line) if type(b).__name__ == "TextBox" and b.text)
                for line in _walk(box)
                if type(line).__name__ == "LineBox"
            ]
            if not lines:  # an inline element: its text boxes directly
                lines = [b.text for b in _walk(box) if type(b).__name__ == "TextBox" and b.text]
            cells[element.get("data-key")] = " ".join(" ".join(lines).split())
    return cells
