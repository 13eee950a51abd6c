"""Figures the review publishes: the PRISMA 2020 flow diagram and the toolkit charts."""
