"""The workshop dashboard: a solara page, one model per browser session.

    simcoop dashboard                      # Dutch, on http://localhost:8765
    simcoop dashboard --lang en --network  # English, reachable from participants' devices

A facilitator sets the financial key, the Flemish subsidy, the recognition threshold,
the region rule and the run number, presses Restart, then steps or plays year by year.
The map (SVG, drawn once per session; a step only sends new colours and hover texts)
names every municipality and its IGS; a click shows what the current run means for it.
Every session has its own model (component state, never module state), so participants
on their own devices do not see each other's runs.
"""

from __future__ import annotations

import functools
import html
import io
import os
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from omegaconf import OmegaConf

from simcoop.config import KEYS
from simcoop.labels import LANGS, count, euro, fmt_difference, label, percent
from simcoop.workshop.lookup import history_lines
from simcoop.analysis.maps import NONE_COLOUR, adjacency_pairs, assign_colours, flanders_geometry, igs_neighbours
from simcoop.model import CooperationModel
from simcoop.analysis.plotting import draw_named_map
from simcoop.run import collect, compose, group_options, to_sim_config

DEFAULT_LANG = os.environ.get("SIMCOOP_LANG", "nl") if os.environ.get("SIMCOOP_LANG") in LANGS else "nl"
SEED_HIGH = 2**32 - 1
PLAY_SECONDS = 1.0


@dataclass(frozen=True)
class Settings:
    """The facilitator's controls; a run is made from one of these."""
    key: str = "per_inhabitant"
    subsidy: float = 0.9
    threshold: int = 85000
    region_rule: str = "forced_2031"    # current policy
    small_projects: bool = True         # the small projects line only in IGS areas (current policy)
    seed: int = 0

    def overrides(self) -> list[str]:
        return [f"key={self.key}", f"region_rule={self.region_rule}",
                f"incentive.subsidy_per_inhabitant={self.subsidy}",
                f"incentive.recognition_threshold={self.threshold}",
                f"incentive.small_projects={str(self.small_projects).lower()}", f"seed={self.seed}"]


@dataclass
class Session:
    """One browser session's run: the model, its config, and what the map needs to last."""
    model: CooperationModel
    config: dict
    first: pd.DataFrame                 # membership at the start (an IGS held then has no join event)
    colours: dict[str, str]             # IGS name -> colour, kept for the whole run
    names: dict[int, str]               # IGS id -> last known name (for the history of dissolved IGS)


@dataclass
class View:
    """What the page shows of the model now (see `view_of`)."""
    year: int
    running: bool
    nis: np.ndarray
    names: np.ndarray
    population: np.ndarray
    centre: np.ndarray
    igs_id: np.ndarray                  # IGS per municipality, -1 outside an IGS
    igs: list[str | None]               # IGS name per municipality, None outside an IGS
    contribution: np.ndarray
    subsidy: np.ndarray
    net_benefit: np.ndarray
    n_igs: int
    events: pd.DataFrame
    yearly: pd.DataFrame


def view_of(model: CooperationModel) -> View:
    """The only place that reads the model: its public state (land, member_of, igs, year,
    contribution, subsidy_share, net_benefit, steps, running) and its collected tables.
    An IGS is named by its `name` when it has one (real IGS), else by its largest member."""
    land = model.land
    member_of = np.asarray(model.member_of)
    by_id: dict[int, str] = {}
    for igs_id, g in model.igs.items():
        real = getattr(g, "name", None)
        if real:
            by_id[int(igs_id)] = str(real)
            continue
        members = np.flatnonzero(member_of == igs_id)
        if members.size:
            by_id[int(igs_id)] = label("igs.named_after").format(name=land.name[members[np.argmax(
                land.population[members])]])
    dc = model.datacollector
    events = dc.get_table_dataframe("events") if "events" in dc.tables else pd.DataFrame()
    # the state shown is that of the last year settled: the real 2025 landscape before any step
    settled = model.steps or model.cfg.start.mode == "real_2025"
    return View(year=int(model.year - 1 if settled else model.year), running=bool(model.running),
                nis=np.asarray(land.nis), names=np.asarray(land.name), population=np.asarray(land.population),
                centre=np.asarray(land.centre), igs_id=member_of.copy(), igs=[by_id.get(int(g)) for g in member_of],
                contribution=np.asarray(model.contribution), subsidy=np.asarray(model.subsidy_share),
                net_benefit=np.asarray(model.net_benefit), n_igs=len(model.igs), events=events,
                yearly=dc.get_model_vars_dataframe())


