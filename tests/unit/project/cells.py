"""The cells of a table's rows as a user sees them: one line each."""

import html
import re

# Characters a cell may show on its one line (the longest truncated value
# and its ellipsis; Horizon's own tables show names of 40 to 60).
ONE_LINE = 60


def row_cells(page, table):
    """{row id: [(cell's inner HTML, its visible text, its attributes)]} of
    ``table``'s rows, the actions column left out."""
    rows = {}
    pattern = rf'<tr[^>]*id="{table}__row__([^"]+)"[^>]*>(.*?)</tr>'
    for row_id, body in re.findall(pattern, page, re.S):
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", body, re.S)
        rows[row_id] = [
            (inner, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split()), attrs)
            for attrs, inner in cells
            if "actions_column" not in attrs
        ]
    return rows


def not_one_line(page, table):
    """The cells of ``table`` that would take more than one line: markup that
    breaks lines, more text than ONE_LINE characters, or a cell that may wrap
    (without Bootstrap's text-nowrap)."""
    return [
        (row_id, text)
        for row_id, cells in row_cells(page, table).items()
        for inner, text, attrs in cells
        if re.search(r"<(br|ul|li|small|p|div)\b", inner)
        or len(text) > ONE_LINE
        or "text-nowrap" not in re.search(r'class="([^"]*)"', attrs).group(1).split()
    ]
