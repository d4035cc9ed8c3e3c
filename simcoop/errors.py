"""One-line errors for bad input: they name the field and what is accepted."""

from __future__ import annotations

from typing import Any


class SimcoopInputError(ValueError):
    """Bad input from the user (config or data); the CLI prints it on one line, exit 2."""


class ConfigError(SimcoopInputError):
    def __init__(self, field: str, value: Any, accepted: str):
        self.field, self.value, self.accepted = field, value, accepted
        super().__init__(f"config error: {field}={value!r} is not accepted; accepted: {accepted}")


class DataError(SimcoopInputError):
    def __init__(self, file: str, row: int | None, field: str | None, problem: str):
        where = f"{file}" + (f" row {row}" if row is not None else "") + (f", field {field}" if field else "")
        self.file, self.row, self.field = file, row, field
        super().__init__(f"data error: {where}: {problem}")
