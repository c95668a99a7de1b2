"""City and country scale: square tiles evaluated in worker processes
(:mod:`livable.scale.tiles`), and the same tiles on a Dask cluster
(:mod:`livable.scale.dask`, the ``dask`` extra). Both give the report one process gives.
"""
