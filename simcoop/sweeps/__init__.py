"""Many runs: the results store (`store`: one folder per run, written atomically and
verified on resume), loading and merging them (`experiments`, `query`: pandas or DuckDB),
the parameter space of the ODD table (`space`) and the EMA Workbench adapter (`ema`)."""
