"""The one error a broken city configuration raises."""

from pathlib import Path


class CityConfigError(Exception):
    """A city folder that cannot be used: says which file, which feature or row, and what is wrong."""

    def __init__(self, file: Path, problem: str, where: str = "") -> None:
        super().__init__(f"{file}: {where}: {problem}" if where else f"{file}: {problem}")
        self.file = file
        self.where = where
        self.problem = problem
