"""Municipality and Centrumstad agents: the model's face, one Mesa agent per municipality.

State lives in numpy arrays on the model (index `idx`); agents read it through
properties, so there is one copy of the truth and the utilities of all options can be
computed at once (simcoop.model.evaluation). What makes a centre city different is said here
(`scale_factor`) and read into an array by the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from simcoop.model import decisions, policy
from simcoop.model.igs import IGS

if TYPE_CHECKING:
    from simcoop.model.model import CooperationModel


class Municipality(mesa.Agent):
    """A gemeente: decides each year whether to stay in, leave, join or found an IGS."""

    model: CooperationModel

    def __init__(self, model: CooperationModel, idx: int):
        super().__init__(model)
        self.idx = idx

    # --- attributes (read from the model's arrays) ---
    @property
    def nis(self) -> int:
        return int(self.model.land.nis[self.idx])

    @property
    def name(self) -> str:
        return str(self.model.land.name[self.idx])

    @property
    def population(self) -> float:
        return float(self.model.population[self.idx])

    @property
    def igs(self) -> IGS | None:
        return self.model.igs.get(int(self.model.member_of[self.idx]))

    @property
    def igs_id(self) -> int:
        return int(self.model.member_of[self.idx])

    @property
    def scale_factor(self) -> float:
        """A municipality weighs scale and knowledge exchange at face value (digest, Mechanism 2)."""
        return 1.0

    # --- behaviour ---
    def decide(self) -> None:
        """Officials table the question, weigh options (logit), the council decides."""
        model = self.model
        beh = model.cfg.behaviour
        if model.rng.random() >= model.admin_support[self.idx]:
            model.skip(self.idx)
            return
        menu = model.menu(self.idx)
        k = menu.pick(model.rng)
        if menu.kinds[k] == decisions.STAY:
            return
        if model.rng.random() >= policy.gate_probability(model.political_will[self.idx], beh, model.year):
            return
        model.carry_out(self, menu.option(model, k))


class Centrumstad(Municipality):
    """A centre city: more money and staff (set in attributes); it already provides the
    regional functions in-house and faces 'larger, often other problems', so it gains little
    from scale and exchange (seed 001, 4.1.5 and 4.2.5), joins for its regional role and values
    its freedom (evaluation: `role`). Like every municipality it fears only the weight of
    centre cities other than itself (digest Mechanism 5)."""

    @property
    def scale_factor(self) -> float:
        return self.model.cfg.behaviour.centre_scale_factor
