"""The command line: a Hydra app over the same functions as `simcoop.simulate`.

    simcoop scenario=regions_by_2028 key=per_budget seed=3 end_year=2040
    simcoop -m key=per_inhabitant,per_budget seed='range(20)' sweep_name=keys
    simcoop collect sweeps/keys
    simcoop -m +experiment=dominance                    # sweep, then data and figures
    simcoop analyse sweeps/dominance
    simcoop compare scenario=current_policy,no_region_rule,per_budget_key seeds=20 lang=nl
    simcoop dashboard                                   # the workshop page on localhost:8765
    simcoop sensitivity morris n=10                     # Morris screening (SALib); also sobol, prim

Overrides are checked before Hydra starts (every value, every combination of a sweep,
its size, the data and sample files, whether the output folder is writable), so a bad
value stops with one line naming the field and the accepted values (exit code 2) and
nothing is written. Ctrl-C stops with one line and the resume hint (exit 130). Every
subcommand answers --help.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import RangeSweep
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from hydra_plugins.simcoop_launcher import batched as batched_launcher

from simcoop import config as schema
from simcoop.sweeps import store
from simcoop.atomic import remove_stale
from simcoop.errors import ConfigError, SimcoopInputError
from simcoop.data.landscape import load_landscape
from simcoop.results import output_error
from simcoop.run import CONFIG_DIR, compose, run_config
from simcoop.sample import apply_sample

# Hydra's own flags; those in VALUE_FLAGS take the next argument as their value.
VALUE_FLAGS = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
               "--config-dir", "-cd", "--experimental-rerun", "--info", "-i"}
NO_CHECK_FLAGS = {"--help", "-h", "--hydra-help", "--version", "--shell-completion", "-sc"}


def user_overrides(argv: list[str]) -> list[str]:
    """The key=value overrides of a command line, without Hydra's flags and hydra.* keys."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in VALUE_FLAGS
            continue
        if arg.lstrip("+~").startswith("hydra"):
            continue
        out.append(arg)
    return out


def check_overrides(overrides: list[str], sweep_argv: list[str] | None = None) -> DictConfig:
    """Validate everything a command line asks for before anything runs: the sweep's size,
    each value on its own (composed by Hydra: types, ranges, choices), then every
    combination (cross-field rules, option conflicts), and the data and sample files named.
    `sweep_argv` is the command line of a multirun (its sweep folder holds relative sample
    files); None for a single run. Returns the config of the first combination."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError("override", " ".join(overrides), f"key=value pairs ({first})") from None
    store.check_size(overrides)
    base, sweeps = [], []
    for text, o in zip(overrides, parsed):
        if o.is_sweep_override():
            values = range_ends(o.value()) if isinstance(o.value(), RangeSweep) else store.sweep_values(o)
            if not values:
                raise ConfigError(o.key_or_group, text.partition("=")[2], "a sweep with at least one value")
            sweeps.append((o.get_key_element(), values))
            base.append(f"{o.get_key_element()}={values[0]}")
        else:
            base.append(text)
    first = compose(base)
    check_data(first)
    for key, values in sweeps:  # each value alone: one line naming the field for a bad value
        for v in values[1:]:
            cfg = compose([b if not b.startswith(f"{key}=") else f"{key}={v}" for b in base])
            if key.lstrip("+~").startswith("data"):
                check_data(cfg)
    check_combinations(base, sweeps, sweep_argv, first)
    return first


def config_groups() -> list[str]:
    """The config groups (folders of configs/), read from the files, not a fixed list."""
    return sorted(p.name for p in CONFIG_DIR.iterdir() if p.is_dir() and p.name not in ("hydra", "__pycache__"))


def check_combinations(base: list[str], sweeps: list[tuple[str, list[str]]], sweep_argv: list[str] | None,
                       first: DictConfig) -> None:
    """Every combination of the sweep's values (ranges by their ends), validated as a whole:
    a config per combination of group options, then each combination of field values set
    into it and checked by the schema's cross-field rules and the rules below."""
    groups = set(config_groups())
    structural = [(k, v) for k, v in sweeps if k.lstrip("+~") in groups | {"experiment"} or "/" in k]
    fields = [(k, v) for k, v in sweeps if (k, v) not in structural]
    parser = OverridesParser.create()
    for choice in itertools.product(*(v for _, v in structural)):
        chosen = dict(zip((k for k, _ in structural), choice))
        overrides = [f"{k}={chosen[k]}" if k in chosen else o for o in base for k in [o.split("=", 1)[0]]]
        check_scenario(overrides)
        plain = OmegaConf.to_container(first if overrides == base else compose(overrides), resolve=True)
        for values in itertools.product(*(v for _, v in fields)):
            combo = copy.deepcopy(plain)
            for (key, _), value in zip(fields, values):
                _set(combo, key.lstrip("+~"), parser.parse_override(f"{key}={value}").value())
            check_combination(combo, None if sweep_argv is None else sweep_dir_of(sweep_argv, combo["sweep_name"]))


