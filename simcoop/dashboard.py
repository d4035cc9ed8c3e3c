"""The workshop dashboard: a Mesa SolaraViz page.

    simcoop dashboard            # then open http://localhost:8765

A facilitator sets the financial key, the Flemish subsidy, the recognition threshold and
the region rule, presses Reset, then steps or plays the model year by year, and watches
the map of municipalities coloured by IGS and the coverage and dominance plots update.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from simcoop.config import KEYS
from simcoop.model import CooperationModel
from simcoop.plotting import draw_map
from simcoop.run import compose, group_options, to_sim_config


class WorkshopModel(CooperationModel):
    """The model with the facilitator's controls as keyword arguments, as SolaraViz needs."""

    def __init__(self, key: str = "per_inhabitant", subsidy_per_inhabitant: float = 0.9,
                 recognition_threshold: int = 85000, region_rule: str = "free", seed: int | str = 0):
        cfg = compose([f"key={key}", f"region_rule={region_rule}",
                       f"incentive.subsidy_per_inhabitant={float(subsidy_per_inhabitant)}",
                       f"incentive.recognition_threshold={int(recognition_threshold)}",
                       f"seed={int(seed)}", "end_year=2060"])
        super().__init__(to_sim_config(cfg))


def membership_now(model: CooperationModel) -> pd.DataFrame:
    """The municipalities and their IGS as the model stands (for the map)."""
    igs = np.array([a.igs_id for a in model.by_index], dtype=float)
    return pd.DataFrame({"nis": model.land.nis, "igs_id": np.where(igs < 0, np.nan, igs), "lon": model.land.lon,
                         "lat": model.land.lat, "centrumstad": model.centre})


@solara.component
def IgsMap(model: CooperationModel) -> None:
    update_counter.get()  # redraw after every step
    fig = Figure(figsize=(9, 4.2))
    ax = fig.subplots()
    draw_map(ax, membership_now(model))
    shown = model.year - 1 if model.steps else model.cfg.start_year
    ax.set_title(f"IGS cultuur, {'start' if not model.steps else shown}: "
                 f"{len(model.igs)} IGS, key {model.cfg.key.name}")
    fig.tight_layout()
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def Status(model: CooperationModel) -> None:
    """The settings in force and where the model stands, in words."""
    update_counter.get()
    cfg = model.cfg
    rule = "free" if cfg.region_rule.mode == "free" else f"forced by {cfg.region_rule.deadline}"
    members = sum(a.igs is not None for a in model.by_index)
    year = model.year - 1 if model.steps else cfg.start_year
    solara.Markdown(
        f"**Year** {year} · **IGS** {len(model.igs)} · **municipalities in an IGS** {members} of "
        f"{model.land.n}  \n**key** {cfg.key.name} · **subsidy** EUR "
        f"{cfg.incentive.subsidy_per_inhabitant:.2f} per inhabitant · **recognition threshold** "
        f"{int(cfg.incentive.recognition_threshold):,} · **region rule** {rule}")


MODEL_PARAMS = {
    "key": {"type": "Select", "value": "per_inhabitant", "values": list(KEYS), "label": "Financial key"},
    "subsidy_per_inhabitant": {"type": "SliderFloat", "value": 0.9, "min": 0.0, "max": 3.0, "step": 0.1,
                               "label": "Flemish subsidy (EUR per inhabitant)"},
    "recognition_threshold": {"type": "SliderInt", "value": 85000, "min": 0, "max": 200000, "step": 5000,
                              "label": "Recognition threshold (inhabitants)"},
    "region_rule": {"type": "Select", "value": "free", "values": group_options("region_rule"),
                    "label": "Region rule"},
    "seed": {"type": "InputText", "value": "0", "label": "Seed"},
}

page = SolaraViz(
    WorkshopModel(),
    components=[
        Status,
        IgsMap,
        make_plot_component({"coverage_municipalities": "tab:blue", "coverage_population": "tab:orange"}),
        make_plot_component({"dominance_mean": "tab:red", "centre_excess_mean": "tab:purple"}),
        make_plot_component({"n_igs": "black", "n_recognised": "tab:green"}),
    ],
    model_params=MODEL_PARAMS,
    name="simcoop: intermunicipal cooperation on culture in Flanders",
)
