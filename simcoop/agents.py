"""Municipality and Centrumstad agents: the model's face, one Mesa agent per municipality.

Static attributes live in numpy arrays on the model (index `idx`); agents read them
through properties so there is one copy of the truth and vectorised metrics stay cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simcoop import decisions, policy
from simcoop.igs import IGS, Economics

if TYPE_CHECKING:
    from simcoop.model import CooperationModel


class Municipality(mesa.Agent):
    """A gemeente: decides each year whether to stay in, leave, join or found an IGS."""

    model: CooperationModel

    def __init__(self, model: CooperationModel, idx: int):
        super().__init__(model)
        self.idx = idx
        self.igs: IGS | None = None

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
    def igs_id(self) -> int:
        return -1 if self.igs is None else self.igs.igs_id

    @property
    def scale_factor(self) -> float:
        """Small municipalities weigh scale at face value (digest, Mechanism 4)."""
        return 1.0

    def perceived_dominance(self, econ: Economics) -> float:
        """The largest excess agenda share of a centre city in the member set."""
        return econ.centre_excess

    # --- behaviour ---
    def decide(self) -> None:
        """Officials table the question, weigh options (logit), the council decides."""
        model = self.model
        beh = model.cfg.behaviour
        if model.rng.random() >= model.admin_support[self.idx]:
            return
        opts = decisions.options(model, self.idx)
        probs = decisions.logit_probabilities(np.array([o.utility for o in opts]), beh.temperature)
        choice = opts[int(model.rng.choice(len(opts), p=probs))]
        if choice.kind == "stay":
            return
        if model.rng.random() >= policy.gate_probability(model.political_will[self.idx], beh, model.year):
            return
        model.carry_out(self, choice)


class Centrumstad(Municipality):
    """A centre city: more money and staff (set in attributes), gains from a large IGS and
    does not fear its own weight on the agenda (digest, Actors and Mechanisms 4-5)."""

    @property
    def scale_factor(self) -> float:
        return self.model.cfg.behaviour.centre_scale_factor

    def perceived_dominance(self, econ: Economics) -> float:
        centre = self.model.centre[econ.members] & (econ.members != self.idx)
        excess = econ.agenda_share[centre] - econ.population_share[centre]
        return float(max(0.0, excess.max())) if excess.size else 0.0
