"""The command line: a Hydra app over the same functions as `simcoop.simulate`.

    simcoop scenario=forced_regions_2028 key=per_budget seed=3 end_year=2040
    simcoop -m key=per_inhabitant,per_budget seed='range(20)' sweep_name=keys
    simcoop collect sweeps/keys
    simcoop -m +experiment=dominance                    # sweep, then data and figures
    simcoop analyse sweeps/dominance
    simcoop compare scenario=baseline,forced_regions_2028,per_budget_key seeds=20 lang=nl
    simcoop dashboard                                   # the workshop page on localhost:8765
    simcoop sensitivity morris n=10                     # Morris screening (SALib); also sobol, prim

Overrides are checked before Hydra starts, so a bad value stops with one line naming
the field and the accepted values (exit code 2) and nothing is written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import RangeSweep
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from simcoop import config as schema
from simcoop import store
from simcoop.errors import ConfigError, SimcoopInputError
from simcoop.landscape import load_landscape
from simcoop.plotting import summary_figure, summary_table
from simcoop.run import CONFIG_DIR, compose, run_config
from simcoop.sensitivity import apply_sample

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


def check_overrides(overrides: list[str]) -> None:
    """Compose every value a command line asks for (each sweep value once) and validate it."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError("override", " ".join(overrides), f"key=value pairs ({first})") from None
    base, sweeps = [], []
    for text, o in zip(overrides, parsed):
        if o.is_sweep_override():
            values = range_ends(o.value()) if isinstance(o.value(), RangeSweep) else list(o.sweep_string_iterator())
            if not values:
                raise ConfigError(o.key_or_group, text.partition("=")[2], "a sweep with at least one value")
            sweeps.append((o.key_or_group, values))
            base.append(f"{o.key_or_group}={values[0]}")
        else:
            base.append(text)
    check_data(compose(base))
    for key, values in sweeps:
        for v in values[1:]:
            compose([b if not b.startswith(f"{key}=") else f"{key}={v}" for b in base])
            if key.startswith("data"):
                check_data(compose([b if not b.startswith(f"{key}=") else f"{key}={v}" for b in base]))


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


OmegaConf.register_new_resolver("simcoop_run_dir", store.run_dirname, replace=True)


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
        result = run_config(cfg)
        result.write(out)  # all or nothing: no partial result on a full disk
    except SimcoopInputError as exc:  # Hydra would print a traceback hint; we print one line
        if hc.mode != RunMode.MULTIRUN:
            with contextlib.suppress(OSError):
                out.rmdir()  # the run folder Hydra made for us, if it is still empty
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)
    figure = summary_figure(result, out / "summary.png")
    print(summary_table(result).to_string())
    print(f"\nResults in {out}: yearly/membership/events/igs .parquet, config.yaml, {figure.name}")


def sweep_job(cfg: DictConfig, run_dir: Path, overrides: list[str]) -> bool:
    """One run of a sweep: skipped when complete (False), else run and stored whole (True)."""
    cfg = apply_sample(cfg)  # a sensitivity run takes its parameters from its sample row
    config = OmegaConf.to_container(cfg, resolve=True)
    store.check_not_conflicting(run_dir, config)
    if store.is_complete(run_dir):
        return False
    store.finish(run_dir, run_config(cfg), overrides)
    return True


def collect_command(args: list[str]) -> None:
    """simcoop collect SWEEP_DIR [TABLE]: merge a sweep into SWEEP_DIR/collected_TABLE.parquet."""
    from simcoop import experiments

    if not 1 <= len(args) <= 2:
        print("usage: simcoop collect SWEEP_DIR [yearly|membership|events|igs]", file=sys.stderr)
        sys.exit(2)
    try:
        target = experiments.collect(args[0], *args[1:])
        info = experiments.sweep_info(args[0])
    except SimcoopInputError as exc:
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)
    total = f" of {info['total']}" if info["total"] else ""
    print(f"{info['complete']}{total} runs complete; merged into {target}")


def analyse_command(args: list[str]) -> None:
    """simcoop analyse SWEEP_DIR: (re)write an experiment's data and figures."""
    from simcoop.analysis import analyse

    if len(args) != 1:
        print("usage: simcoop analyse SWEEP_DIR", file=sys.stderr)
        sys.exit(2)
    try:
        written = analyse(args[0])
    except SimcoopInputError as exc:
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)
    print("\n".join(str(p) for p in written))


