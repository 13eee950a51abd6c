"""The review's two toolkit workbooks: "Toolkit SLO Interventies" (the interventions of the
systematic review, :mod:`slrflow.toolkit.slo`) and "Toolkit Database Interventies" (the scan of
national intervention databases, :mod:`slrflow.toolkit.database`); the command line of both is
:mod:`slrflow.toolkit.command`."""
