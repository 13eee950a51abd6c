"""The local screening page (``slrflow serve``): one reference at a time, in priority order,
each decision written at once to the reviewer's decision file.

Modules: :mod:`.command` (the command), :mod:`.review` (the review's settings and results),
:mod:`.worklist` (a reviewer's references in order, served at once),
:mod:`.planner` (the order worked out again in a process of its own after each answer),
:mod:`.standing` (every decision file combined, the stopping estimate), :mod:`.sheetfile`
(atomic, locked changes to a person's CSV), :mod:`.answer` (what may be answered),
:mod:`.highlight` (criteria terms), :mod:`.conflicts` (resolver mode), :mod:`.guard` (who may
talk to the page), :mod:`.app` (the routes); ``static/`` holds the page, its style and script.
"""
