"""The report's plots as SVG text: latency, metric bars, retrieval by mode."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assistant.evaluation.metrics import METRICS
from assistant.evaluation.records import Scores, Summary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BLUE, GREY, RED = "#2f6db5", "#b8c2cc", "#c0392b"


def _svg(fig: Figure, name: str) -> str:
    # Lazy: matplotlib takes a second to import and only reports need it. Figure
    # objects draw without pyplot, so no GUI backend is chosen for the process.
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.set_facecolor("white")
    return fig


def latency(latencies_ms: Sequence[float], p50: float | None, p95: float | None) -> str:
    """A histogram of answer times with the median and 95th percentile marked."""
    fig = _figure(6.4, 2.8)
    ax = fig.add_subplot()
    if latencies_ms:
        ax.hist(latencies_ms, bins=min(40, max(5, len(latencies_ms) // 3)), color=BLUE)
    for value, label, style in ((p50, "p50", "--"), (p95, "p95", ":")):
        if value is not None:
            ax.axvline(value, color=RED, linestyle=style, label=f"{label} {value:.0f} ms")
    ax.set_xlabel("time to answer (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    if p50 is not None:
        ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "latency")


def metric_bars(summary: Summary, baseline: Summary | None = None) -> str:
    """One bar per share metric (0 to 1), the baseline's value as a grey bar beside it."""
    names = [m.name for m in METRICS if not m.unit and summary.metrics.get(m.name) is not None]
    fig = _figure(6.4, 0.42 * len(names) + 1.0)
    ax = fig.add_subplot()
    rows = list(range(len(names)))[::-1]
    values = [summary.metrics[n] or 0.0 for n in names]
    height = 0.38 if baseline else 0.7
    ax.barh(
        [r + (height / 2 if baseline else 0) for r in rows],
        values,
        height=height,
        color=BLUE,
        label="this run",
    )
    if baseline is not None:
        before = [baseline.metrics.get(n) or 0.0 for n in names]
        ax.barh([r - height / 2 for r in rows], before, height=height, color=GREY, label="baseline")
        ax.legend(frameon=False, loc="lower right")
    for r, v in zip(rows, values, strict=True):
        ax.text(
            min(v, 1.0) + 0.01,
            r + (height / 2 if baseline else 0),
            f"{v:.2f}",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(rows, names)
    ax.set_xlim(0, 1.1)
    ax.set_title("Metrics (share of questions; false_refusal: lower is better)")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "metrics")


def modes(by_mode: Mapping[str, Scores]) -> str:
    """Grouped bars: hit@k, recall@k and MRR for each retriever mode."""
    fig = _figure(6.4, 2.8)
    ax = fig.add_subplot()
    names = ["hit@k", "recall@k", "mrr"]
    width = 0.8 / max(1, len(by_mode))
    colours = [BLUE, "#e67e22", "#27ae60", GREY]
    for i, (mode, scores) in enumerate(by_mode.items()):
        xs = [j + i * width for j in range(len(names))]
        ax.bar(
            xs,
            [scores.get(n) or 0.0 for n in names],
            width=width,
            label=mode,
            color=colours[i % len(colours)],
        )
    ax.set_xticks([j + width * (len(by_mode) - 1) / 2 for j in range(len(names))], names)
    ax.set_ylim(0, 1.05)
    ax.set_title("Retrieval by mode")
    ax.legend(frameon=False, ncols=len(by_mode), loc="lower center")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "modes")
