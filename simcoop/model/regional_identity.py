"""Regional identity between two municipalities, from data (digest Mechanism 7): the rule of
`attributes.Affinity`, written once. A plain function of scalars that numba compiles:
`simcoop.model.kernels.affinity` calls it for every pair.
"""

from __future__ import annotations


def pair_affinity(arrondissement_a: int, arrondissement_b: int, heritage_a: int, heritage_b: int,
                  listed_a: bool, listed_b: bool, housing_a: int, housing_b: int, streek_a: int, streek_b: int,
                  heritage_base_rate: float, w_arrondissement: float, w_heritage: float, w_housing: float,
                  w_uit_region: float) -> float:
    """The affinity of municipalities a and b: the shared components weighted (same arrondissement,
    housing IGS, streek: codes, -1 unknown; UiT region bit masks, 0 unknown), plus shared heritage
    (bit masks) where both are on the heritage list (`listed`). Missing data is neutral: a pair with
    an unlisted municipality, or one without a known streek, gets the known components scaled up to
    the full weight; with heritage the only component and nothing known, the observed base rate."""
    streek_known = streek_a != 0 and streek_b != 0
    w_streek = w_uit_region if streek_known else 0.0
    missing = 0.0 if streek_known else w_uit_region
    observed = w_arrondissement + w_housing + w_streek
    same_arr = 1.0 if arrondissement_a == arrondissement_b and arrondissement_a >= 0 else 0.0
    same_housing = 1.0 if housing_a == housing_b and housing_a >= 0 else 0.0
    same_streek = 1.0 if (streek_a & streek_b) != 0 else 0.0
    data = w_arrondissement * same_arr + w_housing * same_housing + w_streek * same_streek
    if listed_a and listed_b:
        shared = 1.0 if (heritage_a & heritage_b) != 0 else 0.0
        out = data + w_heritage * shared
        if missing > 0:
            out = out * (observed + w_heritage + missing) / (observed + w_heritage)
        return out
    if observed > 0:
        return data * (observed + w_heritage + missing) / observed
    return w_heritage * heritage_base_rate   # heritage the only component: nothing known, the base rate
