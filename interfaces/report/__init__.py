"""One output folder as one HTML page that can be mailed, archived or opened offline.

``write_report(directory)`` reads what ``growthsim run``, ``compare``, ``decompose`` and
``optimize`` wrote into a folder and writes ``report.html``: the KPI tables with their 95%
intervals, every PNG of the folder embedded as a ``data:`` URI, and the scenario and plans
as YAML. The page loads nothing from anywhere (no external CSS, scripts, fonts or images):
a report that needs its folder next to it breaks the first time it is attached to an
e-mail.
"""

from interfaces.report._files import CAPTIONS
from interfaces.report._page import write_report

__all__ = ["CAPTIONS", "write_report"]
