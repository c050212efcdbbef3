"""Charts for notebooks and deliverables: one module per stage, each function returns a
matplotlib Figure and never saves or shows it (``ReportContext.figure`` renders once)."""

import matplotlib

matplotlib.use("Agg", force=False)
