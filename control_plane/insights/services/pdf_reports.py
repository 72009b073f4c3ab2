"""PDF reports a person reads: a title page with the organisation, the period and a chart
of the figures (bars or lines, by report kind), then the figures as a table.

Drawn with matplotlib alone (its object API and PdfPages: text, tables and charts from one
kept library, no browser nor JavaScript engine), in the caller's thread: the export runs
it off the event loop. CPU work bounded by the rows it is given (services/exports.py)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

# The charts' colour (and the tests' way to find a chart on a rendered page).
CHART_COLOUR = "#1b6ac9"
SECOND_COLOUR = "#e07b00"
_A4_LANDSCAPE = (11.69, 8.27)
_ROWS_PER_PAGE = 32


@dataclass(frozen=True)
class Chart:
    """What the chart shows: `labels` along one axis, one or more named `series`."""

    kind: str  # "bar", "barh" or "line"
    labels: Sequence[str]
    series: Mapping[str, Sequence[float]]
    ylabel: str


@dataclass(frozen=True)
class Document:
    title: str
    organization: str
    since: datetime
    until: datetime
    notes: Sequence[str]
    chart: Chart
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    total_rows: int


def _draw(axes: Axes, chart: Chart) -> None:
    colours = [CHART_COLOUR, SECOND_COLOUR, "#2a9d5c", "#8e44ad", "#c0392b", "#7f8c8d"]
    positions = range(len(chart.labels))
    if chart.kind == "line":
        for (name, values), colour in zip(chart.series.items(), colours * 4, strict=False):
            axes.plot(list(positions), list(values), color=colour, label=name, linewidth=2)
    else:
        width = 0.8 / max(len(chart.series), 1)
        for number, ((name, values), colour) in enumerate(
            zip(chart.series.items(), colours * 4, strict=False)
        ):
            offsets = [p + number * width for p in positions]
            if chart.kind == "barh":
                axes.barh(offsets, list(values), height=width, color=colour, label=name)
            else:
                axes.bar(offsets, list(values), width=width, color=colour, label=name)
    step = max(1, len(chart.labels) // 12)
    ticks = list(positions)[::step]
    labels = list(chart.labels)[::step]
    if chart.kind == "barh":
        axes.set_yticks(ticks, labels)
        axes.invert_yaxis()
        axes.set_xlabel(chart.ylabel)
    else:
        axes.set_xticks(ticks, labels, rotation=30, ha="right")
        axes.set_ylabel(chart.ylabel)
    axes.grid(axis="x" if chart.kind == "barh" else "y", alpha=0.3)
    if len(chart.series) > 1:
        axes.legend()


def _title_page(document: Document) -> Figure:
    figure = Figure(figsize=_A4_LANDSCAPE)
    figure.text(0.05, 0.94, document.title, fontsize=20, weight="bold")
    period = f"{document.since:%Y-%m-%d %H:%M} to {document.until:%Y-%m-%d %H:%M} UTC"
    lines = [f"Organisation: {document.organization}", f"Period: {period}", *document.notes]
    for number, line in enumerate(lines):
        figure.text(0.05, 0.89 - number * 0.035, line, fontsize=11)
    axes = figure.add_axes((0.08, 0.12, 0.88, 0.62 - 0.035 * max(len(lines) - 3, 0)))
    _draw(axes, document.chart)
    return figure


def _table_pages(document: Document) -> list[Figure]:
    pages = []
    for start in range(0, max(len(document.rows), 1), _ROWS_PER_PAGE):
        figure = Figure(figsize=_A4_LANDSCAPE)
        shown = f"rows {start + 1}-{min(start + _ROWS_PER_PAGE, len(document.rows))}"
        if document.total_rows > len(document.rows):
            shown += f" of the first {len(document.rows)} (of {document.total_rows})"
        figure.text(0.05, 0.95, f"{document.title}: figures, {shown}", fontsize=12)
        axes = figure.add_axes((0.05, 0.05, 0.9, 0.86))
        axes.axis("off")
        cells = [list(row) for row in document.rows[start : start + _ROWS_PER_PAGE]]
        if cells:
            table = axes.table(cellText=cells, colLabels=list(document.columns), loc="upper left")
            table.auto_set_font_size(False)
            table.set_fontsize(8)
        else:
            axes.text(0, 1, "No figures in this period.", fontsize=11, va="top")
        pages.append(figure)
    return pages


def render(document: Document) -> bytes:
    """The PDF's bytes: the title page with its chart, then the table's pages."""
    buffer = io.BytesIO()
    metadata = {"Title": document.title, "Creator": "nocode insights"}
    with PdfPages(buffer, metadata=metadata) as pdf:
        for page in [_title_page(document), *_table_pages(document)]:
            pdf.savefig(page)
    return buffer.getvalue()
