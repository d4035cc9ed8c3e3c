"""simcoop: an agent-based model of intermunicipal cooperation on culture in Flanders.

>>> import simcoop
>>> result = simcoop.simulate(["scenario=regions_by_2028"], seed=1)
>>> result.yearly[["year", "n_igs", "coverage_municipalities"]]
"""

from simcoop.results import SimulationResult, package_version
from simcoop.run import compose, simulate

__version__ = package_version()
__all__ = ["simulate", "compose", "SimulationResult", "__version__"]
