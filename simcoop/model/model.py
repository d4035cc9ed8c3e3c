"""The simcoop model: one step is one year of Flemish cooperation on culture.

A run starts from the real IGS cultuur of 2025 (start=real_2025, recorded as the year 2025)
or from an empty map (start=empty). Order within a year (docs/ODD.md, "Process overview
and scheduling"):
1. start of year: budget shocks, turnover of the people at the table;
2. Flemish policy: in a network round, recognised IGS may take on a leisure-participation
   network; at the deadline, members outside an IGS's home region must leave;
3. every municipality, in random order, weighs its options (Mesa's shuffle_do);
4. in a renewal year each recognised IGS votes on applying for the next period; IGS long
   without recognition dissolve (those below two members dissolve at once);
5. accounts are settled on the year's final membership: recognition, contributions,
   subsidies, realised returns, trust;
6. the DataCollector records the year.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import mesa
import numpy as np
import pandas as pd

from pathlib import Path

from simcoop.model import decisions, kernels, metrics, policy, trust
from simcoop.data import realdata
from simcoop.model.agents import Centrumstad, Municipality
from simcoop.model.attributes import derive
from simcoop.config import SimConfig
from simcoop.errors import ConfigError
from simcoop.model.evaluation import Candidates, evaluate
from simcoop.model.igs import IGS, Economics
from simcoop.data.landscape import Landscape, embedded_path, load_landscape, synthetic_landscape

EVENT_COLUMNS = ["year", "event", "igs_id", "nis", "reason"]
IGS_COLUMNS = ["year", "igs_id", "igs_name", "n_members", "population", "recognised", "subsidy_eur", "paid_fte",
               "host_nis", "dominance", "centre_excess", "gini_net_benefit", "spans_regions", "contiguous",
               "network", "age"]
VOLUNTARY = ("choice", "switch", "split")   # leave reasons that are a member's own decision
PRE_HISTORY_YEARS = 9   # 2016-2025: the years of informal contact and erosion before the real start


def member_blocks(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair of members (diagonal included) of sets stored flat one after the
    other with these sizes, as positions in the flat array: each set's block, row after row."""
    per_member = np.repeat(sizes, sizes)                  # the size of each member's set
    row = np.repeat(np.arange(int(sizes.sum())), per_member)
    col = decisions.ragged_arange(np.repeat(np.cumsum(sizes) - sizes, sizes), per_member)
    return row, col


def build_landscape(cfg: SimConfig, rng: np.random.Generator) -> tuple[Landscape, realdata.RealData]:
    d = cfg.data
    if d.source == "synthetic":
        land = synthetic_landscape(rng, d.n_municipalities, d.n_regions, d.n_centre_cities, d.mean_population)
        return land, realdata.synthetic(land, rng)
    folder = Path(d.path) if d.path else embedded_path()
    land = load_landscape(folder)
    # the checksum covers every data file the run reads, not only the map
    return replace(land, checksum=realdata.checksum(folder, land.checksum)), realdata.load(land, folder)


