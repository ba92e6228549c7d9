"""The one error type for bad environment data: it names the file, the key path and the fix."""

from __future__ import annotations


class SpecError(ValueError):
    """Bad environment data or stack name. `str()` is the one line a user sees."""

    def __init__(self, source: str, key_path: str, problem: str, fix: str) -> None:
        self.source = source
        self.key_path = key_path
        self.problem = problem
        self.fix = fix
        where = f"{source}: {key_path}" if key_path else source
        super().__init__(f"{where}: {problem}; {fix}")
