"""Charts for notebooks and deliverables: one module per stage.

Each function takes result DataFrames, returns a matplotlib ``Figure`` (made with
``plt.subplots`` so notebooks show it inline) and never saves it;
``ReportContext.figure`` renders it once to PNG and closes it.
"""


def short_money(x, _pos=None) -> str:
    """Axis ticks for money: 1.2m, 350k, 90 (a matplotlib ``FuncFormatter`` function)."""
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:.1f}bn"
    if a >= 1e6:
        return f"{x / 1e6:.1f}m"
    if a >= 1e3:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}"
