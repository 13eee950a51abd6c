"""The audit report: one static ``index.html`` (plus assets) that traces every record.

:mod:`.collect` gathers the workflow's outputs into one :class:`~.collect.ReportData`, with a
:class:`~.collect.Trail` per reference (the export lines it came from, its cluster, its decisions,
its status, its codes); :mod:`.render` writes the page with Jinja2, escaping every value.
"""
