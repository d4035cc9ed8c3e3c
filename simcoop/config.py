"""The configuration schema: every parameter with its default, unit, range and reason.

The dataclasses below are Hydra's structured-config schema (registered in the
ConfigStore), the source of the range checks in :func:`validate`, and the source of the
parameter table in ``docs/ODD.md`` (``python -m simcoop.docs``), so the three cannot drift.
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from simcoop.errors import ConfigError
from simcoop import periods


def param(default: Any, unit: str, low: float | None = None, high: float | None = None,
          reason: str = "assumption", choices: tuple[str, ...] | None = None) -> Any:
    """A dataclass field that carries its unit, accepted range and reason."""
    meta = {"unit": unit, "low": low, "high": high, "reason": reason, "choices": choices}
    return field(default=default, metadata=meta)


KEYS = ("per_inhabitant", "per_budget", "mixed", "fixed_plus_per_inhabitant")
DATA_SOURCES = ("flanders", "synthetic")
REGION_MODES = ("free", "forced")
STARTS = ("real_2025", "empty")


@dataclass
class DataConfig:
    source: str = param("flanders", "-", choices=DATA_SOURCES,
                        reason="embedded Flanders data (simcoop/data/flanders) or a synthetic landscape")
    path: str = param("", "folder",
                      reason="folder with municipalities.csv and adjacency.csv; empty = embedded copy")
    n_municipalities: int = param(60, "municipalities", 4, 20000, "synthetic only; assumption")
    n_regions: int = param(4, "regions", 1, 1000, "synthetic only; Flanders has 15 reference regions")
    n_centre_cities: int = param(4, "municipalities", 0, 1000,
                                 "synthetic only; Flanders has 13 centrumsteden")
    mean_population: float = param(23000.0, "inhabitants", 1000, 1e6,
                                   "synthetic only; Flanders mean 6.63M / 285 (SOURCES.md)")


@dataclass
class AttributesConfig:
    """How fields the data lacks are derived from population (all assumptions)."""
    budget_per_inhabitant: float = param(1500.0, "EUR/inhabitant/year", 500, 5000,
                                         "assumption: order of Flemish municipal operating spending")
    culture_budget_share: float = param(0.03, "share of budget", 0.005, 0.2,
                                        "assumption: culture a few % of the municipal budget")
    centre_budget_factor: float = param(1.3, "x", 1.0, 3.0,
                                        "digest Actors: centre cities carry centre functions, more money "
                                        "(Gemeentefonds centre-function criterion)")
    fiscal_weight: float = param(0.5, "share of budget", 0.0, 1.0,
                                 "digest Mechanism 1: the per-budget key makes rich municipalities pay more; "
                                 "share of the budget that scales with real income per inhabitant (Statbel "
                                 "2022), the rest per inhabitant (Gemeentefonds); share an assumption")
    staff_per_10k: float = param(1.5, "FTE per 10,000 inhabitants", 0.2, 10,
                                 "assumption; digest Actors: small municipalities hire generalists")
    centre_staff_factor: float = param(2.0, "x", 1.0, 5.0,
                                       "digest Actors/Mechanism 5: centre cities bring more professionals")
    seed: int = param(-1, "-", -1, 2**32 - 1,
                      "-1: attributes drawn from the run's seed; else fixed attributes and heritage "
                      "cells whatever the run's seed (same world, different histories)")
    heterogeneity: float = param(0.2, "lognormal sigma", 0.0, 1.0,
                                 "assumption: seeded spread around the derived values")
    heritage_share: float = param(0.633, "share of municipalities", 0.0, 1.0,
                                  "digest Actors: many IGS grew out of heritage cells; for municipalities the "
                                  "partial heritage list does not cover (and synthetic data), random cells up to "
                                  "this share; level calibrated (docs/calibration.md)")
    known_heritage: bool = param(True, "-", reason="digest Mechanism 9: trust among the known erfgoedcel/IOED "
                                                  "partners of the partial list; false = the list is ignored "
                                                  "and random cells (heritage_share) may start anywhere; with "
                                                  "heritage_share 0 no prior heritage cooperation at all")
    affinity_arrondissement: float = param(0.35, "affinity", 0.0, 1.0,
                                           "digest Mechanism 7: shared regional identity; proxy: same "
                                           "arrondissement (historic district); weight an assumption")
    affinity_heritage: float = param(0.2, "affinity", 0.0, 1.0,
                                     "digest Mechanism 7/9: shared erfgoedcel or IOED (partial list; a pair "
                                     "with an unlisted member is scored on the other components, weights "
                                     "re-normalised); weight an assumption")
    affinity_housing: float = param(0.1, "affinity", 0.0, 1.0,
                                    "digest Mechanism 7: shared housing IGS (igs_wonen.csv) as a sign of a "
                                    "lived region; weight an assumption")
    affinity_uit_region: float = param(0.35, "affinity", 0.0, 1.0,
                                       "digest Mechanism 7: same UiT region or streek (uit_regions_2019.csv, the "
                                       "tourist regions such as Westhoek or Meetjesland) as a named regional "
                                       "identity; weight an assumption")
    heritage_cell_population: float = param(85000.0, "inhabitants", 10000, 1e6,
                                            "digest Actors: the 85,000 norm also holds for a heritage cell")


@dataclass
class KeyConfig:
    name: str = param("per_inhabitant", "-", choices=KEYS,
                      reason="digest Mechanism 1: per inhabitant is used almost everywhere")
    budget_weight: float = param(0.5, "share", 0.0, 1.0,
                                 "mixed key only: weight of the per-budget part; assumption")
    fixed_share: float = param(0.3, "share of need", 0.0, 1.0,
                               "fixed_plus_per_inhabitant only: part raised as an equal fee; assumption")


@dataclass
class IncentiveConfig:
    recognition_threshold: float = param(85000.0, "inhabitants", 0, 1e6,
                                         "digest Actors: members together at least 85,000 inhabitants "
                                         "(cultuuroptil.be; VVSG 16-04-2024: from 2027), for applications "
                                         "from `norm_from`")
    norm_from: int = param(2026, "year", 1990, 2100,
                           "VVSG 16-04-2024: IGS apply for a new recognition in 2026, and from 2027 need "
                           "85,000 inhabitants; the call for 2020-2025 (cultuurbovenlokaal.be, "
                           "'Voorwaarden', deadline 1 October 2019) had no population norm; the first "
                           "application year under the norm, and under the decree of 2024's money")
    min_members: int = param(4, "municipalities", 2, 20,
                             "cultuurbovenlokaal.be, call for 2020-2025: 'minimaal vier omliggende "
                             "gemeenten'; VVSG 16-04-2024: the same four adjacent municipalities keep an IGS "
                             "below 85,000 recognised in the transition")
    transition_until: int = param(2032, "year", 1990, 2100,
                                  "VVSG 16-04-2024: below 85,000 inhabitants 'tot 2032 een overgangsperiode', "
                                  "for IGS of at least four adjacent municipalities; the last year of a period, "
                                  "or a year before norm_from to switch it off")
    transition_for_new: bool = param(False, "-", reason="VVSG 15-06-2023: 'een overgangsperiode van één gemeentelijke "
                                                      "legislatuur' for cooperations below the threshold of at least "
                                                      "four municipalities; VVSG 16-04-2024: IGS 'kunnen in 2026 een "
                                                      "nieuwe erkenning aanvragen'; read as a transition for the IGS "
                                                      "recognised under the decree of 2018 only (interpretation)")
    subsidy_per_inhabitant: float = param(0.90, "EUR/inhabitant/year", 0, 10,
                                          "digest Actors, cultuuroptil.be: EUR 0.90 per inhabitant (decree of "
                                          "2024; below the 2018 decree's cap an assumption)")
    subsidy_minimum: float = param(100000.0, "EUR/year", 0, 1e6,
                                   "cultuuroptil.be (draft order, 15-12-2023): EUR 0.90 per inhabitant with a "
                                   "minimum of EUR 100,000; decree of 2024, from norm_from")
    subsidy_cap_first_period: float = param(100000.0, "EUR/year", 0, 1e6,
                                            "cultuurbovenlokaal.be (26-02-2019): at most EUR 100,000 a year in "
                                            "2020-2025 (decree of 2018), before norm_from; the rate below it an "
                                            "assumption (the later decree's)")
    cofunding_share: float = param(0.75, "share of the grant", 0, 2,
                                   "cultuuroptil.be (draft order, 15-12-2023): the municipalities fund at least "
                                   "75% of the Flemish subsidy (EUR 75,000 at the floor); decree of 2024")
    cofunding_share_first_period: float = param(1.0, "share of the grant", 0, 2,
                                                "cultuurbovenlokaal.be, 'Voorwaarden' (2019): the members put in at "
                                                "least the yearly Flemish subsidy; before norm_from")
    period_start: int = param(2020, "year", 1990, 2100,
                              "digest Actors: 19 IGS recognised end 2019 for 2020-2025, run on to 2026 "
                              "(first_period_years)")
    first_period_years: int = param(7, "years", 1, 20,
                                    "VVSG 16-04-2024: the next recognition is applied for in 2026, from 2027 "
                                    "(seed 004: networks for 2027-2032), so the first period runs to 2026")
    period_years: int = param(6, "years", 1, 20,
                              "digest Actors: six-year recognition periods (2027-2032 after the first)")
    networks: bool = param(True, "-", reason="digest Actors (seed 004): supra-local leisure-participation "
                                             "networks through a recognised IGS")
    network_first_round: int = param(2026, "year", 2000, 2100,
                                     "seed 004: applications from April 2026 for 2027-2032")
    network_round_interval: int = param(3, "years", 1, 20, "seed 004: a next round opens 1 April 2029")
    network_uptake: float = param(0.5, "probability per round", 0.0, 1.0,
                                  "assumption: share of recognised IGS that consider the call in a round "
                                  "(they apply if their members gain)")
    network_bonus_per_inhabitant: float = param(0.20, "EUR/inhabitant/year", 0, 10,
                                                "seed 004: a network brings money; amount an assumption")
    network_tasks_fte: float = param(0.05, "FTE per member", 0, 2,
                                     "seed 004: a network brings tasks (culture, youth, sport, welfare); "
                                     "assumption")
    network_deadline: int = param(2033, "year", 2000, 2100,
                                  "seed 004: local networks must join a supra-local one by 2033")
    drawing_rights_per_inhabitant: float = param(0.5, "EUR/inhabitant/year", 0, 10,
                                                 "seed 004: local networks outside a supra-local one lose "
                                                 "their drawing rights; amount an assumption")
    small_projects: bool = param(True, "-", reason="cultuuroptil.be (06-03-2024): the decree of 2024's line for "
                                                   "small supra-local culture projects (at most EUR 25,000) is open "
                                                   "only to organisations in the area of an IGS, an incentive "
                                                   "towards covering Flanders (cultuuroptil.be, 09-02-2024)")
    small_projects_from: int = param(2026, "year", 2000, 2100,
                                     "defederatie.org (2023): the line's first projects start 1 July 2027; the "
                                     "application year 2026 decides the IGS areas of 2027-2032 (as norm_from); "
                                     "until then a temporary line is open to all (vi.be, 24-05-2024)")
    small_projects_budget: float = param(1300000.0, "EUR/year", 0, 1e8,
                                         "cultuuroptil.be (profile of round 1, 2024): 36 projects of about EUR "
                                         "18,000 approved in the temporary line's first round, two rounds a "
                                         "year; assumption: the line keeps that size from 2027")
    small_projects_demand_per_inhabitant: float = param(0.42, "EUR/inhabitant/year", 0, 10,
                                                        "cultuuroptil.be (profile of round 1, 2024): 79 "
                                                        "applications of about EUR 18,000 from all of Flanders "
                                                        "(6.8 million inhabitants) in a round, two a year; "
                                                        "assumption: the rejected asked as much")
    coordinator_fte: float = param(0.0, "FTE per recognised IGS", 0, 10,
                                   "digest levers: regional coordinators funded for the IGS")
    dissolve_after_unrecognised_years: int = param(4, "years", 1, 50,
                                                   "assumption: an IGS cannot live long without recognition")


@dataclass
class RegionRuleConfig:
    mode: str = param("forced", "-", choices=REGION_MODES,
                      reason="digest Actors: partnerships must fit the reference region by 2028/2030")
    announce_year: int = param(2023, "year", 2000, 2100,
                               "digest Actors: Regiodecreet of 3 Feb 2023")
    deadline: int = param(2031, "year", 2000, 2100,
                          "digest Actors: OP/TIL reports IGS cultuur must fit one reference region by 2031 "
                          "(other partnerships: end of 2028 or 2030)")
    repeal_year: int = param(0, "year (0 = never)", 0, 2200,
                             "assumption: lets experiments switch the rule off again (hysteresis, P7)")


@dataclass
class IgsConfig:
    contribution_per_inhabitant: float = param(1.0, "EUR/inhabitant/year", 0, 20,
                                               "digest Actors: co-funding at least 75% of EUR 0.90/inh; "
                                               "level an assumption")
    programme_efficiency: float = param(0.8, "EUR returned per EUR pooled", 0.0, 2.0,
                                        "digest Mechanism 2: efficiency gains are believed but not guaranteed")
    programme_follows_agenda: float = param(0.7, "share of programme", 0.0, 1.0,
                                            "digest Mechanisms 1 and 5: what comes back depends on what the "
                                            "IGS does and where, i.e. on who sets the agenda; the rest is "
                                            "spread per inhabitant; share an assumption")
    own_staff_share: float = param(0.5, "share of pooled budget", 0.0, 1.0,
                                   "assumption: part of the budget pays IGS staff")
    staff_cost_per_fte: float = param(65000.0, "EUR/FTE/year", 20000, 200000,
                                      "assumption: loaded cost of a Flemish civil servant")
    staff_hosted_by_city: bool = param(True, "-",
                                       reason="digest Mechanism 5: staff employed by the city adds weight")
    coordination_fte: float = param(0.1, "FTE per member", 0.0, 2.0,
                                    "digest Mechanism 3: coordination on top of a full workload")
    feasible_members: int = param(12, "members", 2, 100,
                                  "digest Mechanism 3: 10 to 12 municipalities is the most feasible")
    mergers: bool = param(True, "-", reason="VVSG 16-04-2024: below 85,000 after the transition an IGS's area "
                                            "must grow ('dunbevolkte regio's lopen het risico dat hun "
                                            "werkingsgebied erg uitgestrekt wordt'); merging with an IGS next door "
                                            "is one way; assumption: only an IGS that cannot be renewed as it is "
                                            "seeks one, at an application")


@dataclass
class BehaviourConfig:
    temperature: float = param(0.1, "utility", 0.001, 10, "assumption: noise of the logit choice")
    w_scale: float = param(1.26, "utility", 0, 10,
                           "digest Mechanism 2: economies of scale"
                           "; level calibrated (docs/calibration.md)")
    scale_population: float = param(150000.0, "inhabitants", 10000, 2e6,
                                    "digest Mechanism 3: ideal scale 100,000-300,000 inhabitants")
    scale_max_population: float = param(300000.0, "inhabitants", 50000, 5e6,
                                        "digest Mechanism 3: one respondent's ideal scale 100,000-300,000")
    oversize: float = param(0.5, "per 100% above the ideal scale", 0.0, 5.0,
                            "digest Mechanisms 3-4: 'if it gets too big the burden outweighs it'; small "
                            "municipalities prefer a small IGS; level an assumption")
    centre_scale_factor: float = param(0.365, "x", 0.0, 5.0,
                                       "seed 001 4.1.5/4.2.5: centre cities already provide the regional "
                                       "functions in-house and face other problems: little scale benefit"
                                       "; level calibrated (docs/calibration.md)")
    centre_function_share: float = param(0.0, "share of the benefits", 0.0, 1.0,
                                         "seed 001 4.1.5: 'we gratefully use much of what is in that city - "
                                         "and I speak for most randgemeenten': a neighbour of a centre city "
                                         "already has part of what an IGS without that city brings; off by "
                                         "default (docs/validation.md, 'The city's shadow')")
    w_regional_role: float = param(0.3, "utility", 0, 10,
                                   "seed 001 4.1.5: a centre city joins for its regional role (only for an "
                                   "IGS within its own reference region)")
    w_freedom: float = param(0.397, "utility", 0, 10,
                             "digest Actors: centre cities want to stay free to cooperate with other centre "
                             "cities anywhere; level calibrated (docs/calibration.md)")
    w_expertise: float = param(0.5, "utility", 0, 10, "digest Mechanism 2: expertise small ones lack")
    w_knowledge: float = param(0.7, "utility", 0, 10,
                               "digest Mechanism 2: knowledge exchange, everyone gains")
    knowledge_partners: float = param(2.0, "trusted partners", 0.1, 50,
                                      "assumption: saturation of exchange (sum of trust in partners)")
    w_money: float = param(11.8, "utility per share of culture budget", 0, 100,
                           "digest Mechanism 1: for every cent contributed one counts on a return"
                           "; level calibrated (docs/calibration.md)")
    w_staff: float = param(15.2, "utility per FTE share", 0, 50,
                           "digest Mechanism 3: staff time, heavier for loaded small municipalities"
                           "; level calibrated (docs/calibration.md)")
    w_transaction: float = param(0.5, "utility", 0, 10,
                                 "digest Mechanism 3: burden grows with size and formality")
    w_dominance: float = param(1.5, "utility", 0, 10, "digest Mechanism 5: fear of dependence")
    w_identity: float = param(0.219, "utility", 0, 10,
                              "digest Mechanism 7: shared identity helps"
                              "; level calibrated (docs/calibration.md)")
    inertia: float = param(0.3, "utility", 0, 10,
                           "digest Mechanism 9: path dependence, maturity of long partnerships")
    exit_cost: float = param(0.4, "utility", 0, 10,
                             "assumption: leaving within a recognition period breaks an agreement; free at "
                             "its end (digest Actors: six-year periods)")
    w_balance: float = param(1.0, "utility per EUR net return per EUR paid", 0, 10,
                             "digest Mechanism 1: 'what's in it for us?', 'for every cent contributed one "
                             "counts on a return' - a member's running balance per euro it paid weighs on "
                             "staying; level an assumption (a member getting back 30% less than it paid: -0.3)")
    balance_memory: float = param(0.7, "share kept per year", 0.0, 1.0,
                                  "assumption: how long a member remembers past balances")
    maturity_years: float = param(6.0, "years", 0.5, 50,
                                  "digest Mechanism 1: long-running partnerships grow a maturity")
    founding_cost: float = param(0.45, "utility", 0, 10,
                                 "digest Mechanism 9: starting from nothing seems very hard"
                                 "; level calibrated (docs/calibration.md)")
    founding_trust: float = param(0.277, "trust", 0.0, 1.0,
                                  "assumption: partners below this trust are not invited to found"
                                  "; level calibrated (docs/calibration.md)")
    election_first_year: int = param(2018, "year", 1900, 2100, "digest Mechanism 8: elections 2018, 2024, 2030")
    election_interval: int = param(6, "years", 1, 20, "digest Mechanism 8: local elections every six years")
    election_boost: float = param(2.0, "x", 1.0, 10.0,
                                  "digest Mechanism 8: convince partners at the start of a legislature")
    political_will_mean: float = param(0.45, "probability", 0.01, 0.99,
                                       "digest Mechanism 8: officials keener than politicians")
    admin_support_mean: float = param(0.7, "probability", 0.01, 0.99,
                                      "digest Mechanism 8: officials usually keen")
    trust_initial: float = param(0.3, "trust", 0.0, 1.0, "assumption: strangers start with some trust")
    trust_heritage: float = param(0.531, "trust", 0.0, 1.0,
                                  "digest Mechanism 9: prior heritage-cell partners start with trust"
                                  "; level calibrated (docs/calibration.md)")
    trust_reference: float = param(0.5, "trust", 0.01, 1.0,
                                   "digest Mechanisms 6 and 10: benefits need trust; level an assumption")
    trust_gain: float = param(0.08, "per year", 0.0, 1.0,
                              "digest Mechanism 6: trust comes on foot (slow)")
    trust_loss: float = param(0.35, "per year", 0.0, 1.0,
                              "digest Mechanism 6: trust leaves on horseback (fast)")
    trust_erosion: float = param(0.0659, "share of trust per year", 0.0, 1.0,
                                 "digest Mechanism 6: untended trust decays (within and outside IGS); "
                                 "partnerships fall apart after 3-4 years if not tended"
                                 "; level calibrated (docs/calibration.md)")
    informal_networking: float = param(0.0081, "per year", 0.0, 1.0,
                                       "digest Mechanism 10: informal contact between neighbours builds trust"
                                       "; level calibrated (docs/calibration.md)")
    dominance_tolerance: float = param(0.25, "agenda share", 0.01, 1.0,
                                       "assumption: excess agenda share at which trust in the city drops at "
                                       "the full loss rate")
    turnover_probability: float = param(0.08, "per year", 0.0, 1.0,
                                        "digest Mechanism 6: cooperation depends on who sits at the table")
    turnover_trust_drop: float = param(0.3, "share of trust", 0.0, 1.0, "assumption")
    budget_shock_probability: float = param(0.05, "per year", 0.0, 1.0,
                                            "digest P6: breakups cluster around budget pressure")
    budget_shock_size: float = param(0.3, "share of culture budget", 0.0, 0.95, "assumption")


@dataclass
class StartConfig:
    mode: str = param("real_2025", "-", choices=STARTS,
                      reason="real_2025: the 19 real IGS cultuur (data) in 2025, simulated from 2026; "
                             "empty: no IGS, the formation run from 2016")


@dataclass
class ExperimentConfig:
    name: str = param("", "-", reason="set by an experiment config (+experiment=NAME); empty for plain runs")


@dataclass
class SampleConfig:
    file: str = param("", "file", reason="a sensitivity sample (sample.parquet); empty for plain runs")
    id: int = param(-1, "row", -1, 10**9, "the row of the sample this run takes its parameters from")


@dataclass
class SimConfig:
    seed: int = param(0, "-", 0, 2**32 - 1, "the only source of randomness (the model RNG, and the stream of "
                                                "network uptake derived from it)")
    start_year: int = param(2026, "year", 1990, 2100,
                            "set by the start group: 2026 after the real 2025 landscape; 2016 (subsidies "
                            "unearmarked) for a formation run")
    end_year: int = param(2038, "year", 1990, 2200,
                          "the application year 2026, two recognition periods (2027-2032, 2033-2038) and "
                          "the 2030 elections")
    scenario_name: str = param("current_policy", "-", reason="label set by the scenario config")
    sweep_name: str = param("default", "-", reason="names the sweep folder sweeps/<sweep_name> of a multirun")
    start: StartConfig = field(default_factory=StartConfig)
    data: DataConfig = field(default_factory=DataConfig)
    attributes: AttributesConfig = field(default_factory=AttributesConfig)
    key: KeyConfig = field(default_factory=KeyConfig)
    incentive: IncentiveConfig = field(default_factory=IncentiveConfig)
    region_rule: RegionRuleConfig = field(default_factory=RegionRuleConfig)
    igs: IgsConfig = field(default_factory=IgsConfig)
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    sample: SampleConfig = field(default_factory=SampleConfig)


def register() -> None:
    """Register the schema with Hydra so YAML configs are type-checked against it, and the
    experiment configs of experiments/ as the group `experiment` (+experiment=NAME)."""
    store = ConfigStore.instance()
    store.store(name="simcoop_schema", node=SimConfig)
    folder = resources.files("simcoop.experiment_configs")
    for path in sorted(p for p in folder.iterdir() if p.name.endswith(".yaml")):
        node = OmegaConf.create(path.read_text(encoding="utf-8"))
        store.store(group="experiment", name=path.name[: -len(".yaml")], node=node, package="_global_")


def _check_calendar(values: dict) -> None:
    """The norm starts in an application year and the transition ends with a period (or
    before the norm, which switches it off): other years would be rounded silently to the
    next application or period end (`simcoop.periods`, the rules the model runs on)."""
    inc = IncentiveConfig(**values)

    def ends_from(year: int) -> str:
        return ", ".join(str(y) for y in sorted({periods.period_end(inc, y) for y in range(year, year + 40)})[:3])
    if not periods.recognition_open(inc, inc.norm_from):
        raise ConfigError("incentive.norm_from", inc.norm_from, f"an application year: before incentive.period_start="
                          f"{inc.period_start} or the last year of a recognition period "
                          f"({ends_from(inc.period_start)}, ...)")
    first_grant_end = periods.granted_until(inc, inc.norm_from)
    until = inc.transition_until
    if until >= inc.norm_from and (until < first_grant_end or periods.period_end(inc, until) != until):
        raise ConfigError("incentive.transition_until", until, f"the last year of a recognition period from the "
                          f"first grant under the norm on ({ends_from(first_grant_end)}, ...) or a year before "
                          f"incentive.norm_from={inc.norm_from} (no transition)")


def fmt_number(x: object) -> str:
    """Integers without exponent, other numbers short (for messages and the docs table)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e12 else f"{x:g}"


