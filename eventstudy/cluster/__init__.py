"""A study on a Dask cluster: the same stages as in-process, the map stage mapped over partitions.

* :mod:`.connect`: which cluster (``local:N``, ``tcp://HOST:PORT``, a ``distributed.Client``);
* :mod:`.run`: the map stage on it (:class:`~.run.DaskMap`, used by ``run_study(spec, dask=...)``);
* :mod:`.tasks`: what a worker runs on one partition of the plan;
* :mod:`.assemble`: the driver placing the partitions' result tables into their rows.

Named ``cluster`` so as not to shadow the ``dask`` package.
"""

from .connect import ClusterError, connect

__all__ = ["ClusterError", "connect"]
