"""``slrflow simulate``'s command, kept apart from the other screening commands.

A simulation is run once per labelled set and seed (the benchmark runs hundreds), so its
command imports only what a replay needs (:mod:`slrflow.screening.simulate`), not the modules
of the other screening stages (their spreadsheets and logs).
"""