@functools.lru_cache(maxsize=1)
def subsidy_floor() -> float:
    """The floor every recognised IGS gets from 2026 in the facilitator's runs: read from the
    config they are composed from (no control changes it), not kept as a second copy."""
    return float(compose(Settings().overrides()).incentive.subsidy_minimum)


def parse_seed(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and int(text) <= SEED_HIGH else None


def new_session(settings: Settings) -> Session:
    cfg = compose(settings.overrides())
    model = CooperationModel(to_sim_config(cfg))
    view = view_of(model)
    first = pd.DataFrame({"year": view.year, "nis": view.nis, "igs_id": pd.array(view.igs_id, "Int64"),
                          "igs_name": view.igs})
    first["igs_id"] = first["igs_id"].mask(first["igs_id"] < 0)
    session = Session(model, OmegaConf.to_container(cfg, resolve=True), first, {}, {})
    remember(session, view)
    return session


def remember(session: Session, view: View) -> None:
    """Name each new IGS once (its real name, or its largest member now; never the name of
    another IGS alive), so it keeps name and colour for the whole run, and give it a colour
    none of its neighbours has."""
    alive = {int(g) for g in view.igs_id if g >= 0}
    taken = {session.names[g] for g in alive if g in session.names}
    for igs_id, name in zip(view.igs_id, view.igs):
        igs_id = int(igs_id)
        if name and igs_id not in session.names:
            unique, k = name, 2
            while unique in taken:
                unique, k = f"{name} {k}", k + 1
            session.names[igs_id] = unique
            taken.add(unique)
    stable = stable_names(session, view)
    touching = igs_neighbours(dict(zip(view.nis.astype(int), stable)), adjacency_pairs())
    session.colours.update(assign_colours({n for n in stable if n}, touching, session.colours))


def stable_names(session: Session, view: View) -> list[str | None]:
    return [session.names.get(int(g), name) if g >= 0 else None for g, name in zip(view.igs_id, view.igs)]


def tables_zip(session: Session) -> bytes:
    """The run so far as CSV tables (yearly, membership, events, igs) in one zip."""
    result = collect(session.model, dict(session.config))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("yearly", "membership", "events", "igs"):
            z.writestr(f"{name}.csv", getattr(result, name).to_csv(index=False))
    return buffer.getvalue()


def map_png(view: View, colours: dict[str, str], title: str, lang: str) -> bytes:
    fig = Figure(figsize=(16, 8.5))
    ax = fig.subplots()
    fills = {int(n): colours.get(g, NONE_COLOUR) if g else NONE_COLOUR for n, g in zip(view.nis, view.igs)}
    draw_named_map(ax, fills, {g: colours[g] for g in sorted({g for g in view.igs if g})}, label("none", lang))
    ax.set_title(title, fontsize=18)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


@solara.component_vue(str(Path(__file__).with_name("vue") / "flanders_map.vue"))
def FlandersMap(paths: list, nis: list, colours: list, titles: list, borders: str, viewbox: str, cities: list,
                selected: int, event_select=None):
    pass


@solara.component_vue(str(Path(__file__).with_name("vue") / "trend_chart.vue"))
def TrendChart(years: list, series: list, names: list, colours: list, ticks: list):
    pass


def Trends(view: View, lang: str) -> None:
    """Coverage of municipalities and inhabitants over the years (SVG: a step sends numbers, not an image)."""
    y = view.yearly
    metrics = ("coverage_municipalities", "coverage_population")
    TrendChart(years=[int(v) for v in y["year"]] if len(y) else [],
               series=[[float(v) for v in y[m]] for m in metrics] if len(y) else [[], []],
               names=[label(m, lang) for m in metrics], colours=["#1f77b4", "#ff7f0e"],
               ticks=[[t / 4, percent(t / 4, lang)] for t in range(5)])


@solara.component
def MunicipalityCard(view: View, session: Session, index: int, lang: str):
    name = str(view.names[index])
    igs = view.igs[index]
    if igs is None:
        solara.Markdown(f"### {name}\n\n{label('dash.not_member', lang).format(name=name)}")
    else:
        partners = [str(view.names[k]) for k, g in enumerate(view.igs) if g == igs and k != index]
        money = label("dash.money", lang).format(contribution=euro(view.contribution[index], lang),
                                                 subsidy=euro(view.subsidy[index], lang),
                                                 net=fmt_difference("net_eur", view.subsidy[index]
                                                                    - view.contribution[index], lang))
        solara.Markdown(f"### {name}\n\n{label('dash.member', lang).format(name=name, igs=igs, partners=', '.join(partners))}"
                        f"\n\n{money}")
    names = pd.DataFrame({"year": view.year, "igs_id": list(session.names), "igs_name": list(session.names.values())})
    lines = history_lines(view.events, names, session.first, lang).get(int(view.nis[index]), [])
    if len(view.events):
        solara.Markdown("\n".join(f"- {line}" for line in lines) or label("report.no_history", lang))


@solara.component
def Page():
    lang, set_lang = solara.use_state(DEFAULT_LANG)
    form, set_form = solara.use_state(Settings())
    seed_text, set_seed_text = solara.use_state("0")
    applied, set_applied = solara.use_state(Settings())
    generation, set_generation = solara.use_state(0)
    _, set_tick = solara.use_state(0)
    selected, set_selected = solara.use_state(-1)
    playing, set_playing = solara.use_state(False)
    session: Session = solara.use_memo(lambda: new_session(applied), dependencies=[applied, generation])
    geo = flanders_geometry()
    view = view_of(session.model)
    view = replace(view, igs=stable_names(session, view))
    order = [geo.paths.get(int(n), "") for n in view.nis]  # the model's order of municipalities

    seed = parse_seed(seed_text)
    wanted = replace(form, seed=seed) if seed is not None else None

    def restart():
        if wanted is None:
            return
        set_playing(False)
        set_applied(wanted)
        set_generation(lambda g: g + 1)
        set_tick(0)

    def step():
        if session.model.running:
            session.model.step()
            remember(session, view_of(session.model))
            set_tick(lambda t: t + 1)

    def play(cancel):
        while playing and session.model.running and not cancel.is_set():
            step()
            time.sleep(PLAY_SECONDS)
        if not session.model.running:
            set_playing(False)

    solara.use_thread(play, dependencies=[playing, session])

    solara.Title(label("dash.title", lang))
    solara.Style(".simcoop-legend { font-size: 20px; columns: 12em auto; list-style: none; padding: 0; } "
                 ".simcoop-legend li { break-inside: avoid; } "
                 ".simcoop-legend span.sw { display: inline-block; width: 1em; height: 1em; border: 1px solid #555; "
                 "margin-right: .4em; vertical-align: -.15em; } .simcoop-status { font-size: 22px; margin-left: 1em; } "
                 ".simcoop-card, .simcoop-card p, .simcoop-card li { font-size: 19px; line-height: 1.4; }")
    members = sum(g is not None for g in view.igs)
    year = f"{view.year} ({label('dash.start', lang)})" if not session.model.steps else str(view.year)
    status = label("dash.status", lang).format(year=year, n_igs=count(view.n_igs, lang), members=members,
                                               total=len(view.igs), share=percent(members / len(view.igs), lang))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(label("dash.step", lang), on_click=step, disabled=playing or not view.running, color="primary")
        solara.Button(label("dash.pause" if playing else "dash.play", lang), on_click=lambda: set_playing(not playing),
                      disabled=not view.running)
        solara.HTML(tag="span", unsafe_innerHTML=html.escape(status), classes=["simcoop-status"])
    if not view.running:
        solara.Info(label("dash.ended", lang).format(end=view.year))
    with solara.ColumnsResponsive(12, medium=[8, 4]):
        with solara.Column():
            cities = [[*geo.centroids[int(n)], str(nm)] for n, nm, c in zip(view.nis, view.names, view.centre)
                      if c and int(n) in geo.centroids]
            FlandersMap(paths=order, nis=[int(n) for n in view.nis],
                        colours=[session.colours.get(g, NONE_COLOUR) if g else NONE_COLOUR for g in view.igs],
                        titles=[f"{n}: {g or label('none', lang)}" for n, g in zip(view.names, view.igs)],
                        borders=geo.region_borders, viewbox=geo.viewbox, cities=cities, selected=selected,
                        event_select=set_selected)
            shown = sorted({g for g in view.igs if g})
            items = "".join(f'<li><span class="sw" style="background:{session.colours[g]}"></span>{html.escape(g)}</li>'
                            for g in shown)
            items += f'<li><span class="sw" style="background:{NONE_COLOUR}"></span>{label("none", lang)}</li>'
            solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["simcoop-legend"])
        with solara.Column():
            solara.Markdown(label("dash.click", lang))
            names = sorted(str(n) for n in view.names)
            solara.Select(label("dash.municipality", lang), value=str(view.names[selected]) if selected >= 0 else None,
                          values=names, on_value=lambda v: set_selected(int(np.flatnonzero(view.names == v)[0])))
            if selected >= 0:
                with solara.Column(classes=["simcoop-card"]):
                    MunicipalityCard(view, session, selected, lang)
            solara.Markdown(f"### {label('dash.trends', lang)}")
            Trends(view, lang)
            with solara.Card(label("dash.settings", lang)):
                languages = {label(f"lang.{code}", code): code for code in LANGS}  # each in its own words
                solara.ToggleButtonsSingle(value=label(f"lang.{lang}", lang), values=list(languages),
                                           on_value=lambda v: set_lang(languages[v]))
                solara.Select(label("key", lang), value=label(f"key.{form.key}", lang),
                              values=[label(f"key.{k}", lang) for k in KEYS],
                              on_value=lambda v: set_form(replace(form, key=next(
                                  k for k in KEYS if label(f"key.{k}", lang) == v))))
                rules = group_options("region_rule")
                solara.Select(label("region_rule", lang), value=label(f"region_rule.{form.region_rule}", lang),
                              values=[label(f"region_rule.{r}", lang) for r in rules],
                              on_value=lambda v: set_form(replace(form, region_rule=next(
                                  r for r in rules if label(f"region_rule.{r}", lang) == v))))
                # labels above the sliders: beside them, long Dutch labels squeeze the slider away
                solara.Text(f"{label('incentive.subsidy_per_inhabitant', lang)}: {euro(form.subsidy, lang, 2)}")
                solara.SliderFloat("", value=form.subsidy, min=0.0, max=3.0, step=0.1,
                                   on_value=lambda v: set_form(replace(form, subsidy=round(float(v), 2))))
                solara.Text(label("dash.subsidy_floor", lang).format(floor=euro(subsidy_floor(), lang, 0)))
                solara.Text(f"{label('incentive.recognition_threshold', lang)}: {count(form.threshold, lang)}")
                solara.SliderInt("", value=form.threshold, min=0, max=200000, step=5000,
                                 on_value=lambda v: set_form(replace(form, threshold=int(v))))
                solara.Checkbox(label=label("incentive.small_projects", lang), value=form.small_projects,
                                on_value=lambda v: set_form(replace(form, small_projects=bool(v))))
                solara.InputText(label("dash.seed", lang), value=seed_text, on_value=set_seed_text,
                                 continuous_update=True)
                if seed is None:
                    solara.Error(label("dash.seed_error", lang).format(high=SEED_HIGH, value=seed_text))
                elif wanted != applied:
                    solara.Warning(label("dash.pending", lang))
                solara.Button(label("dash.reset", lang), on_click=restart, disabled=seed is None, color="primary")
            solara.FileDownload(lambda: map_png(view, session.colours, f"{label('dash.title', lang)}, {view.year}",
                                                lang),
                                filename=f"simcoop_{view.year}.png", label=label("dash.download_png", lang),
                                mime_type="image/png")
            solara.FileDownload(lambda: tables_zip(session), filename=f"simcoop_run_{applied.seed}_{view.year}.zip",
                                label=label("dash.download_tables", lang), mime_type="application/zip")
