"""The embedded data of Flanders (files in `flanders/`, provenance in `flanders/SOURCES.md`)
and their loaders: `landscape` (municipalities, regions, adjacency, synthetic landscapes) and
`realdata` (the real IGS cultuur, fiscal income, heritage cells, housing IGS)."""
