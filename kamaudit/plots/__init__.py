"""Charts for notebooks and deliverables: one module per stage.

Each function takes result DataFrames, returns a matplotlib ``Figure`` (made with
``plt.subplots`` so notebooks show it inline) and never saves it;
``ReportContext.figure`` renders it once to PNG and closes it.
"""
