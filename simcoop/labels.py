"""What people see: one table of readable labels (Dutch and English) and number formats.

Every label on a figure, in a report, on the dashboard or in a workshop table comes from
`LABELS` through `label()`, so no config path or column name reaches a screen, and the
Dutch and English texts cannot drift apart. Keys are the internal names (metrics, config
fields, options of config groups, event reasons); values are (Dutch, English).
Numbers go through `number`, `percent`, `count` and `euro`: Dutch uses a decimal comma
and a point for thousands.
"""

from __future__ import annotations

import math

LANGS = ("nl", "en")

LABELS: dict[str, tuple[str, str]] = {
    # yearly indicators
    "year": ("jaar", "year"),
    "n_igs": ("aantal IGS", "number of IGS"),
    "n_recognised": ("erkende IGS", "recognised IGS"),
    "coverage_municipalities": ("aandeel gemeenten in een IGS", "share of municipalities in an IGS"),
    "coverage_population": ("aandeel inwoners in een IGS", "share of inhabitants in an IGS"),
    "mean_members": ("leden per IGS", "members per IGS"),
    "max_members": ("leden in het grootste IGS", "members of the largest IGS"),
    "share_igs_above_norm": ("aandeel IGS boven de inwonersnorm", "share of IGS above the population norm"),
    "share_igs_at_most_12_members": ("aandeel IGS met hoogstens 12 leden", "share of IGS with at most 12 members"),
    "dominance_mean": ("dominantie (agenda tegenover inwonersaandeel)", "dominance (agenda against population share)"),
    "dominance_max": ("hoogste dominantie", "highest dominance"),
    "centre_excess_mean": ("agenda-overwicht van de centrumstad", "centre city's excess agenda share"),
    "gini_net_benefit": ("ongelijkheid van de baten tussen partners", "inequality of benefits among partners"),
    "mean_trust_members": ("vertrouwen tussen partners", "trust between partners"),
    "mean_trust_neighbours": ("vertrouwen tussen buurgemeenten", "trust between neighbours"),
    "joins": ("toetredingen", "joins"),
    "leaves": ("uittredingen", "leaves"),
    "voluntary_leaves": ("vrijwillige uittredingen", "voluntary leaves"),
    "foundings": ("oprichtingen", "foundings"),
    "dissolutions": ("opgeheven IGS", "IGS dissolved"),
    "mergers": ("fusies van IGS", "IGS mergers"),
    "cross_region_igs": ("IGS over een regiogrens heen", "IGS crossing a region border"),
    "subsidy_total_eur": ("Vlaamse subsidie (euro per jaar)", "Flemish subsidy (EUR per year)"),
    "budget_shocks": ("gemeenten met budgetdruk", "municipalities under budget pressure"),
    "legislature_start": ("begin van een bestuursperiode", "start of a council term"),
    "breakup_rate": ("opgeheven IGS per IGS-jaar", "IGS dissolved per IGS-year"),
    # statistics of a yearly indicator (simcoop.outcomes); {n} is a number of years
    "stat.end": ("in het laatste jaar", "in the end year"),
    "stat.mean": ("gemiddelde", "mean"),
    "stat.max": ("hoogste waarde", "maximum"),
    "stat.min": ("laagste waarde", "minimum"),
    "stat.sum": ("totaal", "total"),
    "stat.window": ("over de laatste {n} jaar", "over the last {n} years"),
    "stat.all": ("over alle jaren", "over all years"),
    # per-municipality and per-IGS columns
    "igs_id": ("IGS", "IGS"),
    "igs_name": ("IGS", "IGS"),
    "contribution_eur": ("bijdrage (euro per jaar)", "contribution (EUR per year)"),
    "subsidy_eur": ("subsidie-aandeel (euro per jaar)", "subsidy share (EUR per year)"),
    "net_benefit": ("nettobaat", "net benefit"),
    "agenda_share": ("aandeel in de agenda", "share of the agenda"),
    "population": ("inwoners", "inhabitants"),
    "referentieregio": ("referentieregio", "reference region"),
    "centrumstad": ("centrumstad", "centre city"),
    "n_members": ("leden", "members"),
    "recognised": ("erkend", "recognised"),
    "paid_fte": ("personeel uit het IGS-budget en Vlaamse coördinatoren (VTE)",
                 "staff paid from the IGS's budget, and Flemish coordinators (FTE)"),
    "dominance": ("dominantie", "dominance"),
    "age": ("leeftijd (jaren)", "age (years)"),
    "seed": ("simulatie", "run"),
    # events and their reasons
    "found": ("richtte een IGS op", "founded an IGS"),
    "join": ("trad toe", "joined"),
    "leave": ("trad uit", "left"),
    "dissolve": ("werd opgeheven", "was dissolved"),
    "reason.choice": ("uit eigen keuze", "by choice"),
    "reason.switch": ("om naar een ander IGS over te stappen", "to switch to another IGS"),
    "reason.region_rule": ("door de regioregel", "because of the region rule"),
    "reason.dissolution": ("omdat het IGS werd opgeheven", "because the IGS was dissolved"),
    "reason.start": ("bij de start", "at the start"),
    "reason.founding": ("bij de oprichting", "at the founding"),
    "reason.initiative": ("op eigen initiatief", "on its own initiative"),
    "reason.unrecognised": ("omdat het te lang niet erkend was", "because it was not recognised for too long"),
    "reason.split": ("om samen met andere leden een nieuw IGS te vormen", "to split off with other members"),
    "reason.too_few_members": ("omdat er te weinig leden overbleven", "because too few members remained"),
    "reason.no_renewal": ("omdat de leden de erkenning niet verlengden", "because its members did not renew it"),
    "reason.merger": ("door een fusie met een ander IGS", "in a merger with another IGS"),
    # config groups and their options
    "key": ("verdeelsleutel", "financial key"),
    "key.name": ("verdeelsleutel", "financial key"),
    "key.per_inhabitant": ("per inwoner", "per inhabitant"),
    "key.per_budget": ("volgens begroting", "per budget"),
    "key.mixed": ("gemengd (inwoners en begroting)", "mixed (inhabitants and budget)"),
    "key.fixed_plus_per_inhabitant": ("vast bedrag plus per inwoner", "fixed fee plus per inhabitant"),
    "region_rule": ("regioregel", "region rule"),
    "region_rule.mode": ("regioregel", "region rule"),
    "region_rule.free": ("vrije regio's", "free regions"),
    "region_rule.forced": ("referentieregio's verplicht", "reference regions compulsory"),
    "region_rule.forced_2028": ("referentieregio's verplicht tegen 2028", "reference regions compulsory by 2028"),
    "region_rule.forced_2031": ("referentieregio's verplicht tegen 2031 (huidig beleid)",
                                "reference regions compulsory by 2031 (current policy)"),
    "incentive": ("Vlaamse stimulans", "Flemish incentive"),
    # config fields (parameters) most often swept or shown
    "incentive.subsidy_per_inhabitant": ("Vlaamse subsidie per inwoner (euro)", "Flemish subsidy per inhabitant (EUR)"),
    "incentive.recognition_threshold": ("inwonersnorm voor erkenning", "population norm for recognition"),
    "incentive.coordinator_fte": ("regiocoördinatoren per IGS (voltijds)", "regional coordinators per IGS (FTE)"),
    "igs.staff_hosted_by_city": ("personeel in dienst van de centrumstad", "staff employed by the centre city"),
    "igs.own_staff_share": ("aandeel van het budget voor eigen personeel", "share of the budget for own staff"),
    "igs.contribution_per_inhabitant": ("bijdrage per inwoner (euro)", "contribution per inhabitant (EUR)"),
    "attributes.heritage_share": ("aandeel niet-gelijste gemeenten in een erfgoedcel vooraf",
                                  "share of unlisted municipalities in a prior heritage cell"),
    "attributes.centre_staff_factor": ("personeelsvoorsprong van centrumsteden", "centre cities' staff advantage"),
    "behaviour.trust_erosion": ("afkalving van vertrouwen per jaar", "erosion of trust per year"),
    "behaviour.trust_gain": ("groei van vertrouwen per jaar", "growth of trust per year"),
    "behaviour.trust_loss": ("verlies van vertrouwen na een slecht jaar", "loss of trust after a bad year"),
    "behaviour.budget_shock_probability": ("kans op budgetdruk per jaar", "probability of budget pressure per year"),
    "behaviour.election_boost": ("effect van het begin van een bestuursperiode", "effect of the start of a council term"),
    "behaviour.informal_networking": ("informele netwerking", "informal networking"),
    "behaviour.w_identity": ("gewicht van de regionale identiteit", "weight of regional identity"),
    "behaviour.founding_trust": ("vertrouwen nodig om samen op te richten", "trust needed to found together"),
    "behaviour.temperature": ("toeval in beslissingen", "randomness of decisions"),
    "attributes.budget_per_inhabitant": ("gemeentebegroting per inwoner (euro)", "municipal budget per inhabitant (EUR)"),
    "attributes.culture_budget_share": ("aandeel cultuur in de begroting", "culture's share of the budget"),
    "attributes.centre_budget_factor": ("extra begroting van centrumsteden", "centre cities' extra budget"),
    "attributes.staff_per_10k": ("cultuurpersoneel per 10.000 inwoners", "culture staff per 10,000 inhabitants"),
    "attributes.heterogeneity": ("verschillen tussen gemeenten", "differences between municipalities"),
    "attributes.heritage_cell_population": ("inwonersnorm van een erfgoedcel", "population norm of a heritage cell"),
    "key.budget_weight": ("gewicht van de begroting in de gemengde sleutel", "weight of the budget in the mixed key"),
    "key.fixed_share": ("deel betaald als vast bedrag", "part paid as a fixed fee"),
    "incentive.subsidy_minimum": ("minimale Vlaamse subsidie vanaf 2026 (euro per jaar)",
                                  "minimum Flemish subsidy from 2026 (EUR per year)"),
    "incentive.subsidy_cap_first_period": ("maximale Vlaamse subsidie tot 2025 (euro per jaar)",
                                           "maximum Flemish subsidy until 2025 (EUR per year)"),
    "incentive.cofunding_share": ("minimale inbreng van de gemeenten vanaf 2026 (deel van de subsidie)",
                                  "least contribution of the municipalities from 2026 (share of the subsidy)"),
    "incentive.cofunding_share_first_period": ("minimale inbreng van de gemeenten tot 2025 (deel van de subsidie)",
                                               "least contribution of the municipalities until 2025 (share of the subsidy)"),
    "incentive.network_bonus_per_inhabitant": ("netwerkbonus per inwoner (euro)", "network bonus per inhabitant (EUR)"),
    "igs.programme_efficiency": ("opbrengst per gebundelde euro", "return per pooled euro"),
    "igs.staff_cost_per_fte": ("loonkost per voltijds personeelslid (euro)", "cost per full-time staff member (EUR)"),
    "igs.coordination_fte": ("coördinatietijd per lid (voltijds)", "coordination time per member (FTE)"),
    "igs.feasible_members": ("werkbaar aantal leden", "workable number of members"),
    "igs.mergers": ("IGS mogen fuseren om erkend te blijven", "IGS may merge to stay recognised"),
    "behaviour.w_scale": ("gewicht van schaalvoordelen", "weight of economies of scale"),
    "behaviour.scale_population": ("ideale schaal (inwoners)", "ideal scale (inhabitants)"),
    "behaviour.centre_function_share": ("deel van de baten dat buurgemeenten al in de centrumstad vinden",
                                        "share of the benefits a centre city's neighbours already have there"),
    "behaviour.centre_scale_factor": ("schaalvoordeel van centrumsteden", "centre cities' gain from scale"),
    "behaviour.w_expertise": ("gewicht van deskundigheid", "weight of expertise"),
    "behaviour.w_knowledge": ("gewicht van kennisdeling", "weight of knowledge sharing"),
    "behaviour.knowledge_partners": ("partners voor kennisdeling", "partners for knowledge sharing"),
    "behaviour.w_money": ("gewicht van geld", "weight of money"),
    "behaviour.w_staff": ("gewicht van personeelstijd", "weight of staff time"),
    "behaviour.w_transaction": ("gewicht van de overlegkost", "weight of the cost of consultation"),
    "behaviour.w_dominance": ("vrees voor dominantie", "fear of dominance"),
    "behaviour.inertia": ("gehechtheid aan de huidige keuze", "attachment to the current choice"),
    "behaviour.maturity_years": ("jaren tot een samenwerking rijp is", "years until a partnership matures"),
    "behaviour.founding_cost": ("moeite van een oprichting", "effort of founding"),
    "behaviour.political_will_mean": ("politieke wil (gemiddeld)", "political will (mean)"),
    "behaviour.admin_support_mean": ("steun van de administratie (gemiddeld)", "support of the civil service (mean)"),
    "behaviour.trust_initial": ("vertrouwen tussen onbekenden", "trust between strangers"),
    "behaviour.trust_heritage": ("vertrouwen tussen erfgoedcelpartners", "trust between heritage-cell partners"),
    "behaviour.trust_reference": ("vertrouwen nodig om baten te halen", "trust needed to reap benefits"),
    "behaviour.dominance_tolerance": ("verdraagzaamheid voor dominantie", "tolerance of dominance"),
    "behaviour.turnover_probability": ("kans op nieuwe gezichten per jaar", "probability of new faces per year"),
    "behaviour.turnover_trust_drop": ("vertrouwensverlies bij nieuwe gezichten", "trust lost with new faces"),
    "behaviour.budget_shock_size": ("omvang van de budgetdruk", "size of the budget pressure"),
    "region_rule.deadline": ("termijn van de regioregel", "deadline of the region rule"),
    "region_rule.forced_by": ("referentieregio's verplicht tegen {deadline}", "reference regions compulsory by {deadline}"),
    "region_rule.forced_repealed": ("referentieregio's verplicht tegen {deadline}, afgeschaft in {repeal}",
                                    "reference regions compulsory by {deadline}, repealed in {repeal}"),
    "region_rule.forced_2030": ("referentieregio's verplicht tegen 2030", "reference regions compulsory by 2030"),
    "incentive.flemish_2020": ("Vlaamse stimulans van 2020", "Flemish incentive of 2020"),
    "incentive.strong": ("sterkere Vlaamse stimulans", "stronger Flemish incentive"),
    "incentive.none": ("geen Vlaamse stimulans", "no Flemish incentive"),
    "behaviour": ("gedrag", "behaviour"),
    "behaviour.default": ("gewoon gedrag", "usual behaviour"),
    "behaviour.networking": ("meer netwerking", "more networking"),
    "data": ("gegevens", "data"),
    "data.flanders": ("de 285 Vlaamse gemeenten", "the 285 Flemish municipalities"),
    "data.synthetic": ("een denkbeeldig landschap", "an imaginary landscape"),
    # sensitivity analysis and scenario discovery
    "sa.mu_star": ("mu* (gemiddeld absoluut effect; x: sigma)", "mu* (mean absolute effect; x: sigma)"),
    "sa.sobol": ("Sobol-index (95 %-interval)", "Sobol index (95% CI)"),
    "sa.first order": ("eerste orde", "first order"),
    "sa.total": ("totaal", "total"),
    "sa.index": ("index", "index"),
    "sa.coverage": ("dekking (aandeel van de gevallen in de doos)", "coverage (share of cases in the box)"),
    "sa.density": ("dichtheid (aandeel gevallen in de doos)", "density (share of the box that are cases)"),
    "sa.res_dim": ("beperkte parameters", "restricted parameters"),
    "sa.distance": ("afstand tot de patronen", "distance to the patterns"),
    "sa.accepted": ("aanvaard", "accepted"),
    "sa.value": ("waarde", "value"),
    # experiment figures
    "years_since_founding": ("jaren sinds de oprichting", "years since founding"),
    "share_surviving": ("aandeel IGS dat nog bestaat", "share of IGS still existing"),
    "jaccard_distance": ("niet-gedeelde partnerschappen (Jaccard-afstand)", "partnerships not shared (Jaccard distance)"),
    "deadline": ("uiterste datum", "deadline"),
    "repeal": ("afschaffing", "repeal"),
    "true": ("ja", "yes"),
    "false": ("nee", "no"),
    "share_in_igs": ("aandeel in een IGS", "share in an IGS"),
    "map_title": ("IGS cultuur in {year}", "IGS cultuur in {year}"),
    # titles of the analysis figures; {n}, {share} come formatted (count, percent)
    "fig.over_time": ("Samenwerking door de jaren heen", "Cooperation over time"),
    "fig.dashed": ("{label} (streepjeslijn)", "{label} (dashed)"),
    "fig.run_title": ("simcoop {version}: scenario {scenario}, simulatie {seed}",
                      "simcoop {version}: scenario {scenario}, run {seed}"),
    "fig.last_years_ci": ("gemiddelde over de laatste {n} jaar, 95 %-interval", "mean of the last {n} years, 95% CI"),
    "fig.divergence": ("Zelfde beleid, andere geschiedenissen: verschil tussen simulaties (gemiddelde, 95 %-interval)",
                       "Same policy, different histories: divergence between runs (mean, 95% CI)"),
    "fig.breakup_probability": ("Opheffing van IGS cultuur binnen de horizon (Kaplan-Meier, 95 %-interval)",
                                "Dissolution of IGS cultuur within the horizon (Kaplan-Meier, 95% CI)"),
    "fig.survival": ("Overleving van IGS cultuur (Kaplan-Meier, 95 %-interval)",
                     "Survival of IGS cultuur (Kaplan-Meier, 95% CI)"),
    "sa.calibration_title": ("Kalibratie op P1 en P2: afstand per simulatie (aanvaard: de dichtste {share})",
                             "Calibration against P1 and P2: distance per run (accepted: closest {share})"),
    "sa.morris_title": ("Morris-screening: de {n} invloedrijkste parameters per uitkomst",
                        "Morris screening: the {n} most influential parameters per outcome"),
    "sa.sobol_title": ("Sobol-indices: eerste orde en totaal", "Sobol indices: first order and total"),
    "sa.prim_title": ("PRIM: {outcome}", "PRIM: {outcome}"),
    # tables of the notebooks: summaries, lifetimes and breakup probabilities of IGS
    "name": ("gemeente", "municipality"),
    "event": ("gebeurtenis", "event"),
    "reason": ("reden", "reason"),
    "metric": ("kerncijfer", "indicator"),
    "n": ("aantal simulaties", "runs"),
    "mean": ("gemiddelde", "mean"),
    "sd": ("standaardafwijking", "standard deviation"),
    "ci_low": ("95 %-interval: ondergrens", "95% CI: lower bound"),
    "ci_high": ("95 %-interval: bovengrens", "95% CI: upper bound"),
    "factor": ("parameter", "parameter"),
    "level": ("waarde", "value"),
    "igs": ("welke IGS", "which IGS"),
    "founded": ("opgericht in", "founded in"),
    "dissolved": ("opgeheven", "dissolved"),
    "dissolved_year": ("opgeheven in", "dissolved in"),
    "last_year": ("laatste gesimuleerde jaar", "last simulated year"),
    "duration": ("geobserveerde duur (jaren)", "observed duration (years)"),
    "ended_by": ("reden van opheffing", "reason for dissolution"),
    "ever_recognised": ("ooit erkend", "ever recognised"),
    "n_dissolved": ("aantal opgeheven IGS", "number of IGS dissolved"),
    "n_dissolved_within_horizon": ("opgeheven binnen de horizon", "dissolved within the horizon"),
    "horizon_years": ("horizon (jaren)", "horizon (years)"),
    "p_breakup": ("kans op opheffing binnen de horizon", "probability of dissolution within the horizon"),
    "p_breakup_within": ("kans op opheffing binnen {years} jaar", "probability of dissolution within {years} years"),
    "breakup.all": ("alle opgerichte IGS", "all IGS founded in the run"),
    "real_dissolved": ("opgeheven echte IGS van de start per simulatie", "real IGS of the start dissolved per run"),
    "breakup.ever_recognised": ("waarvan ooit erkend", "of which ever recognised"),
    "breakup.at_start": ("echte IGS van de start (jaren sinds 2025)", "real IGS of the start (years since 2025)"),
    "jaccard_from_never_forced": ("niet-gedeelde partnerschappen met de simulatie zonder regioregel (Jaccard-afstand)",
                                  "partnerships not shared with the run never under the rule (Jaccard distance)"),
    # scenarios
    "scenario": ("scenario", "scenario"),
    "scenario.per_budget_key": ("Bijdrage volgens begroting", "Contribution per budget"),
    "scenario.strong_incentives": ("Sterkere Vlaamse subsidies", "Stronger Flemish subsidies"),
    "scenario.regional_coordinators": ("Regiocoördinatoren betaald door Vlaanderen",
                                       "Flemish-funded regional coordinators"),
    "scenario.networking_support": ("Steun voor netwerking (meer vertrouwen)", "Support for networking (more trust)"),
    "scenario.own_igs_staff": ("Eigen personeel voor het IGS", "The IGS employs its own staff"),
    "scenario.no_heritage_cells": ("Zonder erfgoedcellen vooraf", "Without prior heritage cells"),
    # who cooperates with whom (simcoop/analysis/who_with_whom.py, docs/validation.md)
    "ww.statistic": ("maatstaf", "statistic"),
    "ww.sample": ("deel van Vlaanderen", "part of Flanders"),
    "ww.real": ("werkelijk", "real"),
    "ww.model": ("model", "model"),
    "ww.null": ("willekeurige aaneengesloten clusters", "random contiguous clusters"),
    "ww.self": ("model tegenover zichzelf", "model against itself"),
    "ww.adjusted_rand": ("aangepaste Rand-index van de indeling", "adjusted Rand index of the partition"),
    "ww.pair_precision": ("precisie van paren in hetzelfde IGS", "precision of pairs in the same IGS"),
    "ww.pair_recall": ("recall van paren in hetzelfde IGS", "recall of pairs in the same IGS"),
    "ww.membership_auc": ("AUC van de lidmaatschapsfrequentie tegenover echt lidmaatschap",
                          "AUC of membership frequency against real membership"),
    "ww.region_coverage_spearman": ("Spearman van de dekking per referentieregio",
                                    "Spearman of coverage per reference region"),
    "ww.centres_in_igs": ("centrumsteden in een IGS", "centre cities in an IGS"),
    "ww.centre_shadow": ("dekking van buurgemeenten van een centrumstad min die van de andere gemeenten",
                         "coverage of a centre city's neighbours minus that of the other municipalities"),
    "ww.size_bias": ("correlatie van lidmaatschap met log(inwoners)", "correlation of membership with log population"),
    "ww.igs_below_norm": ("IGS onder 85.000 inwoners", "IGS below 85,000 inhabitants"),
    "ww.igs_across_regions": ("IGS over referentieregio's heen", "IGS spanning reference regions"),
    "ww.igs_not_contiguous": ("IGS niet uit één stuk", "IGS not in one piece"),
    "ww.sample.in": ("kalibratiedeel", "in sample"),
    "ww.sample.out": ("buiten de steekproef", "out of sample"),
    "ww.sample.all": ("heel Vlaanderen", "all of Flanders"),
    "ww.target": ("doel", "target"),
    "ww.value": ("waarde", "value"),
    "ww.met": ("gehaald", "met"),
    "ww.loss": ("verlies (kalibratie)", "loss (calibration)"),
    "ww.seeds": ("simulaties", "runs"),
    "ww.target.ari_above_null": ("buiten de steekproef: ondergrens van de ARI boven de bovengrens van de "
                                 "willekeurige clusters", "out of sample: lower bound of the ARI above the "
                                 "random clusters' upper bound"),
    "ww.target.region_spearman": ("buiten de steekproef: Spearman van de dekking per regio minstens 0,5",
                                  "out of sample: Spearman of coverage per region at least 0.5"),
    "ww.target.centres": ("2 tot 6 centrumsteden in een IGS (heel Vlaanderen)",
                          "2 to 6 centre cities in an IGS (all of Flanders)"),
    "ww.map_real": ("IGS cultuur 2020-2025 (werkelijk)", "IGS cultuur 2020-25 (real)"),
    "ww.map_frequency": ("aandeel simulaties met de gemeente in een IGS", "share of runs with the municipality in an IGS"),
    "ww.map_outline": ("rood: grenzen van de echte IGS", "red: borders of the real IGS"),
    "ww.map_split": ("kalibratiedeel: {inside}; buiten de steekproef: {outside}",
                     "in sample: {inside}; out of sample: {outside}"),
    "ww.map_split_line": ("gestreepte lijn tussen beide", "dashed line between them"),
    "scenario.defaults": ("Standaardinstellingen", "Default settings"),
    "scenario.current_policy": ("Huidig beleid", "Current policy"),
    "scenario.no_region_rule": ("Zonder regioregel", "No region rule"),
    "scenario.regions_by_2028": ("Referentieregio's verplicht tegen 2028", "Reference regions compulsory by 2028"),
    "scenario.no_networks": ("Zonder netwerken vrijetijdsparticipatie", "No leisure-participation networks"),
    # the real start, mechanisms and levers of the reworked model
    "start.mode": ("beginsituatie", "starting point"),
    "start.real_2025": ("de echte IGS cultuur van 2025", "the real IGS cultuur of 2025"),
    "start.empty": ("geen IGS (vorming vanaf 2016)", "no IGS (formation from 2016)"),
    "attributes.fiscal_weight": ("aandeel van de begroting dat met het inkomen meegaat",
                                 "share of the budget that follows income"),
    "attributes.known_heritage": ("gekende erfgoedsamenwerking telt mee", "known heritage cooperation counts"),
    "attributes.affinity_arrondissement": ("gewicht van hetzelfde arrondissement", "weight of the same arrondissement"),
    "attributes.affinity_heritage": ("gewicht van gedeeld erfgoed", "weight of shared heritage"),
    "attributes.affinity_housing": ("gewicht van een gedeelde woon-IGS", "weight of a shared housing IGS"),
    "attributes.affinity_uit_region": ("gewicht van een gedeelde streek (UiT-regio)",
                                       "weight of a shared streek (UiT region)"),
    "incentive.norm_from": ("eerste aanvraagjaar met de inwonersnorm", "first application year under the population norm"),
    "incentive.min_members": ("minimum aantal gemeenten (vóór de inwonersnorm en in de overgang)",
                              "minimum number of municipalities (before the norm and in its transition)"),
    "incentive.transition_until": ("einde van de overgang voor de gemeentenregel",
                                   "end of the transition for the municipalities rule"),
    "incentive.first_period_years": ("lengte van de eerste erkenningsperiode (jaren)",
                                     "length of the first recognition period (years)"),
    "incentive.period_start": ("begin van de erkenningsperiodes", "start of the recognition periods"),
    "incentive.period_years": ("lengte van een erkenningsperiode (jaren)", "length of a recognition period (years)"),
    "incentive.networks": ("netwerken vrijetijdsparticipatie", "leisure-participation networks"),
    "incentive.network_first_round": ("eerste oproep voor netwerken", "first call for networks"),
    "incentive.network_round_interval": ("jaren tussen oproepen voor netwerken", "years between calls for networks"),
    "incentive.network_uptake": ("kans dat een IGS een netwerkoproep overweegt", "probability that an IGS considers a network call"),
    "incentive.network_tasks_fte": ("taken van een netwerk (voltijds per lid)", "tasks of a network (FTE per member)"),
    "incentive.network_deadline": ("jaar waarin trekkingsrechten buiten een netwerk vervallen",
                                   "year drawing rights outside a network end"),
    "incentive.drawing_rights_per_inhabitant": ("trekkingsrechten per inwoner (euro)",
                                                "drawing rights per inhabitant (EUR)"),
    "incentive.transition_for_new": ("overgang ook voor nieuwe IGS", "transition for new IGS too"),
    "incentive.small_projects": ("kleine bovenlokale cultuurprojecten alleen in een IGS-gebied",
                                 "small supra-local culture projects only in an IGS area"),
    "incentive.small_projects_from": ("eerste jaar van de kleine projecten in IGS-gebied",
                                      "first year of the small projects in IGS areas"),
    "incentive.small_projects_budget": ("budget voor kleine bovenlokale cultuurprojecten (euro per jaar)",
                                        "budget for small supra-local culture projects (EUR per year)"),
    "incentive.small_projects_demand_per_inhabitant": ("aangevraagd voor kleine projecten per inwoner (euro)",
                                                       "asked for small projects per inhabitant (EUR)"),
    "igs.programme_follows_agenda": ("aandeel van de werking dat de agenda volgt", "share of the programme that follows the agenda"),
    "behaviour.scale_max_population": ("ideale schaal (inwoners)", "ideal scale (inhabitants)"),
    "behaviour.oversize": ("last van een te groot IGS", "burden of an oversized IGS"),
    "behaviour.w_regional_role": ("gewicht van de regionale rol (centrumsteden)", "weight of the regional role (centre cities)"),
    "behaviour.w_freedom": ("gewicht van vrijheid (centrumsteden)", "weight of freedom (centre cities)"),
    "behaviour.exit_cost": ("kost van uittreden tijdens een periode", "cost of leaving within a period"),
    "behaviour.w_balance": ("gewicht van het saldo ('wat levert het ons op?')", "weight of the balance ('what's in it for us?')"),
    "behaviour.balance_memory": ("geheugen voor het saldo", "memory of the balance"),
    "breakups_recognised": ("opgeheven erkende IGS", "recognised IGS dissolved"),
    "n_networks": ("IGS met een netwerk vrijetijdsparticipatie", "IGS with a leisure-participation network"),
    "centre_members": ("centrumsteden in een IGS", "centre cities in an IGS"),
    "nis": ("NIS-code", "NIS code"),
    "balance_eur": ("saldo van het lidmaatschap (euro)", "balance of membership (EUR)"),
    "budget_shock": ("budgetdruk", "budget pressure"),
    "identity": ("regionale verbondenheid", "regional affinity"),
    "host_nis": ("gaststad", "host city"),
    "centre_excess": ("agenda-overwicht van de centrumstad", "centre city's excess agenda share"),
    "spans_regions": ("over regiogrenzen heen", "spans reference regions"),
    "contiguous": ("één aaneengesloten gebied", "one contiguous territory"),
    "network": ("netwerk vrijetijdsparticipatie", "leisure-participation network"),
    "lever": ("hefboom", "lever"),
    "lever.none": ("huidig beleid", "current policy"),
    "lever.key_per_budget": ("bijdrage volgens begroting", "contribution per budget"),
    "lever.subsidy_0": ("geen Vlaamse subsidie", "no Flemish subsidy"),
    "lever.subsidy_1_80": ("dubbele Vlaamse subsidie (1,80 euro)", "double Flemish subsidy (EUR 1.80)"),
    "lever.norm_60000": ("erkenningsnorm 60.000 inwoners", "recognition norm 60,000 inhabitants"),
    "lever.norm_110000": ("erkenningsnorm 110.000 inwoners", "recognition norm 110,000 inhabitants"),
    "lever.no_region_rule": ("geen regioregel", "no region rule"),
    "lever.own_staff": ("eigen personeel voor het IGS", "the IGS's own staff"),
    "lever.trust_loss_equal": ("vertrouwen verdwijnt even traag als het groeit", "trust lost as slowly as gained"),
    "lever.trust_loss_3x": ("vertrouwen verdwijnt drie keer sneller dan het groeit", "trust lost three times as fast"),
    "lever.no_identity": ("regionale identiteit telt niet", "regional identity carries no weight"),
    "lever.no_budget_shocks": ("geen budgetschokken", "no budget shocks"),
    "lever.budget_shocks_doubled": ("dubbel zoveel budgetschokken", "twice the budget shocks"),
    "lever.no_networks": ("geen netwerken vrijetijdsparticipatie", "no leisure-participation networks"),
    "lever.no_small_projects": ("kleine projecten niet gebonden aan een IGS-gebied", "small projects not tied to IGS areas"),
    # words
    "none": ("geen IGS", "no IGS"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    # ---------------------------------------------------------------- workshop (report, dashboard)
    # every parameter a facilitator may sweep or set, so a generated scenario label never
    # shows a config path (tests/test_labels.py checks that every parameter has one)
    "start_year": ("beginjaar", "first year"),
    "end_year": ("eindjaar", "last year"),
    "start": ("vertrekpunt", "starting point"),
    "data.source": ("gegevens", "data"),
    "data.n_municipalities": ("aantal gemeenten (denkbeeldig)", "number of municipalities (imaginary)"),
    "data.n_regions": ("aantal regio's (denkbeeldig)", "number of regions (imaginary)"),
    "data.n_centre_cities": ("aantal centrumsteden (denkbeeldig)", "number of centre cities (imaginary)"),
    "data.mean_population": ("gemiddeld inwonertal (denkbeeldig)", "mean population (imaginary)"),
    "attributes.seed": ("vaste gemeentekenmerken", "fixed municipal characteristics"),
    "incentive.network_start_year": ("start van de netwerkbonus", "start of the network bonus"),
    "incentive.dissolve_after_unrecognised_years": ("jaren zonder erkenning voor opheffing",
                                                    "years without recognition before dissolution"),
    "region_rule.announce_year": ("aankondiging van de regioregel", "announcement of the region rule"),
    "region_rule.repeal_year": ("afschaffing van de regioregel (0 = nooit)", "repeal of the region rule (0 = never)"),
    "behaviour.election_first_year": ("eerste gemeenteraadsverkiezing", "first local election"),
    "behaviour.election_interval": ("jaren tussen verkiezingen", "years between elections"),
    "subsidy_share": ("subsidie-aandeel (euro per jaar)", "subsidy share (EUR per year)"),
    "contribution": ("bijdrage (euro per jaar)", "contribution (EUR per year)"),
    "dissolutions_total": ("opgeheven IGS in {start}-{end}", "IGS dissolved in {start}-{end}"),
    "net_eur": ("saldo: subsidie min bijdrage (euro per jaar)", "balance: subsidy minus contribution (EUR per year)"),
    # one plain sentence where a term needs it
    "explain.dominance_mean": ("0 = elke gemeente weegt op de agenda zoals haar inwonertal; 1 = één gemeente "
                               "bepaalt alles.", "0 = every municipality weighs on the agenda as its population; "
                               "1 = one municipality decides everything."),
    "explain.gini_net_benefit": ("0 = alle partners hebben evenveel baat; 1 = één partner heeft alle baat.",
                                 "0 = all partners benefit equally; 1 = one partner has all the benefit."),
    "explain.mean_trust_members": ("0 = geen vertrouwen, 1 = volledig vertrouwen.", "0 = no trust, 1 = full trust."),
    "explain.spread": ("Het gemiddelde is dat van alle simulaties. 'Meestal' geeft het bereik van de "
                       "afzonderlijke simulaties (8 op de 10 liggen ertussen): zo ver kunnen de geschiedenissen "
                       "uiteenlopen. Het interval bij het verschil zegt hoe zeker het verschil in het gemiddelde "
                       "is (95 % zeker).",
                       "The mean is over all runs. 'Usually' gives the range of single runs (8 in 10 lie within "
                       "it): how far histories can differ. The interval beside the difference says how sure the "
                       "difference in the mean is (95% sure)."),
    "explain.runs": ("Een simulatie is één mogelijke geschiedenis: het model speelt dezelfde regels telkens met "
                     "ander toeval (wie wanneer beslist, budgetdruk, nieuwe gezichten).",
                     "A run is one possible history: the model plays the same rules each time with different "
                     "chance (who decides when, budget pressure, new faces)."),
    # the comparison report
    "report.title": ("Samenwerking rond cultuur: scenario's vergeleken", "Cooperation on culture: scenarios compared"),
    "report.intro": ("Elk scenario werd {runs} keer gesimuleerd voor {n} gemeenten, van {start} tot {end}.",
                     "Each scenario was simulated {runs} times for {n} municipalities, from {start} to {end}."),
    "report.common": ("In alle scenario's: {settings}.", "In every scenario: {settings}."),
    "report.table": ("Kerncijfers in {end}", "Key figures in {end}"),
    "report.indicator": ("kerncijfer", "indicator"),
    "report.mean": ("gemiddeld", "mean"),
    "report.usually": ("meestal {low} tot {high}", "usually {low} to {high}"),
    "report.difference": ("verschil met basis", "difference from baseline"),
    "report.difference_of": ("verschil met basis: {label}", "difference from baseline: {label}"),
    "report.reference": ("De eerste kolom is de basis: {label}.", "The first column is the baseline: {label}."),
    "report.not_sure": ("niet zeker", "not sure"),
    "report.trajectories": ("Hoe de samenwerking evolueert", "How cooperation develops"),
    "report.trajectories_note": ("Lijnen zijn gemiddelden over de simulaties; de banden tonen waar 8 op de 10 "
                                 "afzonderlijke simulaties liggen.", "Lines are means over the runs; bands show "
                                 "where 8 in 10 single runs lie."),
    "report.maps": ("Wie werkt met wie samen in {end}", "Who cooperates with whom in {end}"),
    "report.maps_note": ("Eén mogelijke geschiedenis per scenario (simulatie {run}). Elk vlak is een gemeente, "
                         "gekleurd volgens haar IGS; wit: geen IGS. Dikke lijnen zijn de grenzen van de "
                         "referentieregio's. Beweeg over een gemeente voor haar naam.",
                         "One possible history per scenario (run {run}). Each area is a municipality, coloured by "
                         "its IGS; white: no IGS. Thick lines are the borders of the reference regions. Hover "
                         "over a municipality for its name."),
    "report.lookup": ("Wat betekent dit voor mijn gemeente?", "What does this mean for my municipality?"),
    "report.search": ("Zoek een gemeente", "Find a municipality"),
    "report.search_hint": ("typ een naam, bv. Herentals", "type a name, e.g. Herentals"),
    "report.in_igs": ("in een IGS in {k} van de {n} simulaties", "in an IGS in {k} of {n} runs"),
    "report.usual_igs": ("meestal in {igs}", "usually in {igs}"),
    "report.partners": ("vaakste partners", "most frequent partners"),
    "report.partner_count": ("{name} ({k} van {n})", "{name} ({k} of {n})"),
    "report.money": ("als lid in {end}: betaalt {contribution}, krijgt {subsidy} subsidie, saldo {net} per jaar",
                     "as a member in {end}: pays {contribution}, receives {subsidy} subsidy, balance {net} per year"),
    "report.history": ("geschiedenis in simulatie {run}", "history in run {run}"),
    "report.left_reasons": ("verliet een IGS {reason} in {k} van de {n} simulaties",
                            "left an IGS {reason} in {k} of {n} runs"),
    "report.no_history": ("geen toetredingen of uittredingen", "no joins or leaves"),
    "report.not_found": ("Geen gemeente gevonden.", "No municipality found."),
    "report.footer": ("Gemaakt met simcoop {version} op {today}. Gegevens van de simulaties: {sweep}.",
                      "Made with simcoop {version} on {today}. Data of the runs: {sweep}."),
    "report.legend_none": ("geen IGS", "no IGS"),
    "report.legend_centre": ("centrumstad", "centre city"),
    "report.legend_region": ("grens van een referentieregio", "border of a reference region"),
    # one line in a municipality's history: '2031: verliet IGS Kempen door de regioregel'
    "history.found": ("{year}: richtte {igs} op", "{year}: founded {igs}"),
    "history.join": ("{year}: trad toe tot {igs} {reason}", "{year}: joined {igs} {reason}"),
    "history.leave": ("{year}: verliet {igs} {reason}", "{year}: left {igs} {reason}"),
    "history.start": ("{year}: was lid van {igs} bij de start", "{year}: was a member of {igs} at the start"),
    "igs.named_after": ("IGS {name}", "IGS {name}"),
    "igs.until": ("(tot {year})", "(until {year})"),
    # the dashboard
    "dash.title": ("Samenwerking rond cultuur in Vlaanderen", "Cooperation on culture in Flanders"),
    "dash.settings": ("Instellingen", "Settings"),
    "dash.seed": ("simulatie (een geheel getal)", "run (a whole number)"),
    "dash.subsidy_floor": ("Vanaf 2026 krijgt elk erkend IGS minstens {floor} per jaar (decreet van 2024).",
                           "From 2026 every recognised IGS gets at least {floor} a year (decree of 2024)."),
    "dash.seed_error": ("De simulatie moet een geheel getal van 0 tot {high} zijn; '{value}' is dat niet.",
                        "The run must be a whole number from 0 to {high}; '{value}' is not."),
    "dash.pending": ("Gewijzigde instellingen: druk op Herbegin om ze toe te passen.",
                     "Settings changed: press Restart to apply them."),
    "dash.reset": ("Herbegin", "Restart"),
    "dash.step": ("Eén jaar verder", "One year on"),
    "dash.play": ("Speel af", "Play"),
    "dash.pause": ("Pauze", "Pause"),
    "dash.status": ("{year}: {n_igs} IGS, {members} van de {total} gemeenten in een IGS ({share}).",
                    "{year}: {n_igs} IGS, {members} of {total} municipalities in an IGS ({share})."),
    "dash.start": ("start", "start"),
    "dash.ended": ("Het laatste jaar ({end}) is bereikt.", "The last year ({end}) has been reached."),
    "dash.click": ("Klik op een gemeente op de kaart of kies ze hier.", "Click a municipality on the map or choose it here."),
    "dash.municipality": ("gemeente", "municipality"),
    "dash.not_member": ("{name} is nu in geen IGS.", "{name} is not in an IGS now."),
    "dash.member": ("{name} is lid van {igs}, met {partners}.", "{name} is a member of {igs}, with {partners}."),
    "dash.money": ("Betaalt {contribution} per jaar, krijgt {subsidy} subsidie, saldo {net}.",
                   "Pays {contribution} a year, receives {subsidy} subsidy, balance {net}."),
    "dash.download_png": ("Kaart als afbeelding (PNG)", "Map as an image (PNG)"),
    "dash.download_tables": ("Tabellen van deze simulatie (zip)", "Tables of this run (zip)"),
    "dash.language": ("taal", "language"),
    "dash.trends": ("Verloop", "Over time"),
    "lang.nl": ("Nederlands", "Dutch"),
    "lang.en": ("Engels", "English"),
}


def label(key: str, lang: str = "nl") -> str:
    """The readable label of an internal name; KeyError if the table lacks it, so a
    missing translation shows up in tests rather than as a column name on screen."""
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r} is not accepted; accepted: one of {', '.join(LANGS)}")
    return LABELS[key][LANGS.index(lang)]