class CooperationModel(mesa.Model):
    """Municipalities and centre cities deciding on IGS cultuur membership, year by year."""

    def __init__(self, cfg: SimConfig, land: Landscape | None = None):
        super().__init__(seed=cfg.seed)
        # the uptake of network calls draws from a stream of its own, so that a run without
        # networks keeps every other draw of its seed (common random numbers for paired levers)
        self.uptake_rng = np.random.default_rng(np.random.SeedSequence(cfg.seed, spawn_key=(1,)))
        self.cfg = cfg
        self.year = cfg.start_year
        # the world (landscape, attributes, heritage cells) comes from the run's RNG, or from
        # its own seeded RNG when attributes.seed is set: same world, different histories
        world_rng = self.rng if cfg.attributes.seed < 0 else np.random.default_rng(cfg.attributes.seed)
        if land is None:
            self.land, self.real = build_landscape(cfg, world_rng)
        else:
            self.land, self.real = land, realdata.synthetic(land, world_rng)
        attrs = derive(self.land, self.real, cfg.attributes, cfg.behaviour, world_rng)
        n = self.land.n
        self.population = self.land.population
        self.region = self.land.region
        self.centre = self.land.centre
        self.nb_ptr, self.nb_flat = self.land.borders
        degree = np.diff(self.nb_ptr)
        # neighbouring pairs (row, col) in row-major order, as np.nonzero of an adjacency matrix gives them
        pair_keys = np.unique(np.repeat(np.arange(n, dtype=np.int64), degree) * n + self.nb_flat)
        self.adjacent_pairs = (pair_keys // n, pair_keys % n)
        self.budget = attrs.budget
        self.culture_budget = attrs.culture_budget
        self.budget_pressure = np.ones(n)  # >1 in a year of budget shock: contributions weigh more
        self.staff = attrs.staff
        self.expertise = attrs.expertise
        self.workload = attrs.workload
        self.identity = attrs.identity
        self.region_identity = attrs.region_identity
        self.affinity = attrs.affinity
        self.political_will = attrs.political_will
        self.admin_support = attrs.admin_support
        self.heritage_cell = attrs.heritage_cell
        self.shocked = np.zeros(n, dtype=bool)

        beh = cfg.behaviour
        # trust between every two municipalities, stored only for pairs that have met (trust.PairTrust)
        self.trust = trust.PairTrust(n, beh.trust_initial)
        # who has met whom (neighbours, heritage-cell partners, co-members, ever): trust
        # between any other pair is still trust_initial, which turnover leaves unchanged
        self.met: list[set[int]] = [set(nb.tolist()) for nb in self.land.neighbours]
        # prior heritage cooperation: the known cells and IOEDs of the partial list, and random
        # cells among the municipalities it does not cover
        random_cells = [np.flatnonzero(self.heritage_cell == c) for c in np.unique(self.heritage_cell[self.heritage_cell >= 0])]
        known = self.real.heritage_groups if cfg.attributes.known_heritage else ()
        for mates in [*known, *random_cells]:
            self.trust[np.ix_(mates, mates)] = beh.trust_heritage
            self._meet(mates)

        self.igs: dict[int, IGS] = {}
        self.member_of = np.full(n, -1, dtype=np.int64)   # IGS id per municipality, -1 if none
        self.joined_year = np.zeros(n, dtype=np.int64)
        self.by_index: list[Municipality] = [
            (Centrumstad if self.centre[i] else Municipality)(self, i) for i in range(n)
        ]
        self.scale_factor = np.array([a.scale_factor for a in self.by_index])
        # the decide phase: menus are computed in batches and recomputed only for those
        # whose options a move may have changed (see decide_all)
        self._menus: dict[int, decisions.Menu] = {}
        self._stale = np.ones(n, dtype=bool)
        self._pending = np.zeros(n, dtype=bool)
        self.next_igs_id = 0
        self.counts = dict.fromkeys(("joins", "leaves", "voluntary_leaves", "foundings", "dissolutions",
                                     "breakups_recognised", "mergers"), 0)
        self.networked_ids: set[int] = set()
        # recognition runs to the end of its period: the IGS recognised for the current one
        self.recognised_until: dict[int, int] = {}
        self.granted_ids: set[int] = set()
        # EUR per inhabitant a recognised IGS's area draws from the small projects line this year
        self.project_rate = 0.0
        # running balance of each member's realised money (EUR), 'what's in it for us?'
        self.balance = np.zeros(n)
        # and of what it paid (EUR, same memory): the balance per euro paid is what weighs
        self.paid = np.zeros(n)
        # per-municipality accounts of the year (0 outside an IGS)
        self.contribution = np.zeros(n)
        self.subsidy_share = np.zeros(n)
        self.net_benefit = np.zeros(n)
        self.agenda_share = np.zeros(n)
        self.current: dict[str, float] = {}
        # yearly indicators and the event and IGS tables go through Mesa's DataCollector; the
        # per-municipality state is recorded as whole arrays (one copy per year), which costs
        # a fraction of calling a reporter per agent (docs/performance.md)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_metric, name=name) for name in YEARLY_METRICS},
            tables={"events": EVENT_COLUMNS, "igs": IGS_COLUMNS},
        )
        self.membership_records: list[dict[str, np.ndarray]] = []
        if cfg.start.mode == "real_2025":
            self.start_from_real_landscape()

    def start_from_real_landscape(self) -> None:
        """The real IGS cultuur, recognised, members since 2020, trust grown over their years
        together; recorded as the year before start_year (the state of 2025)."""
        if not self.real.igs:
            raise ConfigError("start", "real_2025", "empty (this data has no igs_cultuur_2020_2025.csv)")
        beh = self.cfg.behaviour
        self.year = self.cfg.start_year - 1
        # the decade before (2016-2025) left untended ties where informal contact and erosion
        # balance; ties inside the real IGS grew over their years together (below)
        rows, cols = self.adjacent_pairs
        for _ in range(PRE_HISTORY_YEARS):
            self.trust[rows, cols] += beh.informal_networking * (1.0 - self.trust[rows, cols])
            self.trust.erode(beh.trust_erosion)
        for real in self.real.igs:
            g = IGS(self.next_igs_id, real.since, [int(i) for i in real.members], name=real.name, recognised=True)
            # recognised for the first period (2020-2026) or, from a later start, the period it starts in
            self.recognised_until[g.igs_id] = policy.period_end(self.cfg.incentive, self.cfg.start_year)
            self.next_igs_id += 1
            self.igs[g.igs_id] = g
            self.member_of[real.members] = g.igs_id
            self.joined_year[real.members] = real.since
            self._meet(real.members)
            years = self.year - real.since
            grown = 1.0 - (1.0 - beh.trust_initial) * (1.0 - beh.trust_gain) ** years
            block = self.trust[np.ix_(real.members, real.members)]
            self.trust[np.ix_(real.members, real.members)] = np.maximum(block, grown)
        self.granted_ids = set(self.recognised_until)
        self.settle_accounts()
        self.measure()
        self.datacollector.collect(self)
        self.record_membership()
        self.year += 1
    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        self.start_of_year()
        self.apply_policy()
        self.decide_all()
        if policy.is_renewal_year(self.cfg.incentive, self.year):
            self.merge_to_renew()
            self.renew_or_disband()
        self.dissolve_failing()
        self.settle_accounts()
        self.measure()
        self.datacollector.collect(self)
        self.record_membership()
        self.year += 1
        self.running = self.year <= self.cfg.end_year

    def run(self) -> CooperationModel:
        while self.year <= self.cfg.end_year:
            self.step()
        return self

    def start_of_year(self) -> None:
        beh, n = self.cfg.behaviour, self.land.n
        self.granted_ids = {k for k, until in self.recognised_until.items() if until >= self.year}
        covered = sum(float(self.population[self.igs[k].members].sum()) for k in self.granted_ids if k in self.igs)
        self.project_rate = policy.small_projects_rate(self.cfg.incentive, self.year, covered)
        self.counts = dict.fromkeys(self.counts, 0)
        self.shocked = self.rng.random(n) < beh.budget_shock_probability
        self.budget_pressure = np.where(self.shocked, 1.0 / (1.0 - beh.budget_shock_size), 1.0)
        p_turnover = beh.turnover_probability * (beh.election_boost if policy.is_legislature_start(beh, self.year)
                                                 else 1.0)
        new_faces = np.flatnonzero(self.rng.random(n) < min(1.0, p_turnover))
        if new_faces.size:
            # all trust to and from a new face moves back towards trust_initial; only pairs
            # that have met differ from it, so only they need the update
            known = [np.fromiter(self.met[i], dtype=np.int64, count=len(self.met[i])) for i in new_faces]
            faces = np.repeat(new_faces, [len(k) for k in known])
            others = np.concatenate([*known, np.zeros(0, np.int64)])
            self.trust[faces, others] = trust.towards_baseline(self.trust[faces, others], beh.trust_initial,
                                                               beh.turnover_trust_drop)
            self.trust[others, faces] = trust.towards_baseline(self.trust[others, faces], beh.trust_initial,
                                                               beh.turnover_trust_drop)

    def _meet(self, members: np.ndarray | list[int]) -> None:
        """The members of an IGS have met: their trust may from now on differ from trust_initial."""
        group = set(int(m) for m in members)
        for m in group:
            self.met[m] |= group - {m}

    def apply_policy(self) -> None:
        inc = self.cfg.incentive
        for g in self.igs.values():   # a network granted in last year's round starts now
            if g.network_from == self.year:
                g.network = True
                self.networked_ids.add(g.igs_id)
        if policy.is_network_round(inc, self.year):
            # recognised IGS without a network take up the call (drawn in IGS order), and apply if
            # their members gain from it, for the next years (seed 004: applications from April
            # 2026 for 2027-2032)
            for g in self.igs.values():
                if (g.recognised and not g.network and not g.network_from
                        and self.uptake_rng.random() < inc.network_uptake and decisions.wants_network(self, g)):
                    g.network_from = self.year + 1
        rule = self.cfg.region_rule
        if policy.region_rule_in_force(rule, self.year):
            for g in list(self.igs.values()):
                members = np.array(g.members)
                if policy.spans_regions(self.region[members]):
                    home = policy.home_region(self.region[members], self.population[members])
                    for i in members[self.region[members] != home]:
                        if g.igs_id in self.igs:
                            self.leave(int(i), reason="region_rule")

    def decide_all(self) -> None:
        """Every municipality, in random order, weighs its options and may act on them.

        Decisions are sequential (each sees the moves made before it), but menus are
        evaluated in batches: all at once, then again only for municipalities still to
        decide whose options a move may have changed (involved in it or next door)."""
        self._stale[:] = True
        self._pending[:] = True
        self._menus.clear()
        self.agents.shuffle_do("decide")

    def menu(self, i: int) -> decisions.Menu:
        """Municipality i's options now (see decide_all)."""
        self._pending[i] = False
        if self._stale[i]:
            todo = np.flatnonzero(self._stale & self._pending)
            todo = np.append(todo, i)
            self._menus.update(decisions.menus(self, todo))
            self._stale[todo] = False
        return self._menus[i]

    def skip(self, i: int) -> None:
        """Municipality i does not deliberate this year."""
        self._pending[i] = False

    def _moved(self, involved: list[int] | np.ndarray) -> None:
        """After a move: the options of the municipalities involved (all members of the IGS
        concerned and the mover), and of everyone next door to them, may have changed (an IGS
        is reached through a member next door)."""
        involved = np.asarray(involved, dtype=np.int64)
        if involved.size:
            self._stale[involved] = True
            deg = self.nb_ptr[involved + 1] - self.nb_ptr[involved]
            self._stale[self.nb_flat[decisions.ragged_arange(self.nb_ptr[involved], deg)]] = True

    def contiguous(self, members: np.ndarray) -> bool:
        """Whether these municipalities are one territory on the map (`policy.contiguous`)."""
        members = np.asarray(members, dtype=np.int64)
        return bool(kernels.contiguous_sets(members, np.array([0, len(members)], np.int64), self.nb_ptr,
                                            self.nb_flat)[0])

    def renewable(self, members: list[int] | np.ndarray, already_recognised: bool = True) -> bool:
        """Whether these members could be recognised at this year's application: the norm, or
        the transition for an IGS already recognised, one territory for the members rule, one
        region once the rule is in force. The one test of a renewal (`settle_accounts`) and of
        a merger (`merge_to_renew`)."""
        members = np.asarray(members, dtype=np.int64)
        return policy.is_recognised(float(self.population[members].sum()), len(members), self.contiguous(members),
                                    policy.spans_regions(self.region[members]), self.cfg.incentive,
                                    self.cfg.region_rule, self.year, already_recognised=already_recognised)

    def merge_to_renew(self) -> None:
        """At an application, a recognised IGS that could not be renewed as it is (below the norm
        once the transition is over: its area must grow) may merge with an IGS next door, if the
        merged IGS could be recognised (in one region once cross-region partnerships are no
        longer allowed) and the median members of both gain from it (`decisions.merger_gain`).
        The one with more inhabitants (on a tie, the partner) keeps its name, recognition and
        network, unless only the failing one is recognised. Tried in the order of the IGS ids,
        each with the partner whose members gain least gains most; an IGS renewable after a
        merger seeks no other."""
        if not self.cfg.igs.mergers:
            return
        rule = self.cfg.region_rule
        renewable_ids = {k for k in self.granted_ids if k in self.igs and self.renewable(self.igs[k].members)}
        for gid in sorted(self.granted_ids - renewable_ids):
            g = self.igs.get(gid)
            if g is None or gid in renewable_ids:
                continue
            best, best_gain = None, 0.0
            for h in self.igs_next_door(g):
                merged = g.members + h.members
                spans = policy.spans_regions(self.region[merged])
                if not self.renewable(merged) or (spans and not policy.cross_region_allowed(rule, self.year)):
                    continue
                gain = decisions.merger_gain(self, g, h, renewable_ids)
                if gain >= best_gain:
                    best, best_gain = h, gain
            if best is not None:
                keep_other = best.igs_id in self.granted_ids and (self.population[best.members].sum()
                                                                  >= self.population[g.members].sum())
                into, absorbed = (best, g) if keep_other else (g, best)
                self.merge(absorbed, into)
                renewable_ids.add(into.igs_id)

    def igs_next_door(self, g: IGS) -> list[IGS]:
        """The other IGS with a member bordering one of g's members, in the order of their ids."""
        members = np.array(g.members, dtype=np.int64)
        starts = self.nb_ptr[members]
        around = self.member_of[self.nb_flat[decisions.ragged_arange(starts, self.nb_ptr[members + 1] - starts)]]
        return [self.igs[k] for k in sorted(set(around[(around >= 0) & (around != g.igs_id)].tolist()))]

    def merge(self, absorbed: IGS, into: IGS) -> None:
        """The members of `absorbed` move into `into` (reason merger; neither a leave by choice nor
        a breakup, and not counted in the year's leaves and joins): they keep their tenure and
        running balance, the partnership goes on, and so does a network either of them ran."""
        moving = list(absorbed.members)
        for i in moving:
            self._event("leave", absorbed.igs_id, i, "merger")
        if absorbed.network and not into.network:
            into.network = True
            self.networked_ids.add(into.igs_id)
        elif absorbed.network_from and not (into.network or into.network_from):
            into.network_from = absorbed.network_from
        self._remove(absorbed, "merger")
        for i in moving:
            into.add(i)
            self.member_of[i] = into.igs_id
            self._event("join", into.igs_id, i, "merger")
        self._moved(into.members)
        self._meet(into.members)
        self.counts["mergers"] += 1

    def renew_or_disband(self) -> None:
        """At the end of a period each recognised IGS decides as a body whether to apply for the
        next: if its median member now values staying below leaving (free in a renewal year),
        the councils do not renew the co-financing and the IGS disbands (digest P6: breakups
        when trust erodes, around budget pressure and elections; assumption: a median vote)."""
        groups = [g for g in self.igs.values() if g.recognised]
        if not groups:
            return
        members = np.concatenate([np.array(g.members, dtype=np.int64) for g in groups])
        menus = decisions.menus(self, members)
        stay = {i: float(m.utilities[m.kinds == decisions.STAY][0]) for i, m in menus.items()}
        for g in groups:
            if np.median([stay[i] for i in g.members]) < 0.0:
                self.dissolve(g, reason="no_renewal")

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
        groups = list(self.igs.values())
        self.balance *= beh.balance_memory
        self.paid *= beh.balance_memory
        if groups:
            # every member takes stock of its own IGS: one candidate per member
            sets = [np.array(g.members) for g in groups]
            cand = Candidates.of([(int(i), m) for m in sets for i in m])
            cand.igs_id = np.concatenate([np.full(len(m), g.igs_id) for g, m in zip(groups, sets)]).astype(np.int64)
            ev = evaluate(self, cand)
            econ, realised = ev.economics, ev.terms.material
            first = 0
            for g, members in zip(groups, sets):
                n = len(members)
                lo, hi = econ.ptr[first], econ.ptr[first + 1]   # the set as seen by its first member
                g.economics = Economics(
                    members=members, population=float(econ.population[first]), need=float(econ.need[first]),
                    recognised=bool(ev.recognised[first]), contributions=econ.contributions[lo:hi],
                    subsidy=float(econ.subsidy[first]),
                    subsidy_shares=econ.subsidy[first] * econ.population_share[lo:hi],
                    returned=econ.returned[lo:hi], paid_fte=float(econ.paid_fte[first]),
                    host=int(econ.host[first]), coordination_fte=np.full(n, econ.coordination_fte[first]),
                    agenda_share=econ.agenda_share[lo:hi], population_share=econ.population_share[lo:hi],
                    dominance=metrics.dominance_index(econ.agenda_share[lo:hi], econ.population_share[lo:hi]),
                    centre_excess=metrics.centre_excess(econ.agenda_share[lo:hi], econ.population_share[lo:hi],
                                                        self.centre[members]))
                g.recognised = g.economics.recognised
                if not g.recognised and (g.network or g.network_from):   # a network needs a recognised IGS
                    g.network, g.network_from = False, 0
                    self.networked_ids.discard(g.igs_id)
                # an application for the next period granted
                if g.recognised and policy.recognition_open(self.cfg.incentive, self.year) and self.renewable(
                        members, already_recognised=g.igs_id in self.granted_ids):
                    self.recognised_until[g.igs_id] = max(self.recognised_until.get(g.igs_id, 0),
                                                          policy.granted_until(self.cfg.incentive, self.year))
                g.unrecognised_years = 0 if g.recognised else g.unrecognised_years + 1
                self.contribution[members] = g.economics.contributions
                self.subsidy_share[members] = g.economics.subsidy_shares
                self.agenda_share[members] = g.economics.agenda_share
                self.net_benefit[members] = realised[first:first + n]
                self.balance[members] += ev.realised_money[first:first + n]
                self.paid[members] += g.economics.contributions
                first += n
            # all IGS at once (their member sets are disjoint, so one read and one write of trust
            # give what a read and a write per IGS gave)
            excess = np.concatenate([g.economics.agenda_share - g.economics.population_share for g in groups])
            self.trust_after_year(sets, realised, excess)
        rows, cols = self.adjacent_pairs
        self.trust[rows, cols] += beh.informal_networking * (1.0 - self.trust[rows, cols])
        # untended trust decays towards that of strangers, inside IGS and out (only pairs that
        # have met differ from trust_initial); the diagonal stays 1
        self.trust.erode(beh.trust_erosion)

    def trust_after_year(self, sets: list[np.ndarray], realised: np.ndarray, excess: np.ndarray) -> None:
        """The members' trust in each other after the year, for every IGS (`sets`, their members;
        `realised`, `excess`: per member, set after set): each member's trust in its partners
        follows its realised return; a centre city that took more than its share of the
        agenda (excess agenda over population share) loses trust (digest Mechanisms 5 and 6)."""
        beh = self.cfg.behaviour
        sizes = np.array([len(m) for m in sets], dtype=np.int64)
        flat = np.concatenate(sets).astype(np.int64)
        row, col = member_blocks(sizes)
        rows, cols = flat[row], flat[col]
        block = self.trust[rows, cols]
        updated = trust.update(block, realised[row], beh.trust_gain, beh.trust_loss)
        dominant = (self.centre[flat] & (excess > 0))[col]
        if dominant.any():
            severity = np.minimum(1.0, excess[col[dominant]] / beh.dominance_tolerance)
            updated[dominant] = trust.update(updated[dominant], -1.0, 0.0, beh.trust_loss * severity)
        self.trust[rows, cols] = np.where(rows == cols, block, updated)

    # ------------------------------------------------------------------ moves
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
            partners = decisions.accepts_founding(self, members[1:], members)
            if partners:
                # at the end of a period members may split off together from their IGS
                before = self.member_of[[i, *partners]].copy()
                splitting = before[0] >= 0 and (before[1:] == before[0]).any()
                for j, was in zip([i, *partners], before):
                    if self.member_of[j] >= 0:   # (its IGS may have dissolved as the others left)
                        self.leave(j, reason="split" if splitting and was == before[0] else "switch")
                self.found([i, *partners])

    def join(self, i: int, g: IGS) -> None:
        g.add(i)
        self.member_of[i] = g.igs_id
        self.joined_year[i] = self.year
        self.balance[i] = self.paid[i] = 0.0
        self._moved(g.members)
        self._meet(g.members)
        self.counts["joins"] += 1
        self._event("join", g.igs_id, i, "choice")

    def found(self, members: list[int]) -> IGS:
        """A new IGS: one 'found' event for the initiator, a 'join' (reason founding) per partner."""
        g = IGS(self.next_igs_id, self.year, list(members), name=f"IGS {self.land.name[members[0]]}")
        self.next_igs_id += 1
        self.igs[g.igs_id] = g
        self.member_of[members] = g.igs_id
        self.joined_year[members] = self.year
        self.balance[members] = self.paid[members] = 0.0
        self._moved(members)
        self._meet(members)
        self.counts["foundings"] += 1
        self._event("found", g.igs_id, members[0], "initiative")
        for i in members[1:]:
            self._event("join", g.igs_id, i, "founding")
        return g

    def leave(self, i: int, reason: str) -> None:
        g = self.igs[int(self.member_of[i])]
        self._moved([*g.members])
        g.remove(i)
        self.member_of[i] = -1
        self.counts["leaves"] += 1
        self.counts["voluntary_leaves"] += reason in VOLUNTARY
        self.balance[i] = self.paid[i] = 0.0
        self._event("leave", g.igs_id, i, reason)
        if reason in (*VOLUNTARY, "region_rule") and g.members:
            # a partner walking out, or being pushed out by the region rule, costs trust on
            # both sides (the study calls the realignment forced and paralysing)
            rest = np.array(g.members)
            beh = self.cfg.behaviour
            self.trust[rest, i] = trust.update(self.trust[rest, i], -1.0, beh.trust_gain, beh.trust_loss)
            if reason == "region_rule":
                self.trust[i, rest] = trust.update(self.trust[i, rest], -1.0, beh.trust_gain, beh.trust_loss)
        if len(g.members) < 2:
            self.dissolve(g, reason="too_few_members")

    def dissolve(self, g: IGS, reason: str) -> None:
        """The last members leave (reason dissolution) and the IGS is gone."""
        self._moved(g.members)
        for i in g.members:
            self.member_of[i] = -1
            self._event("leave", g.igs_id, i, "dissolution")
        self._remove(g, reason)
        self.counts["dissolutions"] += 1
        self.counts["breakups_recognised"] += g.recognised

    def _remove(self, g: IGS, reason: str) -> None:
        """The IGS is gone, with its recognition and network (a dissolution or a merger)."""
        g.members.clear()
        del self.igs[g.igs_id]
        self.networked_ids.discard(g.igs_id)
        self.granted_ids.discard(g.igs_id)
        self.recognised_until.pop(g.igs_id, None)
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
        in_igs = self.member_of >= 0
        sizes = np.array([len(g.members) for g in groups])
        popsizes = np.array([g.economics.population for g in groups])
        dominance = np.array([g.economics.dominance for g in groups])
        with_centre = [g for g in groups if self.centre[g.members].any()]
        ginis = np.array([metrics.gini(self.net_benefit[g.members]) for g in groups])
        spans = np.array([policy.spans_regions(self.region[g.members]) for g in groups], dtype=bool)
        bounds = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        members_flat = np.fromiter((m for g in groups for m in g.members), dtype=np.int64, count=int(bounds[-1]))
        pair_trust = self.mean_pair_trust(members_flat, bounds)
        one_territory = kernels.contiguous_sets(members_flat, bounds, self.nb_ptr, self.nb_flat).tolist()
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
            "mean_trust_neighbours": float(self.trust[self.adjacent_pairs].mean()) if len(self.adjacent_pairs[0]) else nan,
            "joins": self.counts["joins"],
            "leaves": self.counts["leaves"],
            "voluntary_leaves": self.counts["voluntary_leaves"],
            "foundings": self.counts["foundings"],
            "dissolutions": self.counts["dissolutions"],
            "breakups_recognised": self.counts["breakups_recognised"],
            "mergers": self.counts["mergers"],
            "n_networks": int(sum(g.network for g in groups)),
            "centre_members": int((in_igs & self.centre).sum()),
            "cross_region_igs": int(spans.sum()),
            "subsidy_total_eur": float(sum(g.economics.subsidy for g in groups)),
            "budget_shocks": int(self.shocked.sum()),
            "legislature_start": policy.is_legislature_start(self.cfg.behaviour, self.year),
        }
        for g, gi, sp, ct in zip(groups, ginis, spans, one_territory):
            e = g.economics
            self.datacollector.add_table_row("igs", {
                "year": self.year, "igs_id": g.igs_id, "igs_name": g.name, "n_members": len(g.members),
                "population": e.population,
                "recognised": g.recognised, "subsidy_eur": e.subsidy, "paid_fte": e.paid_fte,
                "host_nis": int(self.land.nis[e.host]) if e.host >= 0 else None, "dominance": e.dominance,
                "centre_excess": e.centre_excess, "gini_net_benefit": float(gi), "spans_regions": bool(sp),
                "contiguous": ct, "network": g.network, "age": g.age(self.year),
            })

    def mean_pair_trust(self, flat: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Each IGS's mean trust over its ordered pairs of members (one lookup for all IGS, in
        the order and summation of the per-IGS matrix without its diagonal)."""
        sizes = np.diff(bounds)
        row, col = member_blocks(sizes)
        rows, cols = flat[row], flat[col]
        off_diagonal = rows != cols
        values = self.trust[rows[off_diagonal], cols[off_diagonal]]
        pairs = sizes * (sizes - 1)
        sums = kernels.segment_reduce(values, np.concatenate([[0], np.cumsum(pairs)]).astype(np.int64))
        with np.errstate(invalid="ignore"):
            return np.where(pairs > 0, sums / np.maximum(pairs, 1), np.nan)

    def record_membership(self) -> None:
        n = self.land.n
        self.membership_records.append({
            "year": np.full(n, self.year, dtype=np.int16), "nis": self.land.nis.astype(np.int32),
            "igs_id": self.member_of.copy(), "contribution_eur": self.contribution.copy(),
            "subsidy_eur": self.subsidy_share.copy(), "net_benefit": self.net_benefit.copy(),
            "agenda_share": self.agenda_share.copy(), "balance_eur": self.balance.copy(),
            "budget_shock": self.shocked.copy(),
            "identity": self.identity.astype(float),
        })

    def membership_frame(self) -> pd.DataFrame:
        """One row per municipality per year (igs_id -1 outside an IGS)."""
        if not self.membership_records:
            return pd.DataFrame(columns=MEMBERSHIP_COLUMNS)
        return pd.DataFrame({c: np.concatenate([r[c] for r in self.membership_records])
                             for c in MEMBERSHIP_COLUMNS})


MEMBERSHIP_COLUMNS = ("year", "nis", "igs_id", "contribution_eur", "subsidy_eur", "net_benefit", "agenda_share",
                      "balance_eur", "budget_shock", "identity")


def _metric(model: CooperationModel, name: str):
    return model.current[name]


YEARLY_METRICS = ("year", "n_igs", "n_recognised", "coverage_municipalities", "coverage_population",
                  "mean_members", "max_members", "share_igs_above_norm", "share_igs_at_most_12_members",
                  "dominance_mean", "dominance_max", "centre_excess_mean", "gini_net_benefit",
                  "mean_trust_members", "mean_trust_neighbours", "joins", "leaves", "voluntary_leaves", "foundings",
                  "dissolutions", "breakups_recognised", "mergers", "n_networks", "centre_members", "cross_region_igs", "subsidy_total_eur", "budget_shocks", "legislature_start")
