"""The recognition calendar: periods, application years and grants.

Pure arithmetic on the incentive settings, kept below the model so that the config's
validation can check calendar settings with the same rules the model runs on
(`simcoop.model.policy` uses them from here; docs/ODD.md 3.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simcoop.config import IncentiveConfig


def period_end(inc: IncentiveConfig, year: int) -> int:
    """The last year of the recognition period holding `year`: recognition, once granted,
    runs to the end of its period, even if members leave in between. The first period is
    `first_period_years` long (2020-2026), the next ones `period_years` (2027-2032, ...);
    before the first, the year before it."""
    if year < inc.period_start:
        return inc.period_start - 1
    first_end = inc.period_start + inc.first_period_years - 1
    if year <= first_end:
        return first_end
    return first_end + -(-(year - first_end) // inc.period_years) * inc.period_years


def is_renewal_year(inc: IncentiveConfig, year: int) -> bool:
    """The last year of a recognition period (2026, 2032, ...): members decide whether to go on
    into the next period, free of the exit cost, and IGS may split."""
    return year >= inc.period_start and period_end(inc, year) == year


def recognition_open(inc: IncentiveConfig, year: int) -> bool:
    """Whether an IGS not yet recognised can be recognised this year: applications are for a
    whole period, made in its last year for the next one (2019 for 2020-2026, 2026 for
    2027-2032, ...); before the first period (the earlier decree) at any time. An IGS founded
    within a period waits, unsubsidised, for the next application year."""
    return year < inc.period_start or is_renewal_year(inc, year)


def granted_until(inc: IncentiveConfig, year: int) -> int:
    """The last year of the recognition granted in application year `year`: the next period
    (an application in 2026 is for 2027-2032); before the first period, to its start."""
    return period_end(inc, year + 1)