def compare_command(args: list[str]) -> None:
    """simcoop compare scenario=a,b seeds=20 lang=nl [labels='A;B'] [overrides, also swept ones a=1,2]:
    every combination runs `seeds` times (a sweep), then one HTML report with a column each."""
    import itertools

    from simcoop.report import LANGS, write_report

    options = {"scenario": "baseline", "seeds": "20", "lang": "nl", "labels": ""}
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
        sweep_name = f"compare_{'_'.join(swept['scenario'])}_{options['seeds']}seeds"
        if extra:
            sweep_name += "_" + store.run_dirname(",".join(sorted(extra)))[:40].replace(",", "_").replace("=", "-")
        multirun = [f"scenario={options['scenario']}", f"seed=range({options['seeds']})",
                    f"sweep_name={sweep_name}", *extra]
        schema.register()
        check_overrides(user_overrides(multirun))
    except HydraException as exc:
        print(f"simcoop: {ConfigError('override', ' '.join(extra), str(exc).splitlines()[0])}", file=sys.stderr)
        sys.exit(2)
    except SimcoopInputError as exc:
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.argv = [sys.argv[0], "-m", *multirun]
    app()
    sweep_dir = Path("sweeps") / sweep_name
    for arg in extra:
        if arg.startswith("hydra.sweep.dir="):
            sweep_dir = Path(arg.split("=", 1)[1])
    try:
        report = write_report(sweep_dir, options["lang"], order=order, labels=labels)
    except SimcoopInputError as exc:
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"Report: {report}")


def dashboard_command(args: list[str]) -> None:
    """simcoop dashboard [--port N] [--lang nl|en] [--network]: serve the workshop page
    (one model per browser session) on this machine, or with --network on the local network."""
    import socket

    usage = "usage: simcoop dashboard [--port N] [--lang nl|en] [--network]"
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
            print(usage, file=sys.stderr)
            sys.exit(2)
    where = f"http://localhost:{port}"
    if host != "localhost":
        with contextlib.suppress(OSError):
            where += f" and, on the local network, http://{socket.gethostbyname(socket.gethostname())}:{port}"
    print(f"simcoop dashboard on {where} (Ctrl-C stops it)", flush=True)
    os.environ["SIMCOOP_LANG"] = lang
    os.execvp(sys.executable, [sys.executable, "-m", "solara", "run", "simcoop.dashboard", "--host", host,
                               "--port", port, "--production", "--no-open", "--no-check-version"])  # offline


def sensitivity_command(args: list[str]) -> None:
    """simcoop sensitivity morris|sobol|prim [n=N] [params=a,b] [overrides]: sample, sweep, analyse."""
    from simcoop import sensitivity

    if not args:
        print("usage: simcoop sensitivity morris|sobol|prim [n=N] [params=a,b,...] [overrides]", file=sys.stderr)
        sys.exit(2)
    method, size, names, extra = args[0], None, None, []
    for arg in args[1:]:
        if arg.startswith("n="):
            size = arg.split("=", 1)[1]
        elif arg.startswith("params="):
            names = arg.split("=", 1)[1].split(",")
        else:
            extra.append(arg)
    label = ",".join(sorted(extra + ([f"params={len(names)}"] if names else [])))
    name = f"sa_{method}" + ("_" + store.run_dirname(label)[:40].replace(",", "_").replace("=", "-") if label else "")
    sweep_dir = Path("sweeps") / name
    try:
        n = sensitivity.check_size(method, size or str(sensitivity.METHODS.get(method, 0)))
        schema.register()
        check_overrides(user_overrides(extra))
        runs = sensitivity.write_sample(sweep_dir, method, n, names)
    except SimcoopInputError as exc:
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.argv = [sys.argv[0], "-m", f"sample.file={(sweep_dir / 'sample.parquet').resolve()}",
                f"sample.id=range({runs})", f"sweep_name={name}", *extra]
    app()
    for path in sensitivity.analyse(sweep_dir):
        print(path)


def main() -> None:
    argv = sys.argv[1:]
    commands = {"collect": collect_command, "analyse": analyse_command, "compare": compare_command,
                "dashboard": dashboard_command, "sensitivity": sensitivity_command}
    if argv and argv[0] in commands:
        commands[argv[0]](argv[1:])
        return
    schema.register()
    if not NO_CHECK_FLAGS.intersection(argv):
        try:
            check_overrides(user_overrides(argv))
        except SimcoopInputError as exc:
            print(f"simcoop: {exc}", file=sys.stderr)
            sys.exit(2)
    app()
