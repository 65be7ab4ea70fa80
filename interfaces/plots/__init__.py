"""Plots of growthsim results (matplotlib): each function returns a Figure.

>>> from interfaces import plots
>>> fig = plots.gmv_orders(res)            # doctest: +SKIP
>>> plots.save_all(res, "out")             # doctest: +SKIP

The plots of one run (``run``), of strategies on the same seeds (``compare``) and of the
mechanisms a plan uses (``mechanisms``) are re-exported here; the plots of an Optuna
study live in :mod:`interfaces.plots.study` (``study.save_all(opt, "out")``), which
imports the optimiser. No module selects a matplotlib backend: a notebook shows the
figures inline, the ``growthsim`` command writes them with Agg.
"""

from interfaces.plots._style import date_axis, money_label, save_figures
from interfaces.plots.compare import compare_gmv, decomposition
from interfaces.plots.mechanisms import inventory, loyalty, promotions
from interfaces.plots.run import channels, customers, funnel, gmv_orders, lifecycle, save_all

__all__ = ["channels", "compare_gmv", "customers", "date_axis", "decomposition", "funnel",
           "gmv_orders", "inventory", "lifecycle", "loyalty", "money_label", "promotions",
           "save_all", "save_figures"]
