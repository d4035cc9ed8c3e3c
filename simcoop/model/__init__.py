"""The model: municipality and centre-city agents, the IGS they found, join and leave, and
the rules they decide by. Nothing here knows about sweeps, stores or figures.

- `model`: `CooperationModel`, a `mesa.Model` that runs one year per step;
- `agents`: municipalities and centre cities (Mesa agents), who act in a year;
- `decisions`: founding, joining, voting, leaving and splitting, as pure choices;
- `evaluation`, `utility`: what an option is worth to a municipality, term by term;
- `igs`, `keys`: an IGS's economics and the financial keys that share its cost;
- `policy`: Flemish incentives, recognition periods, the region rule and networks;
- `trust`, `attributes`, `metrics`: trust between partners, agents' derived attributes,
  indicators of a year.
"""

from simcoop.model.model import YEARLY_METRICS, CooperationModel

__all__ = ["CooperationModel", "YEARLY_METRICS"]
