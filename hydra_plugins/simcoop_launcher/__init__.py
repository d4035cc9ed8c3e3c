"""simcoop's Hydra plugin: `hydra/launcher=slurm_batched`, several runs per SLURM array task
(see batched.py). Hydra accepts launchers only from the `hydra_plugins` namespace."""
