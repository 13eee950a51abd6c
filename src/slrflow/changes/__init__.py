"""What changed since a frozen (published) version of the review: the ``changes`` stage.

:mod:`.compare` builds the four change lists (references, studies, toolkit rows, PRISMA numbers);
:mod:`.command` is the command line (``slrflow freeze``, ``slrflow changes``). The snapshots
themselves are :mod:`slrflow.versions`.
"""
