"""Plots of claim results: the theoretical bound drawn over the measured curve (needs matplotlib)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError("plots need matplotlib: pip install 'refopt[plot]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_result(result, claim, path):
    """Write one PNG for ``result``: the measured curve of its worst instance and the claimed bound or rate."""
    curve = result.curve
    if not curve:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    x = np.asarray(curve["x"], dtype=float)
    measured = np.asarray(curve["measured"], dtype=float)
    first = int(curve.get("first", 0))
    shown = (x >= first) & np.isfinite(measured) & (measured > 0 if curve.get("logy", True) else True)
    axes.plot(x[shown], measured[shown], "o-" if shown.sum() < 30 else "-", label="measured", lw=1.5)
    if curve.get("theory") is not None:
        theory = np.asarray(curve["theory"], dtype=float)
        keep = (x >= first) & np.isfinite(theory) & (theory > 0 if curve.get("logy", True) else True)
        axes.plot(x[keep], theory[keep], "--", label="theory", lw=1.5, color="black")
    if curve.get("logy", True):
        axes.set_yscale("log")
    if curve.get("logx", False):
        axes.set_xscale("log")
    axes.set_xlabel(curve.get("xlabel", "k"))
    axes.set_ylabel(curve.get("ylabel", result.quantity if not curve.get("logy", True) else "error"))
    axes.set_title(f"{claim.id}\n{claim.source.short()}: {result.verdict}", fontsize=9)
    axes.legend()
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
