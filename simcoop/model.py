"""The simcoop model: one step is one year of Flemish cooperation on culture.

Order within a year (docs/ODD.md, "Process overview and scheduling"):
1. start of year: budget shocks, turnover of the people at the table;
2. Flemish policy: at the deadline, members outside an IGS's home region must leave;
3. every municipality, in random order, weighs its options (Mesa's shuffle_do);
4. IGS long without recognition dissolve (those below two members dissolve at once);
5. accounts are settled on the year's final membership: recognition, contributions,
   subsidies, realised returns, trust;
6. the DataCollector records the year.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np

from simcoop import decisions, policy, trust
from simcoop.agents import Centrumstad, Municipality
from simcoop.attributes import derive
from simcoop.config import SimConfig
from simcoop.igs import IGS
from simcoop.landscape import Landscape, load_landscape, synthetic_landscape
from simcoop.metrics import gini

EVENT_COLUMNS = ["year", "event", "igs_id", "nis", "reason"]
IGS_COLUMNS = ["year", "igs_id", "n_members", "population", "recognised", "subsidy_eur", "paid_fte",
               "host_nis", "dominance", "centre_excess", "gini_net_benefit", "spans_regions", "age"]


def build_landscape(cfg: SimConfig, rng: np.random.Generator) -> Landscape:
    d = cfg.data
    if d.source == "synthetic":
        return synthetic_landscape(rng, d.n_municipalities, d.n_regions, d.n_centre_cities, d.mean_population)
    return load_landscape(d.path or None)


class CooperationModel(mesa.Model):
    """Municipalities and centre cities deciding on IGS cultuur membership, year by year."""

    def __init__(self, cfg: SimConfig, land: Landscape | None = None):
        super().__init__(seed=cfg.seed)
        self.cfg = cfg
        self.year = cfg.start_year
        # the world (landscape, attributes, heritage cells) comes from the run's RNG, or from
        # its own seeded RNG when attributes.seed is set: same world, different histories
        world_rng = self.rng if cfg.attributes.seed < 0 else np.random.default_rng(cfg.attributes.seed)
        self.land = land if land is not None else build_landscape(cfg, world_rng)
        attrs = derive(self.land, cfg.attributes, cfg.behaviour, world_rng)
        n = self.land.n
        self.population = self.land.population
        self.region = self.land.region
        self.centre = self.land.centre
        self.adjacency = self.land.adjacency_matrix()
        self.budget = attrs.budget
        self.culture_budget = attrs.culture_budget
        self.budget_pressure = np.ones(n)  # >1 in a year of budget shock: contributions weigh more
        self.staff = attrs.staff
        self.expertise = attrs.expertise
        self.workload = attrs.workload
        self.identity = attrs.identity
        self.political_will = attrs.political_will
        self.admin_support = attrs.admin_support
        self.heritage_cell = attrs.heritage_cell
        self.shocked = np.zeros(n, dtype=bool)

        beh = cfg.behaviour
        self.trust = np.full((n, n), beh.trust_initial)
        same_cell = (self.heritage_cell[:, None] == self.heritage_cell[None, :]) & (self.heritage_cell[:, None] >= 0)
        self.trust[same_cell] = beh.trust_heritage
        np.fill_diagonal(self.trust, 1.0)

        self.by_index: list[Municipality] = [
            (Centrumstad if self.centre[i] else Municipality)(self, i) for i in range(n)
        ]
        self.igs: dict[int, IGS] = {}
        self._next_igs_id = 0
        self.counts = dict.fromkeys(("joins", "leaves", "foundings", "dissolutions"), 0)
        # per-municipality accounts of the year (0 outside an IGS)
        self.contribution = np.zeros(n)
        self.subsidy_share = np.zeros(n)
        self.net_benefit = np.zeros(n)
        self.agenda_share = np.zeros(n)
        self.current: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_metric, name=name) for name in YEARLY_METRICS},
            agent_reporters={
                "year": lambda a: a.model.year,
                "nis": "nis",
                "igs_id": "igs_id",
                "contribution_eur": lambda a: a.model.contribution[a.idx],
                "subsidy_eur": lambda a: a.model.subsidy_share[a.idx],
                "net_benefit": lambda a: a.model.net_benefit[a.idx],
                "agenda_share": lambda a: a.model.agenda_share[a.idx],
                "budget_shock": lambda a: bool(a.model.shocked[a.idx]),
                "identity": lambda a: float(a.model.identity[a.idx]),
            },
            tables={"events": EVENT_COLUMNS, "igs": IGS_COLUMNS},
        )

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        self.start_of_year()
        self.apply_policy()
        self.agents.shuffle_do("decide")
        self.dissolve_failing()
        self.settle_accounts()
        self.measure()
        self.datacollector.collect(self)
        self.year += 1
        self.running = self.year <= self.cfg.end_year

    def run(self) -> CooperationModel:
        while self.year <= self.cfg.end_year:
            self.step()
        return self

    def start_of_year(self) -> None:
        beh, n = self.cfg.behaviour, self.land.n
        self.counts = dict.fromkeys(self.counts, 0)
        self.shocked = self.rng.random(n) < beh.budget_shock_probability
        self.budget_pressure = np.where(self.shocked, 1.0 / (1.0 - beh.budget_shock_size), 1.0)
        p_turnover = beh.turnover_probability * (beh.election_boost if policy.is_legislature_start(beh, self.year)
                                                 else 1.0)
        new_faces = np.flatnonzero(self.rng.random(n) < min(1.0, p_turnover))
        if new_faces.size:
            self.trust[new_faces, :] = trust.turnover(self.trust[new_faces, :], beh.trust_initial,
                                                      beh.turnover_trust_drop)
            self.trust[:, new_faces] = trust.turnover(self.trust[:, new_faces], beh.trust_initial,
                                                      beh.turnover_trust_drop)
            self.trust[new_faces, new_faces] = 1.0

    def apply_policy(self) -> None:
        rule = self.cfg.region_rule
        if policy.region_rule_in_force(rule, self.year):
            for g in list(self.igs.values()):
                members = np.array(g.members)
                if policy.spans_regions(self.region[members]):
                    home = policy.home_region(self.region[members], self.population[members])
                    for i in members[self.region[members] != home]:
                        if g.igs_id in self.igs:
                            self.leave(int(i), reason="region_rule")

    def dissolve_failing(self) -> None:
        limit = self.cfg.incentive.dissolve_after_unrecognised_years
        for g in list(self.igs.values()):
            if g.unrecognised_years >= limit:
                self.dissolve(g, reason="unrecognised")

    def settle_accounts(self) -> None:
        """Money, agenda and realised returns of the year; trust follows the returns."""
        beh = self.cfg.behaviour
        for arr in (self.contribution, self.subsidy_share, self.net_benefit, self.agenda_share):
            arr[:] = 0.0
        for g in self.igs.values():
            members = np.array(g.members)
            econ = decisions.igs_economics(self, members)
            g.economics = econ
            g.recognised = econ.recognised
            g.unrecognised_years = 0 if g.recognised else g.unrecognised_years + 1
            self.contribution[members] = econ.contributions
            self.subsidy_share[members] = econ.subsidy_shares
            self.agenda_share[members] = econ.agenda_share
            excess = econ.agenda_share - econ.population_share
            for k, i in enumerate(members):
                realised = decisions.evaluate(self, int(i), members, econ).material
                self.net_benefit[i] = realised
                mask = np.arange(len(members)) != k
                others = members[mask]
                self.trust[i, others] = trust.update(self.trust[i, others], realised, beh.trust_gain, beh.trust_loss)
                dominant = mask & self.centre[members] & (excess > 0)
                if dominant.any():
                    severity = np.minimum(1.0, excess[dominant] / beh.dominance_tolerance)
                    self.trust[i, members[dominant]] = trust.update(self.trust[i, members[dominant]], -1.0, 0.0,
                                                                    beh.trust_loss * severity)
                self.trust[i, others] = trust.erode(self.trust[i, others], 0.0, beh.trust_erosion)
        near = self.adjacency
        self.trust[near] += beh.informal_networking * (1.0 - self.trust[near])

    # ------------------------------------------------------------------ moves
    def reachable_igs(self, i: int) -> list[IGS]:
        """IGS with a member adjacent to i or in i's region; one region once the rule is announced."""
        own_region_only = not policy.cross_region_allowed(self.cfg.region_rule, self.year)
        found = []
        for g in self.igs.values():
            members = np.array(g.members)
            same = self.region[members] == self.region[i]
            if own_region_only and not same.all():
                continue
            if same.any() or self.adjacency[i, members].any():
                found.append(g)
        return found

    def founding_partners(self, i: int) -> np.ndarray:
        """Unaffiliated neighbours trusted enough to start something with (most trusted first)."""
        beh = self.cfg.behaviour
        nb = self.land.neighbours[i]
        ok = np.array([self.by_index[j].igs is None for j in nb], dtype=bool) if nb.size else np.zeros(0, bool)
        ok &= self.trust[i, nb] >= beh.founding_trust
        if not policy.cross_region_allowed(self.cfg.region_rule, self.year):
            ok &= self.region[nb] == self.region[i]
        partners = nb[ok]
        partners = partners[np.argsort(-self.trust[i, partners], kind="stable")]
        return partners[: self.cfg.igs.feasible_members - 1]

    def carry_out(self, agent: Municipality, option: decisions.Option) -> None:
        i, current = agent.idx, agent.igs
        if option.kind == "leave":
            self.leave(i, reason="choice")
        elif option.kind == "join":
            if decisions.accepts_newcomer(self, option.igs, i):
                if current is not None:
                    self.leave(i, reason="switch")
                if option.igs.igs_id in self.igs:
                    self.join(i, option.igs)
        elif option.kind == "found":
            members = option.members
            partners = [int(j) for j in members[1:] if decisions.accepts_founding(self, int(j), members)]
            if partners:
                if current is not None:
                    self.leave(i, reason="switch")
                self.found([i, *partners])

    def join(self, i: int, g: IGS) -> None:
        g.add(i, self.year)
        self.by_index[i].igs = g
        self.counts["joins"] += 1
        self._event("join", g.igs_id, i, "choice")

    def found(self, members: list[int]) -> IGS:
        """A new IGS: one 'found' event for the initiator, a 'join' (reason founding) per partner."""
        g = IGS(self._next_igs_id, self.year, list(members))
        self._next_igs_id += 1
        self.igs[g.igs_id] = g
        for i in members:
            self.by_index[i].igs = g
        self.counts["foundings"] += 1
        self._event("found", g.igs_id, members[0], "initiative")
        for i in members[1:]:
            self._event("join", g.igs_id, i, "founding")
        return g

    def leave(self, i: int, reason: str) -> None:
        g = self.by_index[i].igs
        g.remove(i)
        self.by_index[i].igs = None
        self.counts["leaves"] += 1
        self._event("leave", g.igs_id, i, reason)
        if reason in ("choice", "switch") and g.members:
            rest = np.array(g.members)
            beh = self.cfg.behaviour
            self.trust[rest, i] = trust.update(self.trust[rest, i], -1.0, beh.trust_gain, beh.trust_loss)
        if len(g.members) < 2:
            self.dissolve(g, reason="too_few_members")

    def dissolve(self, g: IGS, reason: str) -> None:
        """The last members leave (reason dissolution) and the IGS is gone."""
        for i in g.members:
            self.by_index[i].igs = None
            self._event("leave", g.igs_id, i, "dissolution")
        g.members.clear()
        del self.igs[g.igs_id]
        self.counts["dissolutions"] += 1
        self._event("dissolve", g.igs_id, None, reason)

    def _event(self, event: str, igs_id: int, i: int | None, reason: str) -> None:
        nis = None if i is None else int(self.land.nis[i])
        self.datacollector.add_table_row("events", {"year": self.year, "event": event, "igs_id": igs_id,
                                                    "nis": nis, "reason": reason})

    # ------------------------------------------------------------------ metrics
    def measure(self) -> None:
        """Compute the year's indicators once; the DataCollector's reporters read them."""
        groups = list(self.igs.values())
        pop = self.population
        in_igs = np.array([a.igs is not None for a in self.by_index])
        sizes = np.array([len(g.members) for g in groups])
        popsizes = np.array([g.economics.population for g in groups])
        dominance = np.array([g.economics.dominance for g in groups])
        with_centre = [g for g in groups if self.centre[g.members].any()]
        ginis = np.array([gini(self.net_benefit[g.members]) for g in groups])
        pair_trust = [self.trust[np.ix_(g.members, g.members)][~np.eye(len(g.members), dtype=bool)].mean()
                      for g in groups]
        spans = np.array([policy.spans_regions(self.region[g.members]) for g in groups], dtype=bool)
        nan = float("nan")
        self.current = {
            "year": self.year,
            "n_igs": len(groups),
            "n_recognised": int(sum(g.recognised for g in groups)),
            "coverage_municipalities": float(in_igs.mean()),
            "coverage_population": float(pop[in_igs].sum() / pop.sum()),
            "mean_members": float(sizes.mean()) if groups else nan,
            "max_members": int(sizes.max()) if groups else 0,
            "share_igs_above_norm": float((popsizes >= self.cfg.incentive.recognition_threshold).mean())
            if groups else nan,
            "share_igs_at_most_12_members": float((sizes <= 12).mean()) if groups else nan,
            "dominance_mean": float(dominance.mean()) if groups else nan,
            "dominance_max": float(dominance.max()) if groups else nan,
            "centre_excess_mean": float(np.mean([g.economics.centre_excess for g in with_centre]))
            if with_centre else nan,
            "gini_net_benefit": float(ginis.mean()) if groups else nan,
            "mean_trust_members": float(np.mean(pair_trust)) if groups else nan,
            "mean_trust_neighbours": float(self.trust[self.adjacency].mean()) if self.adjacency.any() else nan,
            "joins": self.counts["joins"],
            "leaves": self.counts["leaves"],
            "foundings": self.counts["foundings"],
            "dissolutions": self.counts["dissolutions"],
            "cross_region_igs": int(spans.sum()),
            "subsidy_total_eur": float(sum(g.economics.subsidy for g in groups)),
            "budget_shocks": int(self.shocked.sum()),
            "legislature_start": policy.is_legislature_start(self.cfg.behaviour, self.year),
        }
        for g, gi, sp in zip(groups, ginis, spans):
            e = g.economics
            self.datacollector.add_table_row("igs", {
                "year": self.year, "igs_id": g.igs_id, "n_members": len(g.members), "population": e.population,
                "recognised": g.recognised, "subsidy_eur": e.subsidy, "paid_fte": e.paid_fte,
                "host_nis": int(self.land.nis[e.host]) if e.host >= 0 else None, "dominance": e.dominance,
                "centre_excess": e.centre_excess, "gini_net_benefit": float(gi), "spans_regions": bool(sp),
                "age": g.age(self.year),
            })


def _metric(model: CooperationModel, name: str):
    return model.current[name]


YEARLY_METRICS = ("year", "n_igs", "n_recognised", "coverage_municipalities", "coverage_population",
                  "mean_members", "max_members", "share_igs_above_norm", "share_igs_at_most_12_members",
                  "dominance_mean", "dominance_max", "centre_excess_mean", "gini_net_benefit",
                  "mean_trust_members", "mean_trust_neighbours", "joins", "leaves", "foundings",
                  "dissolutions", "cross_region_igs", "subsidy_total_eur", "budget_shocks", "legislature_start")
