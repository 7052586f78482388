"""The reports' charts, drawn by the server as SVG with pygal: no script, nothing from another
host (pygal's inline config script is cut out; the browser shows the file as an image)."""

from __future__ import annotations

import re
import sys

import pygal
from pygal.style import Style

from ..workflows.reports import Summary
from . import labels

# pygal appends a legacy ``sys.meta_path`` finder (for its map plugins, unused here) that has no
# find_spec: every later failed import in the process then warns (ImportWarning), which breaks
# optional imports elsewhere (openpyxl's numpy probe) under warnings-as-errors. Take it out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=("#b3261e", "#2e7d32", "#1565c0", "#f2c230", "#6a1b9a"),
    font_family="sans-serif",
)
CHARTS = ("days", "items", "methods")
"""The names a chart is served under (``/staff/reports/chart/<name>.svg``)."""


def _base(chart: type[pygal.graph.graph.Graph], title: str) -> pygal.graph.graph.Graph:
    return chart(
        js=[],  # pygal would load its tooltip script from github.io
        style=_STYLE,
        width=720,
        height=320,
        title=title,
        show_legend=False,
        # Whole đồng, as the table shows them: a test reads these values back from the SVG.
        value_formatter=lambda v: f"{int(v)}",
        print_values=False,
        x_label_rotation=0,
        truncate_label=12,
    )


def chart_svg(name: str, report: Summary) -> str:
    """The SVG of one chart of ``report``; each drawn value is in a ``<desc class="value">``."""
    if name == "days":
        chart = _base(pygal.Bar, "Số tiền thu theo ngày (đồng)")
        chart.x_labels = [f"{d.day:%d}" for d in report.fees.by_day]
        chart.add("Số tiền", [d.amount for d in report.fees.by_day])
    elif name == "items":
        chart = _base(pygal.HorizontalBar, "Số tiền theo khoản phí, lệ phí (đồng)")
        items = report.fees.by_fee_item
        chart.x_labels = [i.name for i in items]
        chart.add("Số tiền", [i.amount for i in items])
    elif name == "methods":
        chart = _base(pygal.Bar, "Số lần thanh toán theo hình thức")
        chart.x_labels = [labels.PAYMENT_METHODS[m.method] for m in report.payments.by_method]
        chart.add("Số lần", [m.payments for m in report.payments.by_method])
    else:
        raise KeyError(name)
    svg = str(chart.render(is_unicode=True))
    return _SCRIPT.sub("", svg)
