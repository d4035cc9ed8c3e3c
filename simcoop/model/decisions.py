"""How a municipality weighs its options each year: menus of options, logit choice, votes.

A municipality's menu holds, in a fixed order: stay (in its IGS, or alone), leave (if it
is in one), join each reachable IGS (by IGS id), and found a new IGS with trusted
unaffiliated neighbours. `menus` builds the menus of many municipalities at once,
evaluates all their options in one vectorised pass (simcoop.model.evaluation) and turns the
utilities into choice probabilities (multinomial logit); `Menu.pick` draws the choice.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simcoop.model import kernels, policy, utility
from simcoop.model.evaluation import Candidates, evaluate

if TYPE_CHECKING:
    from simcoop.model.igs import IGS
    from simcoop.model.model import CooperationModel

STAY, LEAVE, JOIN, FOUND = 0, 1, 2, 3
KINDS = ("stay", "leave", "join", "found")


@dataclass
class Option:
    kind: str                  # "stay", "leave", "join", "found"
    igs: IGS | None            # the IGS joined or stayed in
    members: np.ndarray | None  # the member set after the move (with the chooser)
    utility: float


@dataclass
class Menu:
    """One municipality's options this year, as parallel arrays in menu order."""
    kinds: np.ndarray            # STAY, LEAVE, JOIN or FOUND
    igs_ids: np.ndarray          # the IGS stayed in or joined; -1 otherwise
    utilities: np.ndarray
    cdf: np.ndarray              # cumulative logit probabilities
    founding_members: np.ndarray | None  # the founder first, then its partners

    def pick(self, rng: np.random.Generator) -> int:
        """Draw an option from one uniform number (the draw `rng.choice(n, p=...)` makes)."""
        return int(self.cdf.searchsorted(rng.random(), side="right"))

    def option(self, model: CooperationModel, k: int) -> Option:
        kind = int(self.kinds[k])
        igs = model.igs.get(int(self.igs_ids[k])) if self.igs_ids[k] >= 0 else None
        members = self.founding_members if kind == FOUND else None
        return Option(KINDS[kind], igs, members, float(self.utilities[k]))