def _set(node: dict, dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and leaf in node and not (isinstance(value, str) and "${" in value):
        node[leaf] = value


SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.=,+-]*$")


def check_combination(values: dict, sweep_dir: Path | None) -> None:
    """One resolved combination: the schema's rules, names that stay inside their output
    folder, options that would be silently ignored, and the sample file."""
    schema.validate(values)
    for name in ("scenario_name", "sweep_name"):
        value = str(values.get(name, ""))
        if not SAFE_NAME.match(value) or ".." in value:
            raise ConfigError(name, value, "a plain folder name (letters, digits, _ . - =; no / or ..)")
    data = values["data"]
    if data.get("source") != "flanders" and data.get("path"):
        raise ConfigError("data.path", data["path"], f"empty with data={data.get('source')} (that landscape reads "
                          "no files); use data=flanders data.path=FOLDER for your own data")
    check_sample(values.get("sample") or {}, sweep_dir)


def check_sample(sample: dict, sweep_dir: Path | None) -> None:
    if not sample.get("file"):
        return
    path = sample_path(sample["file"], sweep_dir)
    try:
        rows = pq.read_metadata(path).num_rows
    except (OSError, pa.ArrowException) as exc:
        where = f" (relative paths are read from the sweep folder {sweep_dir})" if sweep_dir else ""
        problem = "not found" if not path.exists() else f"not a sample parquet file ({str(exc).splitlines()[0]})"
        raise ConfigError("sample.file", sample["file"], f"an existing sample parquet file{where}; {path}: "
                          f"{problem}") from None
    if not 0 <= int(sample.get("id", -1)) < rows:
        raise ConfigError("sample.id", sample.get("id"), f"a row of {path.name}, 0 to {rows - 1}")


def sample_path(file: str, sweep_dir: Path | None) -> Path:
    """A sample file: relative paths are in the sweep folder in a sweep (so a sweep can be
    moved or copied), in the current folder for a single run."""
    path = Path(file)
    return path if path.is_absolute() or sweep_dir is None else sweep_dir / path


def check_scenario(overrides: list[str]) -> None:
    """Refuse a group option that contradicts the scenario's own choice (scenario=
    forced_regions_2028 region_rule=free would run a free rule under the forced label).
    The scenarios' choices are read from their files, for every group."""
    chosen = {o.split("=", 1)[0].lstrip("+~"): o.split("=", 1)[1] for o in overrides if "=" in o}
    scenario = chosen.get("scenario")
    if not scenario:
        return
    spec = yaml.safe_load((CONFIG_DIR / "scenario" / f"{scenario}.yaml").read_text(encoding="utf-8")) or {}
    for entry in spec.get("defaults") or []:
        if not isinstance(entry, dict):
            continue
        for key, option in entry.items():
            group = key.replace("override", "").strip().lstrip("/")
            if group in chosen and chosen[group] != str(option):
                raise ConfigError(group, chosen[group], f"{option} with scenario={scenario}, which sets it "
                                  f"(to choose {group} yourself, use a scenario that leaves it, e.g. baseline, "
                                  "and set scenario_name)")


