"""Charts for notebooks and deliverables: one module per stage.

Each function takes result DataFrames, returns a matplotlib ``Figure`` (made with
``plt.subplots`` so notebooks show it inline) and never saves it;
``ReportContext.figure`` renders it once to PNG and closes it.

Client text is never interpreted: matplotlib would read the text between two ``$`` as
math (a customer called ``Buck$ 50% Off $tore`` raised inside the stage, ``Ca$h & Carry``
came out mangled), so math text is off for every chart made after this package loads.
"""

import matplotlib

matplotlib.rcParams["text.parse_math"] = False


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
