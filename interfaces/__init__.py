"""growthsim's user interfaces: the ``growthsim`` command line, plots and the HTML report.

* :mod:`interfaces.cli`: the ``growthsim`` command (``run``, ``compare``, ``decompose``,
  ``optimize``, ``report``, ``validate``);
* :mod:`interfaces.plots`: matplotlib figures of results and studies
  (``from interfaces import plots; plots.gmv_orders(res)``);
* :mod:`interfaces.report`: one self-contained HTML page of an output folder.

The top layer: it uses the public API of ``optimize``, ``scenarios`` and ``sim`` and holds
no model logic; nothing below imports it. Importing this package loads none of its
modules, so ``import interfaces.report`` does not pay for matplotlib or typer.
"""

__all__ = ["cli", "plots", "report"]