def range_ends(sweep: RangeSweep) -> list[str]:
    """First and last value of a range sweep, without listing it (a range is valid when both
    ends are; a sweep of billions of seeds is checked as fast as one of two)."""
    start, stop, step = sweep.start, sweep.stop, sweep.step or 1
    count = max(0, -(-(stop - start) // step))
    return [] if count == 0 else [str(start), str(start + step * (count - 1))]


def check_data(cfg: DictConfig) -> None:
    """Load and validate the data files a config names, before anything is written."""
    if cfg.data.source == "flanders":
        load_landscape(cfg.data.path or None)


def check_writable(folder: Path) -> None:
    """One line, before anything runs, when results could not be written under `folder`
    (its nearest existing parent is read-only or not a folder)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".simcoop-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise output_error(folder, exc) from None


def register() -> None:
    """What Hydra needs from simcoop before it starts: the config schema, the experiments
    and the batched SLURM launcher (hydra/launcher=slurm_batched)."""
    schema.register()
    batched_launcher.register()


OmegaConf.register_new_resolver("simcoop_run_dir", store.run_dirname, replace=True)
OmegaConf.register_new_resolver("simcoop_pid", lambda: f"p{os.getpid()}", replace=True)


@hydra.main(version_base=None, config_path=str(CONFIG_DIR), config_name="config")
def app(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    try:
        if hc.mode == RunMode.MULTIRUN:
            if sweep_job(cfg, out, list(hc.overrides.task)):
                progress = store.progress_line(Path(hc.sweep.dir))
                if progress:
                    print(progress, file=sys.stderr, flush=True)
            return
        from simcoop.analysis.plotting import summary_figure, summary_table   # here: a sweep's workers need neither
        result = run_config(cfg)
        # all or nothing, the figure included: no partial result on a full disk or a kill,
        # and of two runs into one folder exactly one lands
        result.write(out, also=lambda staging: summary_figure(result, staging / "summary.png"))
    except SimcoopInputError as exc:  # Hydra would print a traceback hint; we print one line
        fail(exc, None if hc.mode == RunMode.MULTIRUN else out)
    except OSError as exc:
        fail(output_error(out, exc), None if hc.mode == RunMode.MULTIRUN else out)
    except KeyboardInterrupt:
        if hc.mode != RunMode.MULTIRUN:
            remove_empty(out)  # the folder Hydra made: an interrupted run leaves nothing
        raise
    print(summary_table(result).to_string())
    print(f"\nResults in {out}: yearly/membership/events/igs .parquet, config.yaml, summary.png")


def fail(exc: SimcoopInputError, empty_run_dir: Path | None = None) -> NoReturn:
    """Print the one line and exit 2 (removing the empty run folder Hydra made, if any)."""
    if empty_run_dir is not None:
        remove_empty(empty_run_dir)
    print(f"simcoop: {exc}", file=sys.stderr, flush=True)
    sys.exit(2)


def remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()  # only when empty


def sweep_job(cfg: DictConfig, run_dir: Path, overrides: list[str]) -> bool:
    """One run of a sweep: skipped when complete (False), else run and stored whole (True).

    The run is claimed with the store's lock first, so a second writer of the same run (a
    second sweep, a repeated value) waits and then finds it complete; a complete run made
    from another config, other data or another version stops the sweep in one line."""
    file = cfg.sample.file
    runnable = cfg
    if file:
        path = sample_path(file, run_dir.parent)
        check_sample({"file": str(path), "id": cfg.sample.id}, None)
        runnable = cfg.copy()
        runnable.sample.file = str(path)
    config = OmegaConf.to_container(apply_sample(runnable), resolve=True)  # a sensitivity run: its sample row
    config.pop("hydra", None)
    if file:
        config["sample"]["file"] = file  # as given: relative to the sweep folder, which may move
    ident = store.identity(config, store.data_checksum(config["data"]),
                           store.sample_checksum(sample_path(file, run_dir.parent) if file else None))
    with store.claim(run_dir):
        if (run_dir / store.MARKER).is_file():
            try:
                store.check_same_run(run_dir, store.verify(run_dir), ident)
                return False
            except store.DamagedRun as exc:
                print(f"[simcoop] redoing {run_dir}: {exc.problem}", file=sys.stderr, flush=True)
        started = time.time()
        result = run_config(runnable)
        result.config = config
        try:
            store.finish(run_dir, result, overrides, ident, started)
        except SimcoopInputError:
            if not store.is_complete(run_dir):  # another writer landed first (no locks on this file system)
                raise
            store.check_same_run(run_dir, store.verify(run_dir), ident)
            return False
    return True


def collect_command(args: list[str]) -> None:
    """simcoop collect SWEEP_DIR [yearly|membership|events|igs]

    Verify every run of a sweep (each file against its checksum; a damaged run is named),
    then merge one table of all runs into SWEEP_DIR/collected_TABLE.parquet (default:
    yearly). Runs made with another simcoop version or other data are refused, not mixed."""
    from simcoop.sweeps import experiments

    usage(args, collect_command, 1, 2)
    try:
        remove_stale(Path(args[0]))  # what a killed collect left behind
        target = experiments.collect(args[0], *args[1:], allow_mixed=store.allow_mixed())
        info = experiments.sweep_info(args[0])
    except SimcoopInputError as exc:
        fail(exc)
    except OSError as exc:
        fail(output_error(Path(args[0]), exc))
    total = f" of {info['total']}" if info["total"] else ""
    print(f"{info['complete']}{total} runs complete; merged into {target}")


def usage(args: list[str], command, low: int, high: int) -> None:
    """--help/-h prints the command's help (exit 0); a wrong number of arguments, its usage (exit 2)."""
    doc = (command.__doc__ or "").strip()
    if "--help" in args or "-h" in args:
        print(doc)
        sys.exit(0)
    if not low <= len(args) <= high:
        print("usage: " + doc.splitlines()[0].rstrip(":."), file=sys.stderr)
        sys.exit(2)


def analyse_command(args: list[str]) -> None:
    """simcoop analyse SWEEP_DIR

    (Re)write an experiment's tidy data and figures into SWEEP_DIR/analysis from its
    finished (or partly finished) sweep."""
    from simcoop.analysis import analyse

    usage(args, analyse_command, 1, 1)
    try:
        written = analyse(args[0])
    except SimcoopInputError as exc:
        fail(exc)
    except OSError as exc:
        fail(output_error(Path(args[0]), exc))
    print("\n".join(str(p) for p in written))


def compare_command(args: list[str]) -> None:
    """simcoop compare scenario=a,b [seeds=20] [lang=nl|en] [labels='A;B'] [overrides, also swept ones a=1,2]

    Every combination of the scenarios and swept overrides runs `seeds` times (through the
    sweep store: parallel, resumable), then one self-contained HTML report with a column
    each is written into the sweep folder, whose name holds the scenarios and a hash of
    everything that defines the sweep."""
    import itertools

    from simcoop.workshop.report import LANGS, write_report

    usage(args, compare_command, 0, 10**6)
    options = {"scenario": "current_policy", "seeds": "20", "lang": "nl", "labels": ""}
    extra = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if key in options and sep:
            options[key] = value
        else:
            extra.append(arg)
    try:
        if options["lang"] not in LANGS:
            raise ConfigError("lang", options["lang"], "one of " + ", ".join(sorted(LANGS)))
        if not options["seeds"].isdigit() or not 1 <= int(options["seeds"]) <= 10000:
            raise ConfigError("seeds", options["seeds"], "a whole number of runs per combination, 1 to 10000")
        swept = {"scenario": options["scenario"].split(",")}
        for o, text in zip(OverridesParser.create().parse_overrides(user_overrides(extra)), user_overrides(extra)):
            if o.key_or_group in ("seed", "sweep_name"):
                raise ConfigError(o.key_or_group, text.partition("=")[2],
                                  "seeds=N for the number of runs per combination" if o.key_or_group == "seed"
                                  else "no sweep_name (compare names its sweep)")
            if o.is_sweep_override():
                swept[o.key_or_group] = list(o.sweep_string_iterator())
        order = [dict(zip(swept, values)) for values in itertools.product(*swept.values())]
        labels = [t.strip() for t in options["labels"].split(";")] if options["labels"] else None
        if labels is not None and len(labels) != len(order):
            raise ConfigError("labels", options["labels"], f"{len(order)} labels separated by ';', one per "
                              "combination in the order of the command line")
        scenarios = swept["scenario"]
        defining = {"scenario": scenarios, "seeds": int(options["seeds"]), "overrides": canonical_extra(extra)}
        sweep_name = store.sweep_name("compare", [*scenarios, f"{options['seeds']}seeds"], defining)
        multirun = [f"scenario={options['scenario']}", f"seed=range({options['seeds']})",
                    f"sweep_name={sweep_name}", *extra]
        sweep_dir = sweep_dir_of(multirun, sweep_name)
        register()
        check_overrides(user_overrides(multirun), multirun)
        check_writable(sweep_dir)
    except HydraException as exc:
        fail(ConfigError("override", " ".join(extra), str(exc).splitlines()[0]))
    except SimcoopInputError as exc:
        fail(exc)
    launch(["-m", *multirun], sweep_dir)
    try:
        report = write_report(sweep_dir, options["lang"], order=order, labels=labels)
    except SimcoopInputError as exc:
        fail(exc)
    print(f"Report: {report}")


def canonical_extra(extra: list[str]) -> list[str]:
    """Extra overrides in canonical form (0.10 = 0.1), for a sweep name's hash."""
    try:
        return store.canonical_overrides(extra)
    except HydraException as exc:
        raise ConfigError("override", " ".join(extra), f"key=value pairs ({str(exc).strip().splitlines()[0]})") from None


def sweep_dir_of(argv: list[str], default_name: str = "default") -> Path:
    """The sweep folder a multirun command line writes to (hydra.sweep.dir, else sweeps/<sweep_name>)."""
    name = default_name
    for arg in argv:
        key, _, value = arg.partition("=")
        if key == "hydra.sweep.dir":
            return Path(value)
        if key == "sweep_name":
            name = value
    return Path("sweeps") / name


def dashboard_command(args: list[str]) -> None:
    """simcoop dashboard [--port N] [--lang nl|en] [--network]: serve the workshop page
    (one model per browser session) on this machine, or with --network on the local network."""
    import socket

    usage(args, dashboard_command, 0, 5)
    usage_line = "usage: simcoop dashboard [--port N] [--lang nl|en] [--network]"
    port, lang, host = "8765", "nl", "localhost"
    rest = list(args)
    while rest:
        flag = rest.pop(0)
        if flag == "--network":
            host = "0.0.0.0"
        elif flag in ("--port", "--lang") and rest:
            value = rest.pop(0)
            if flag == "--port" and not (value.isdigit() and 1 <= int(value) <= 65535):
                print(f"simcoop: {ConfigError('--port', value, 'a port number 1 to 65535')}", file=sys.stderr)
                sys.exit(2)
            if flag == "--lang" and value not in ("nl", "en"):
                print(f"simcoop: {ConfigError('--lang', value, 'one of en, nl')}", file=sys.stderr)
                sys.exit(2)
            port, lang = (value, lang) if flag == "--port" else (port, value)
        else:
            print(usage_line, file=sys.stderr)
            sys.exit(2)
    where = f"http://localhost:{port}"
    if host != "localhost":
        with contextlib.suppress(OSError):
            where += f" and, on the local network, http://{socket.gethostbyname(socket.gethostname())}:{port}"
    print(f"simcoop dashboard on {where} (Ctrl-C stops it)", flush=True)
    os.environ["SIMCOOP_LANG"] = lang
    os.execvp(sys.executable, [sys.executable, "-m", "solara", "run", "simcoop.workshop.dashboard", "--host", host,
                               "--port", port, "--production", "--no-open", "--no-check-version"])  # offline


SENSITIVITY_OPTIONS = ("n", "params", "seeds", "outcome", "threshold", "case", "ranges")


def sensitivity_command(args: list[str]) -> None:
    """simcoop sensitivity morris|sobol|prim|calibrate [n=N] [params=a,b] [seeds=S] [outcome=a,b]
    [threshold=q0.8|VALUE] [case=high|low] [ranges=pm50|odd] [overrides]

    Draw a sample (SALib) into a new sweep folder, run it through the sweep store
    (resumable; the sample is stored in the sweep folder and referenced relatively, so the
    sweep can be moved or copied), then write the analysis. The folder's name holds the
    method and a hash of everything that defines the sweep (n, parameters, seeds, ranges,
    analysis options, overrides)."""
    from simcoop.analysis import sensitivity

    usage(args, sensitivity_command, 1, 10**6)
    method, options, extra = args[0], {}, []
    for arg in args[1:]:
        key, sep, value = arg.partition("=")
        if sep and key in SENSITIVITY_OPTIONS:
            options[key] = value
        else:
            extra.append(arg)
    names = options["params"].split(",") if options.get("params") else None
    seeds = options.get("seeds", "1")
    sweep_dir = None
    try:
        n = sensitivity.check_size(method, options.get("n") or str(sensitivity.METHODS.get(method, 0)))
        if not seeds.isdigit() or not 1 <= int(seeds) <= (1 if method == "calibrate" else 1000):
            raise ConfigError("seeds", seeds, "1 (calibrate re-checks with fresh seeds itself)" if method == "calibrate"
                              else "a whole number of seeds per sample point, 1 to 1000")
        analysis = sensitivity.check_analysis(options)
        defining = {"method": method, "n": n, "params": names, "seeds": int(seeds),
                    "ranges": options.get("ranges", "pm50"), "analysis": analysis,
                    "overrides": canonical_extra(extra)}
        readable = [f"n{n}", *([f"{len(names)}params"] if names else []),
                    *([f"{seeds}seeds"] if seeds != "1" else []), *sorted(extra)]
        name = store.sweep_name(f"sa_{method}", readable, defining)
        sweep_dir = sweep_dir_of(extra, name)
        register()
        check_overrides(user_overrides(extra))
        check_writable(sweep_dir)
        runs = sensitivity.write_sample(sweep_dir, method, n, names, ranges=options.get("ranges", "pm50"),
                                        overrides=user_overrides(extra))
        sensitivity.write_analysis_options(sweep_dir, analysis)
    except SimcoopInputError as exc:
        fail(exc)
    except OSError as exc:
        fail(output_error(sweep_dir, exc))
    launch(["-m", "sample.file=sample.parquet", f"sample.id=range({runs})",
            *([f"seed=range({seeds})"] if seeds != "1" else []), f"sweep_name={name}", *extra], sweep_dir)
    try:
        written = sensitivity.analyse(sweep_dir)
    except SimcoopInputError as exc:
        fail(exc)
    for path in written:
        print(path)


def launch(argv: list[str], sweep_dir: Path | None) -> None:
    """Run the Hydra app on `argv`; Ctrl-C ends with one line and the resume hint (exit 130)."""
    sys.argv = [sys.argv[0], *argv]
    try:
        app()
    except KeyboardInterrupt:
        interrupted(sweep_dir)


def interrupted(sweep_dir: Path | None) -> NoReturn:
    if sweep_dir is None:
        line = "interrupted; nothing was written (a result is written whole or not at all)"
    else:
        info = sweep_dir / store.SWEEP_INFO
        total = json.loads(info.read_text(encoding="utf-8")).get("total") if info.is_file() else None
        done = store.count_complete(sweep_dir) if sweep_dir.is_dir() else 0
        line = (f"interrupted, {done}{f'/{total}' if total else ''} runs complete in {sweep_dir}; "
                "run the same command to resume")
    print(f"\nsimcoop: {line}", file=sys.stderr, flush=True)
    sys.exit(130)


def all_complete(overrides: list[str], sweep_dir: Path, base: DictConfig) -> int | None:
    """The number of runs when every run of a plain multirun is already complete, verified,
    and made with the config `base` on every field the sweep does not vary, in `sweep_dir`
    (a no-op re-run then ends within seconds), else None (Hydra's jobs then check each run
    in full and say what is wrong)."""
    if not sweep_dir.is_dir() or any(o.lstrip("+~").startswith(("experiment", "hydra")) for o in overrides):
        return None
    parsed = OverridesParser.create().parse_overrides(overrides)
    choices = []
    for o in parsed:
        if o.key_or_group == "sweep_name":
            continue
        values = list(o.sweep_string_iterator()) if o.is_sweep_override() else [o.get_value_element_as_str()]
        choices.append([f"{o.get_key_element()}={v}" for v in dict.fromkeys(values)])
    names = {store.run_dirname(",".join(sorted(combo))) for combo in itertools.product(*choices)}
    swept = [o.key_or_group for o in parsed if o.is_sweep_override()]
    fixed = OmegaConf.to_container(base, resolve=True)
    try:
        store.check_resume(sweep_dir)
        for name in names:
            if not store.same_fixed_fields(store.verify(sweep_dir / name)["config"], fixed, swept):
                return None
    except SimcoopInputError:
        return None  # not complete, damaged or mixed: the sweep itself redoes it or says why
    return len(names)


def main() -> None:
    argv = sys.argv[1:]
    commands = {"collect": collect_command, "analyse": analyse_command, "compare": compare_command,
                "dashboard": dashboard_command, "sensitivity": sensitivity_command}
    if "--allow-mixed" in argv:  # resume a sweep made with other data or another version (workers inherit it)
        argv = [a for a in argv if a != "--allow-mixed"]
        os.environ[store.ALLOW_MIXED_ENV] = "1"
    if argv and argv[0] in commands:
        sys.argv = [sys.argv[0], *argv]
        commands[argv[0]](argv[1:])
        return
    register()
    multirun = bool({"-m", "--multirun"} & set(argv))
    sweep_dir = None
    if not NO_CHECK_FLAGS.intersection(argv):
        inspect_only = bool({"--cfg", "-c", "--info", "-i"} & set(argv))
        overrides = user_overrides(argv)
        try:
            first = check_overrides(overrides, argv if multirun else None)
            batched_launcher.check_command_line(argv)
            if multirun:
                sweep_dir = sweep_dir_of(argv, str(first.sweep_name))
            if not inspect_only:
                check_writable(sweep_dir or run_dir_of(argv))
            done = all_complete(overrides, sweep_dir, first) if sweep_dir and not inspect_only else None
        except SimcoopInputError as exc:
            fail(exc)
        if done is not None:
            print(f"[simcoop] all {done} runs already complete in {sweep_dir}; nothing to do", file=sys.stderr)
            return
    launch(argv, sweep_dir)


def run_dir_of(argv: list[str]) -> Path:
    for arg in argv:
        key, _, value = arg.partition("=")
        if key == "hydra.run.dir":
            return Path(value)
    return Path("outputs")
