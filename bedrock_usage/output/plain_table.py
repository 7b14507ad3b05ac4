"""A finished table as plain Python values: what a kept report stores and what the renderers read.

A report's tables are a few hundred rows. Held as Python values by column, with each column's pandas dtype, they
pickle and load without pandas, so a repeated CLI run that prints a kept report never imports it; the frame is
built again, equal in values and dtypes, only when something asks for one (the dashboard, a further roll-up).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lazy_modules import lazy

if TYPE_CHECKING:
    import pandas

pd = lazy("pandas")


@dataclass(frozen=True)
class PlainTable:
    """``length`` rows of named columns: each column's values (Python objects, NaN kept) and pandas dtype name."""

    columns: tuple[str, ...]
    dtypes: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    length: int

    @classmethod
    def of(cls, table: pandas.DataFrame | PlainTable) -> PlainTable:
        """``table`` as plain values (itself when it already is)."""
        if isinstance(table, PlainTable):
            return table
        return cls(
            tuple(table.columns),
            tuple(str(dtype) for dtype in table.dtypes),
            tuple(tuple(table.iloc[:, index].astype(object).tolist()) for index in range(table.shape[1])),
            len(table),
        )

    def __len__(self) -> int:
        return self.length

    def column(self, name: str) -> tuple[Any, ...]:
        """The values of the column ``name``."""
        return self.values[self.columns.index(name)]

    def records(self, columns: Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The first ``limit`` rows (all by default) as dicts of ``columns`` (all by default)."""
        names = list(self.columns if columns is None else columns)
        picked = [values[:limit] for values in (self.values if columns is None else map(self.column, names))]
        if not picked:
            return [{} for _ in range(self.length)][:limit]
        return [dict(zip(names, row, strict=True)) for row in zip(*picked, strict=True)]

    def frame(self) -> pandas.DataFrame:
        """The table as a frame, with its columns' dtypes."""
        columns = [pd.Series(list(values), dtype=dtype, name=name)
                   for name, dtype, values in zip(self.columns, self.dtypes, self.values, strict=True)]
        return pd.concat(columns, axis=1) if columns else pd.DataFrame(index=pd.RangeIndex(self.length))

    load = frame  # how a ``report.stored.DeferredFrame`` field reads its value


class ReportTables(Mapping[str, "pandas.DataFrame"]):
    """A report's tables by name: each a frame (built from its plain table when first asked for, then kept) or,
    through :meth:`plain`, plain values (from its frame when it was given one)."""

    def __init__(self, tables: Mapping[str, pandas.DataFrame | PlainTable]):
        self._given = dict(tables)
        self._frames: dict[str, pandas.DataFrame] = {}

    def __getitem__(self, name: str) -> pandas.DataFrame:
        table = self._given[name]
        if not isinstance(table, PlainTable):
            return table
        if name not in self._frames:
            self._frames[name] = table.frame()
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)

    def plain(self, name: str) -> PlainTable:
        """The table ``name`` as plain values."""
        return PlainTable.of(self._given[name])

    def __getstate__(self) -> dict[str, object]:
        return {"_given": self._given, "_frames": {}}  # frames are built again from the plain tables

    def __repr__(self) -> str:
        return f"ReportTables({', '.join(self._given)})"