def iter_params(cls: type = SimConfig, prefix: str = ""):
    """Yield (dotted name, dataclasses.Field) for every leaf parameter."""
    for f in dataclasses.fields(cls):
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default
        if dataclasses.is_dataclass(default):
            yield from iter_params(type(default), f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", f


def _accepted(f: dataclasses.Field) -> str:
    """What a field accepts, for messages: its choices, or its type and range."""
    meta = f.metadata
    if meta.get("choices"):
        return "one of " + ", ".join(meta["choices"])
    kind = type(f.default).__name__
    low, high = meta.get("low"), meta.get("high")
    if low is not None:
        return f"a {kind} {fmt_number(low)} to {fmt_number(high)} ({meta['unit']})"
    return f"a {kind} ({meta['unit']})"


def _unknown_key(values: dict, prefix: str = "") -> tuple[str, Any] | None:
    """The first key of values that is no field of the schema (e.g. added with +key=...)."""
    known = {name for name, _ in iter_params()}
    groups = {name.rsplit(".", 1)[0] for name in known if "." in name}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if not prefix and key == "hydra":
            continue
        if isinstance(value, dict) and name in groups:
            found = _unknown_key(value, f"{name}.")
            if found:
                return found
        elif name not in known:
            return name, value
    return None


def _fields_of(name: str) -> str:
    parent = name.rsplit(".", 1)[0] if "." in name else ""
    node: Any = SimConfig
    for part in [p for p in parent.split(".") if p]:
        node = type(getattr(node(), part))
    return "fields " + ", ".join(f.name for f in dataclasses.fields(node))


def validate(cfg: DictConfig | dict) -> None:
    """Check ranges, choices and cross-field rules; raise ConfigError on the first problem."""
    if isinstance(cfg, DictConfig):
        try:
            values = OmegaConf.to_container(cfg, resolve=True)
        except OmegaConfBaseException as exc:  # e.g. seed=${nope}: an interpolation that does not resolve
            key = getattr(exc, "full_key", None) or "override"
            raise ConfigError(key, f"<{str(exc).splitlines()[0]}>", "a value or an interpolation of an "
                              "existing field") from None
    else:
        values = cfg
    unknown = _unknown_key(values)
    if unknown:
        raise ConfigError(unknown[0], unknown[1], _fields_of(unknown[0]))
    for name, f in iter_params():
        value: Any = values
        for part in name.split("."):
            if not isinstance(value, dict) or part not in value:  # e.g. deleted with ~field
                raise ConfigError(name, "<missing>", _accepted(f))
            value = value[part]
        meta = f.metadata
        if meta.get("choices") and value not in meta["choices"]:
            raise ConfigError(name, value, "one of " + ", ".join(meta["choices"]))
        low, high = meta.get("low"), meta.get("high")
        if low is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
            raise ConfigError(name, value, _accepted(f))
        if low is not None and not (low <= value <= high):
            raise ConfigError(name, value, f"{fmt_number(low)} to {fmt_number(high)} ({meta['unit']})")
    _check_calendar(values["incentive"])
    if values["end_year"] < values["start_year"]:   # inclusive: end_year = start_year runs one year
        raise ConfigError("end_year", values["end_year"], f"start_year={values['start_year']} or a later year")
    rule = values["region_rule"]
    if rule["mode"] == "forced" and rule["deadline"] < rule["announce_year"]:
        # before the announcement cross-region joins are allowed, so a rule in force earlier
        # could not keep partnerships within one region
        raise ConfigError("region_rule.deadline", rule["deadline"],
                          f"a year from region_rule.announce_year={rule['announce_year']} on")
    if values["start"]["mode"] == "real_2025":
        if values["data"]["source"] == "synthetic":
            raise ConfigError("start", "real_2025", "empty with data=synthetic (the real IGS are Flemish data)")
        if values["start_year"] < 2026:
            raise ConfigError("start_year", values["start_year"], "a year from 2026 on with start=real_2025 "
                              "(the real landscape is the state of 2025)")
    if values["data"]["source"] == "synthetic":
        d = values["data"]
        if d["n_regions"] > d["n_municipalities"]:
            raise ConfigError("data.n_regions", d["n_regions"],
                              f"at most data.n_municipalities={d['n_municipalities']}")
        if d["n_centre_cities"] > d["n_municipalities"]:
            raise ConfigError("data.n_centre_cities", d["n_centre_cities"],
                              f"at most data.n_municipalities={d['n_municipalities']}")