def has_label(key: str) -> bool:
    return key in LABELS


def number(x: float, lang: str = "nl", decimals: int = 1) -> str:
    """A number with the language's separators: 1.234,5 (nl) or 1,234.5 (en); '-' if missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    text = f"{x:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def count(x: float, lang: str = "nl") -> str:
    """A whole count (rounded), e.g. 19 IGS, never 19,33."""
    return number(round(x), lang, 0) if x == x else "-"


def percent(share: float, lang: str = "nl", decimals: int = 0) -> str:
    """A 0-1 share as a percentage: 0.57 -> '57 %' (nl) or '57%' (en)."""
    if share is None or share != share:
        return "-"
    return number(100 * share, lang, decimals) + (" %" if lang == "nl" else "%")


def euro(x: float, lang: str = "nl", decimals: int = 0) -> str:
    """An amount in euros: '€ 12.345' (nl) or 'EUR 12,345' (en)."""
    if x is None or x != x:
        return "-"
    return ("€ " if lang == "nl" else "EUR ") + number(x, lang, decimals)


# ---------------------------------------------------------------- formats of indicators
# How each indicator is shown: shares as percentages, counts whole, euros, indices 0-1 with
# two decimals (and a sentence under "explain.<metric>").
METRIC_FORMAT: dict[str, str] = {
    "n_igs": "count", "n_recognised": "count", "max_members": "count", "cross_region_igs": "count",
    "joins": "count", "leaves": "count", "foundings": "count", "dissolutions": "count", "mergers": "count",
    "dissolutions_total": "count", "budget_shocks": "count",
    "coverage_municipalities": "percent", "coverage_population": "percent", "share_igs_above_norm": "percent",
    "share_igs_at_most_12_members": "percent",
    "mean_members": "number",
    "dominance_mean": "index", "dominance_max": "index", "centre_excess_mean": "index",
    "gini_net_benefit": "index", "mean_trust_members": "index", "mean_trust_neighbours": "index",
    "subsidy_total_eur": "euro", "contribution_eur": "euro", "subsidy_eur": "euro", "net_eur": "euro",
}


def fmt(metric: str, x: float, lang: str = "nl") -> str:
    """A value of an indicator in its format (METRIC_FORMAT; plain number otherwise)."""
    kind = METRIC_FORMAT.get(metric, "number")
    if kind == "count":
        return count(x, lang)
    if kind == "percent":
        return percent(x, lang)
    if kind == "euro":
        return euro(x, lang)
    return number(x, lang, 2 if kind == "index" else 1)


def fmt_difference(metric: str, x: float, lang: str = "nl") -> str:
    """A signed difference: '+3 procentpunt', '-2', '+0,05', '+€ 1.200'."""
    if x is None or x != x:
        return "-"
    kind = METRIC_FORMAT.get(metric, "number")
    shown = {"percent": 100 * abs(x), "count": abs(x) if abs(x) < 10 else round(abs(x))}.get(kind, abs(x))
    digits = {"percent": 0, "euro": 0, "count": 1, "index": 2}.get(kind, 1)
    sign = "±" if round(shown, digits) == 0 else ("+" if x > 0 else "-")
    if kind == "percent":
        unit = " procentpunt" if lang == "nl" else " percentage points"
        return sign + number(abs(100 * x), lang, 0) + unit
    if kind == "euro":
        return sign + euro(abs(x), lang)
    if kind == "count":
        return sign + number(abs(x), lang, 1 if abs(x) < 10 else 0)
    return sign + number(abs(x), lang, 2 if kind == "index" else 1)


def value_text(x: object, lang: str = "nl") -> str:
    """A parameter's value in words: ja/nee, whole numbers plain, others with up to 2 decimals."""
    if isinstance(x, bool):
        return label("yes" if x else "no", lang)
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) >= 1000):
        # years stay '2031', not '2.031'
        return str(int(x)) if 1900 <= x <= 2200 else number(x, lang, 0)
    if isinstance(x, float):
        return number(x, lang, 2).rstrip("0").rstrip(",.") if abs(x) < 1000 else number(x, lang, 0)
    return str(x)


def override_label(key: str, value: object, lang: str = "nl") -> str | None:
    """One override in words: 'verdeelsleutel: volgens begroting', 'Vlaamse subsidie per
    inwoner (euro): 1,5'. None when the table lacks the key (the caller says so loudly)."""
    key = key.lstrip("+~")
    if isinstance(value, str) and has_label(f"{key}.{value}"):
        return label(f"{key}.{value}", lang) if key == "scenario" else \
            f"{label(key, lang)}: {label(f'{key}.{value}', lang)}"
    if not has_label(key):
        return None
    return f"{label(key, lang)}: {value_text(value, lang)}"
