"""Figures the review publishes: the PRISMA 2020 flow diagram (:mod:`.prisma_diagram`, drawing
the accounting of :mod:`slrflow.prisma`) and the toolkit charts (:mod:`.charts`); the command
line of both is :mod:`.command`."""