def logit_probabilities(utilities: np.ndarray, temperature: float) -> np.ndarray:
    """Multinomial logit: P(k) proportional to exp(U_k / T), computed stably; along the
    last axis, so a (menus x options) table gives one distribution per row (-inf: no option)."""
    u = np.asarray(utilities, dtype=float) / temperature
    p = np.exp(u - u.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def logit_cdf(utilities: np.ndarray, temperature: float) -> np.ndarray:
    """Cumulative logit probabilities of each row of a padded (menus x options) table
    (padding -inf), as `Generator.choice` computes them from the probabilities."""
    cdf = logit_probabilities(utilities, temperature).cumsum(axis=1)
    return cdf / cdf[np.arange(len(cdf)), np.isfinite(utilities).sum(axis=1) - 1][:, None]


def ragged_arange(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ranges [starts[k], starts[k] + counts[k]): gathers ragged slices at once."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + np.arange(total) - offsets


def menus(model: CooperationModel, agents: np.ndarray) -> dict[int, Menu]:
    """The menus of these municipalities in the current state, evaluated in one pass."""
    beh, n_feasible = model.cfg.behaviour, model.cfg.igs.feasible_members
    agents = np.asarray(agents, dtype=np.int64)
    member_of = model.member_of
    cur = member_of[agents]                       # IGS id, -1 outside an IGS
    own = model.region[agents]
    own_region_only = not policy.cross_region_allowed(model.cfg.region_rule, model.year)
    renewal = policy.is_renewal_year(model.cfg.incentive, model.year)
    exit_cost = exit_cost_now(model)
    span = max(model.next_igs_id, 1)              # encodes (row, IGS id) pairs as row * span + id

    # neighbours of every agent, gathered once (reachable IGS and founding partners)
    deg = model.nb_ptr[agents + 1] - model.nb_ptr[agents]
    nb_row = np.repeat(np.arange(len(agents)), deg)
    nbrs = model.nb_flat[ragged_arange(model.nb_ptr[agents], deg)]

    # reachable IGS: those with a member next door (cooperation on culture is territorial: all
    # 19 real IGS are one territory, and a joiner next door keeps an IGS one)
    next_door = member_of[nbrs] >= 0
    pairs = np.unique(nb_row[next_door] * span + member_of[nbrs[next_door]])
    j_row, j_id = pairs // span, pairs % span
    keep = j_id != cur[j_row]
    j_row, j_id = j_row[keep], j_id[keep]

    # the IGS concerned, as local columns in id order: members flat[ptr[c]:ptr[c + 1]]
    ids = np.unique(np.concatenate([j_id, cur[cur >= 0]]))
    groups = [model.igs[int(c)].members for c in ids]
    gsize = np.array([len(m) for m in groups], dtype=np.int64)
    gptr = np.concatenate([[0], np.cumsum(gsize)]).astype(np.int64)
    gflat = np.fromiter((m for g in groups for m in g), dtype=np.int64, count=int(gptr[-1]))
    j_col = np.searchsorted(ids, j_id)
    if own_region_only and len(ids):
        region_lo = np.minimum.reduceat(model.region[gflat], gptr[:-1])
        region_hi = np.maximum.reduceat(model.region[gflat], gptr[:-1])
        keep = (region_lo[j_col] == own[j_row]) & (region_hi[j_col] == own[j_row])
        j_row, j_col = j_row[keep], j_col[keep]
    n_cols = len(ids)

    # founding partners: unaffiliated neighbours trusted enough, most trusted first; at the end
    # of a recognition period also partners from one's own IGS (a split)
    ok = member_of[nbrs] < 0
    if renewal:
        ok |= (member_of[nbrs] >= 0) & (member_of[nbrs] == cur[nb_row])
    ok &= model.trust[agents[nb_row], nbrs] >= beh.founding_trust
    if own_region_only:
        ok &= model.region[nbrs] == own[nb_row]
    f_row, f_nb = nb_row[ok], nbrs[ok]
    order = np.lexsort((-model.trust[agents[f_row], f_nb], f_row))  # stable: ties keep neighbour order
    f_row, f_nb = f_row[order], f_nb[order]
    rank = np.arange(len(f_row)) - np.searchsorted(f_row, f_row)
    f_row, f_nb = f_row[rank < n_feasible - 1], f_nb[rank < n_feasible - 1]
    founders, f_count = np.unique(f_row, return_counts=True)

    # the candidate sets: stay (own IGS), join (IGS plus the agent), found (agent plus partners)
    s_row = np.flatnonzero(cur >= 0)
    s_col = np.searchsorted(ids, cur[s_row])
    stay_sets = gflat[ragged_arange(gptr[s_col], gsize[s_col])]
    join_len = gsize[j_col] + 1
    join_sets = np.empty(int(join_len.sum()), np.int64)
    last = np.cumsum(join_len) - 1
    join_sets[last] = agents[j_row]
    body = np.ones(len(join_sets), bool)
    body[last] = False
    join_sets[body] = gflat[ragged_arange(gptr[j_col], gsize[j_col])]
    found_len = f_count + 1
    found_sets = np.empty(int(found_len.sum()), np.int64)
    first = np.cumsum(found_len) - found_len
    found_sets[first] = agents[founders]
    head = np.zeros(len(found_sets), bool)
    head[first] = True
    found_sets[~head] = f_nb
    lengths = np.concatenate([gsize[s_col], join_len, found_len])
    cand = Candidates(chooser=agents[np.concatenate([s_row, j_row, founders])],
                      flat=np.concatenate([stay_sets, join_sets, found_sets]),
                      ptr=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                      igs_id=np.concatenate([ids[s_col], ids[j_col], np.full(len(founders), -1)]).astype(np.int64))
    total = np.zeros(0)
    if len(cand):
        ev = evaluate(model, cand)
        total = ev.terms.total
    n_s, n_j = len(s_row), len(j_row)
    found_util = total[n_s + n_j:] + utility.founding_cost(ev.mean_trust[n_s + n_j:], beh.founding_cost) \
        if len(founders) else np.zeros(0)

    # the option table, sorted into menu order
    alone = np.flatnonzero(cur < 0)
    rows = np.concatenate([s_row, s_row, alone, j_row, founders])
    rank_in_menu = np.concatenate([np.zeros(n_s), np.ones(n_s), np.zeros(len(alone)), 2 + j_col,
                                   np.full(len(founders), 2 + n_cols)])
    kinds = np.concatenate([np.full(n_s, STAY), np.full(n_s, LEAVE), np.full(len(alone), STAY),
                            np.full(n_j, JOIN), np.full(len(founders), FOUND)])
    igs_ids = np.concatenate([ids[s_col], np.full(n_s, -1), np.full(len(alone), -1), ids[j_col],
                              np.full(len(founders), -1)])
    # leaving, switching or splitting off within a recognition period breaks an agreement
    moving_out = exit_cost * np.concatenate([(cur[j_row] >= 0), (cur[founders] >= 0)])
    utils = np.concatenate([value_of_staying(model, agents[s_row], total[:n_s]),
                            np.full(n_s, -exit_cost),
                            np.full(len(alone), utility.inertia(0, beh.maturity_years, beh.inertia)),
                            np.concatenate([total[n_s:n_s + n_j], found_util]) - moving_out])
    order = np.lexsort((rank_in_menu, rows))
    rows, kinds, igs_ids, utils = rows[order], kinds[order], igs_ids[order], utils[order]
    bounds = np.searchsorted(rows, np.arange(len(agents) + 1))
    lengths = np.diff(bounds)
    table = np.full((len(agents), int(lengths.max())), -np.inf)
    table[rows, np.arange(len(rows)) - bounds[rows]] = utils
    cdf = logit_cdf(table, beh.temperature)
    found_at = dict(zip(founders.tolist(), range(len(founders))))
    found_start = n_s + n_j
    out: dict[int, Menu] = {}
    for r, a in enumerate(agents.tolist()):
        lo, hi = bounds[r], bounds[r + 1]
        f = found_at.get(r)
        members = None
        if f is not None:
            s = found_start + f
            members = cand.flat[cand.ptr[s]:cand.ptr[s + 1]]
        out[a] = Menu(kinds[lo:hi], igs_ids[lo:hi], utils[lo:hi], cdf[r, :hi - lo], members)
    return out


def options(model: CooperationModel, i: int) -> list[Option]:
    """Municipality i's menu as a list of options (for inspection and tests)."""
    menu = menus(model, np.array([i]))[i]
    return [menu.option(model, k) for k in range(len(menu.kinds))]


def exit_cost_now(model: CooperationModel) -> float:
    """Leaving, switching or splitting off within a recognition period breaks an agreement;
    in a renewal year it is free."""
    return 0.0 if policy.is_renewal_year(model.cfg.incentive, model.year) else model.cfg.behaviour.exit_cost


def value_of_staying(model: CooperationModel, members: np.ndarray, total: np.ndarray) -> np.ndarray:
    """What staying in its own IGS is worth to each member: the IGS's terms (`total`), inertia
    growing with tenure (path dependence) and the running balance per euro paid ('for every
    cent contributed one counts on a return')."""
    beh = model.cfg.behaviour
    tenure = model.year - model.joined_year[members]
    paid = model.paid[members]
    history = beh.w_balance * np.divide(model.balance[members], paid, out=np.zeros(len(members)), where=paid > 0)
    return total + utility.inertia(tenure, beh.maturity_years, beh.inertia) + history


def accepts_newcomer(model: CooperationModel, g: IGS, newcomer: int) -> bool:
    """The members vote: the median member must not lose from the newcomer, in material terms
    (money, scale, the newcomer's weight on the agenda) or in shared identity."""
    n = len(g.members)
    chooser, flat, ptr = kernels.vote_sets(np.array(g.members, dtype=np.int64), newcomer)
    votes = Candidates(chooser=chooser, flat=flat, ptr=ptr, igs_id=np.full(2 * n, g.igs_id, dtype=np.int64))
    terms = evaluate(model, votes).terms
    values = terms.material + terms.identity
    return statistics.median((values[:n] - values[n:]).tolist()) >= 0.0


def merger_gain(model: CooperationModel, g: IGS, h: IGS, renewable_ids: set[int]) -> float:
    """Two IGS vote on merging at an application: each member weighs the merged IGS against its
    own as it would stand in the next period, in material terms and shared identity, as for a
    newcomer. The merged IGS is weighed as recognised and running a network if either does;
    an own IGS as recognised and keeping its network only if it can be renewed as it is
    (`renewable_ids`; otherwise it applies anew, under this year's norm). The smaller of the
    two median gains: a merger needs both."""
    a, b = np.array(g.members, dtype=np.int64), np.array(h.members, dtype=np.int64)
    merged = np.concatenate([a, b])
    merged_id = model.next_igs_id   # no IGS has this id yet: it marks the merged set as recognised
    cand = Candidates.of([(int(i), merged) for i in a] + [(int(i), a) for i in a]
                         + [(int(i), merged) for i in b] + [(int(i), b) for i in b])
    cand.igs_id = np.repeat(np.array([merged_id, g.igs_id, merged_id, h.igs_id], dtype=np.int64),
                            [len(a), len(a), len(b), len(b)])
    either = g.network or h.network
    keeps = [g.network and g.igs_id in renewable_ids, h.network and h.igs_id in renewable_ids]
    network = np.repeat([either, keeps[0], either, keeps[1]], [len(a), len(a), len(b), len(b)])
    terms = evaluate(model, cand, network=network, granted_ids=renewable_ids | {merged_id}).terms
    values = terms.material + terms.identity
    n, m = len(a), len(b)
    return min(statistics.median((values[:n] - values[n:2 * n]).tolist()),
               statistics.median((values[2 * n:2 * n + m] - values[2 * n + m:]).tolist()))


def wants_network(model: CooperationModel, g: IGS) -> bool:
    """The members vote on applying for a leisure-participation network: the median member must
    not lose in material terms from the network's money and tasks, weighed under this year's
    rules (seed 004: an IGS *can* apply; the work falls on its members)."""
    members = np.array(g.members, dtype=np.int64)
    n = len(members)
    cand = Candidates.of([(int(i), members) for i in members] * 2)   # with the network, then without
    cand.igs_id = np.full(2 * n, g.igs_id, dtype=np.int64)
    value = evaluate(model, cand, network=np.arange(2 * n) < n).terms.material
    return statistics.median((value[:n] - value[n:]).tolist()) >= 0.0


def founding_alternative(model: CooperationModel, who: np.ndarray) -> np.ndarray:
    """What each of these municipalities gives up by founding: staying alone, or (a member
    splitting off) staying in its own IGS as its own menu values staying, plus the exit cost."""
    beh = model.cfg.behaviour
    alternative = np.full(len(who), utility.inertia(0, beh.maturity_years, beh.inertia))
    inside = [k for k, j in enumerate(who) if model.member_of[j] >= 0]
    if inside:
        own = [(int(who[k]), np.array(model.igs[int(model.member_of[who[k]])].members)) for k in inside]
        cand = Candidates.of(own)
        cand.igs_id = model.member_of[[j for j, _ in own]].astype(np.int64)
        # as in its own menu: staying is worth its terms, inertia and balance; splitting off costs
        # the exit cost within a period
        alternative[inside] = value_of_staying(model, cand.chooser, evaluate(model, cand).terms.total) \
            + exit_cost_now(model)
    return alternative


def wants_to_found(model: CooperationModel, who: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Whether founding the IGS `members` beats each one's alternative (`founding_alternative`)."""
    ev = evaluate(model, Candidates.of([(int(j), members) for j in who]))
    value = ev.terms.total + utility.founding_cost(ev.mean_trust, model.cfg.behaviour.founding_cost)
    return value > founding_alternative(model, who)


def accepts_founding(model: CooperationModel, partners: np.ndarray, members: np.ndarray) -> list[int]:
    """The invited neighbours who found the new IGS with its initiator (`members[0]`).

    Each invited partner weighs the invited set: it must beat its alternative, and its council
    must agree (one draw per partner that wants to, in invitation order). The IGS that forms
    is the initiator and those who said yes; where some declined, the partners left weigh that
    smaller set again, and whoever no longer gains drops out, until no one does: no partner is
    bound to a partnership it did not agree to (a partner who said yes to an IGS with the
    centre city is not held to one without it). The initiator is: it goes on with whoever is
    left (an assumption chosen for fit, docs/ODD.md 4). Returns the partners of the IGS that
    forms."""
    wants = wants_to_found(model, partners, members)
    gate = policy.gate_probability(model.political_will, model.cfg.behaviour, model.year)
    yes = [int(j) for j, w in zip(partners, wants) if w and model.rng.random() < gate[j]]
    while yes and len(yes) < len(partners):
        formed = np.array([int(members[0]), *yes], dtype=np.int64)
        kept = [j for j, w in zip(yes, wants_to_found(model, np.array(yes), formed)) if w]
        if len(kept) == len(yes):
            break
        yes = kept
    return yes
