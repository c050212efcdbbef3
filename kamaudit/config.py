"""The engagement file: one YAML per client, validated before anything runs.

Only ``client``, ``period`` and ``inputs`` are required. Every other setting has a
documented default (see ``templates/engagement.yaml``). Paths resolve relative to the
engagement file, never to the current directory. A wrong value or an unknown key fails
here with the key path, the value and what was expected.

>>> eng = load_engagement("data/sample/engagement.yaml")    # doctest: +SKIP
>>> eng.client, eng.period.start
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import contract
from .account_profile import ProfileSettings
from .cost_to_serve import CostToServeSettings
from .errors import ConfigError, did_you_mean
from .intake import IntakeSettings
from .team_design import TeamSettings
from .weights import CRITERIA_KEY, apply_criterion_overrides, weight_change_rows

TABLES: tuple[str, ...] = contract.TABLES
"""The nine input tables of the data contract, in the order intake reads them."""

LANGUAGES = ("en", "cs", "pl", "ru", "fa")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


FIRST_YEAR, LAST_YEAR = 1900, 2200
"""The years a period may span (pandas dates run from 1677 to 2262)."""


class Period(_Strict):
    """The audited period, both ends inclusive."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        for name, d in (("start", self.start), ("end", self.end)):
            if not FIRST_YEAR <= d.year <= LAST_YEAR:
                raise ValueError(
                    f"{name} {d} is outside the years an audit can cover ({FIRST_YEAR}-{LAST_YEAR})"
                )
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def years(self) -> float:
        """Length in years, exact for whole years (2024-01-01 to 2025-12-31 is 2.0).

        Pool costs are annual: a two-year engagement carries each pool twice.
        """
        from .cost_to_serve import period_years

        return period_years(self.start, self.end)


class InputSpec(_Strict):
    """How to read one client export. Options left out are detected from the file."""

    path: Path = Field(description="file path, relative to the engagement file")
    sheet: str | int | None = Field(None, description="sheet name or 0-based index (xlsx)")
    header_row: int | Literal["none"] | None = Field(
        None,
        description='1-based row of the header as the client sees it, or "none" for an export '
        "without a header row (then columns is a list in file order)",
    )
    encoding: str | None = Field(None, description="e.g. utf-8, utf-8-sig, cp1250, cp1251, latin-1")
    delimiter: str | None = Field(
        None, description='";", ",", "\\t", "|" or "whitespace" (runs of spaces or tabs)'
    )
    decimal: Literal[".", ","] | None = None
    thousands: str | None = Field(None, description='" ", "\\u00a0", ".", ",", "\'" or ""')
    date_format: str | None = Field(None, description='strftime pattern, e.g. "%d.%m.%Y"')
    columns: dict[str, str] | list[str | None] = Field(
        default_factory=dict,
        description="client header -> canonical column name; with header_row: none, the "
        "canonical names in file order (~ skips a column)",
    )

    @field_validator("path", mode="after")
    @classmethod
    def _resolve(cls, v: Path, info) -> Path:
        base = (info.context or {}).get("base_dir")
        v = Path(v).expanduser()
        if not v.is_absolute() and base is not None:
            v = Path(base) / v
        return v.resolve() if v.is_absolute() else v

    @field_validator("header_row", mode="before")
    @classmethod
    def _header_row(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().casefold() in ("none", "no", "false"):
            return "none"
        if isinstance(v, bool):  # YAML `no` / `false`
            if v:
                raise ValueError('header_row is a row number (1 or more) or "none"')
            return "none"
        if isinstance(v, int) and v < 1:
            raise ValueError('header_row is a row number (1 or more) or "none"')
        return v

    @field_validator("delimiter")
    @classmethod
    def _delim(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = {"\\t": "\t", "tab": "\t", "space": "whitespace", "spaces": "whitespace"}.get(v, v)
        if v != "whitespace" and len(v) != 1:
            raise ValueError(f'a delimiter is one character or "whitespace", got {v!r}')
        return v

    @model_validator(mode="after")
    def _columns_in_order(self) -> InputSpec:
        listed = isinstance(self.columns, list)
        if self.header_row == "none" and not listed:
            raise ValueError(
                "header_row: none needs columns as a list of canonical names in file order "
                "(~ for a column to skip), e.g. columns: [invoice_date, customer_id, ~, net_amount]"
            )
        if listed and self.header_row != "none":
            raise ValueError(
                "columns is a list (names in file order) only with header_row: none; with a "
                'header row, map the client\'s headers: columns: {"Client header": canonical_name}'
            )
        return self

    def header_map(self) -> dict[str, str]:
        """The client header -> canonical name mapping ({} when columns are listed in order)."""
        return self.columns if isinstance(self.columns, dict) else {}


class ReportSettings(_Strict):
    """What goes into the deliverables."""

    title: str | None = Field(None, description="report title; default from the catalog")
    consultant: str | None = Field(None, description="name shown on the cover")
    max_table_rows_html: int = Field(
        25, ge=5, description="longest table shown in the HTML report; the workbook has all rows"
    )
    max_cards_html: int = Field(
        6,
        ge=0,
        description="key-account cards printed in the HTML report (in the profile's order: "
        "about the six deep plans a year); the workbook has every card",
    )
    firm: str | None = Field(None, description="consulting firm shown on the cover and footer")
    status: Literal["draft", "final"] = Field(
        "draft", description="draft or final, marked on the cover and every page's footer"
    )
    confidential: bool = Field(
        True, description="mark the deliverables confidential (cover and footer)"
    )
    pdf: bool = Field(
        True, description="print the report to PDF beside the HTML when Chromium is installed"
    )


class RunSettings(_Strict):
    """How the runner executes stages."""

    stage_timeout_s: int = Field(1800, ge=10, le=604_800, description="wall-clock limit per stage")
    cell_timeout_s: int = Field(900, ge=10, le=604_800, description="limit per notebook cell")


class Engagement(_Strict):
    """A validated engagement: everything one audit assumes."""

    client: str = Field(min_length=1)
    period: Period
    currency: str = Field("EUR", min_length=3, max_length=3, description="ISO 4217 code")
    language: Literal["en", "cs", "pl", "ru", "fa"] = "en"
    inputs: dict[str, InputSpec]
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    cost_to_serve: CostToServeSettings = Field(default_factory=CostToServeSettings)
    profile: ProfileSettings = Field(default_factory=ProfileSettings)
    team: TeamSettings = Field(default_factory=TeamSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    run: RunSettings = Field(default_factory=RunSettings)

    # where the file was loaded from (not part of the YAML)
    source_path: Path | None = Field(None, exclude=True)

    @field_validator("inputs", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, dict):
            v = {k: ({"path": s} if isinstance(s, str) else s) for k, s in v.items()}
        return v

    @field_validator("inputs", mode="after")
    @classmethod
    def _tables(cls, v: dict[str, InputSpec]) -> dict[str, InputSpec]:
        for name in v:
            if name not in TABLES:
                raise ValueError(
                    f'"{name}" is not an input table; expected one of {", ".join(TABLES)}.'
                    + did_you_mean(name, TABLES)
                )
        if "invoices" not in v:
            raise ValueError("invoices is required: the audit starts from invoice lines")
        return v

    @field_validator("currency")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()

    @property
    def currency_code(self) -> str | None:
        """The currency the amounts are in, or None when the engagement file names none:
        amounts then carry no currency symbol (the assumptions say so), never a guessed one.
        An engagement built in code, not loaded from a file, keeps its ``currency``."""
        raw = getattr(self, "_raw", None)
        if raw is None:
            return self.currency
        named = "currency" in raw or "currency" in (getattr(self, "_overridden", ()) or ())
        return self.currency if named else None

    @property
    def base_dir(self) -> Path:
        return self.source_path.parent if self.source_path else Path.cwd()

    @property
    def slug(self) -> str:
        """File-name-safe client name, used for deliverable names."""
        return slugify(self.client)

    def assumptions(self) -> pd.DataFrame:
        """Every setting in force, its value and where it came from.

        Columns: ``setting`` (dotted path), ``value`` (as text), ``source``
        (``engagement file``, ``override`` or ``default``).
        """
        raw = dict(getattr(self, "_raw", {}) or {})
        if isinstance(raw.get("inputs"), dict):  # shorthand "table: path" means only the path
            raw["inputs"] = {
                k: ({"path": v} if isinstance(v, str) else v) for k, v in raw["inputs"].items()
            }
        given = _flatten(raw)
        overridden = set(getattr(self, "_overridden", ()) or ())
        rows = []
        for key, value in _flatten(self.model_dump(mode="json", exclude={"source_path"})).items():
            if key in overridden or any(key.startswith(o + ".") for o in overridden):
                source = "override"
            elif key in given or any(key.startswith(g + ".") for g in given):
                source = "engagement file"
            elif key.startswith("inputs.") and value in (None, {}):
                source = "detected from the file"
            else:
                source = "default"
            if key.startswith("inputs.") and key.endswith(".path") and self.source_path:
                with contextlib.suppress(ValueError):  # outside the folder: keep it absolute
                    value = str(Path(value).relative_to(self.base_dir))
            if key == CRITERIA_KEY and getattr(self, "_rescaled", None):
                source = "override"
            rows.append({"setting": key, "value": _as_text(value), "source": source})
        rows.extend(weight_change_rows(getattr(self, "_rescaled", None) or ()))
        return pd.DataFrame(rows, columns=["setting", "value", "source"])

    def resolved_json(self) -> dict[str, Any]:
        """The resolved configuration as JSON-native data (for manifest.json)."""
        return self.model_dump(mode="json", exclude={"source_path"})


def slugify(text: str) -> str:
    import re
    import unicodedata

    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", norm).strip("_")
    # a file name holds 255 bytes: keep the deliverables' names well inside it (the
    # client's name itself is kept whole on the cover and in the report)
    return slug[:MAX_SLUG].rstrip("_") or "client"


MAX_SLUG = 80
"""Longest client part of a deliverable's file name."""


def _as_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(d, dict) and d:
        for k, v in d.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict) and v and not key.endswith(".columns"):
                out.update(_flatten(v, key))
            else:
                out[key] = v
    elif prefix:
        out[prefix] = d
    return out


# ---------------------------------------------------------------- loading


def parse_override(text: str) -> tuple[str, Any]:
    """``"cost_to_serve.cost_of_capital=0.1"`` -> ``("cost_to_serve.cost_of_capital", 0.1)``.

    The value is read as a YAML scalar (safely), so numbers, booleans and lists work.
    """
    if "=" not in text:
        raise ConfigError(f'Override "{text}" is not key=value, e.g. -p language=cs.')
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key:
        raise ConfigError(f'Override "{text}" has no key before "=".')
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def _apply_override(raw: dict, key: str, value: Any) -> None:
    parts = key.split(".")
    node = raw
    for p in parts[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, dict):
            nxt = {}
            node[p] = nxt
        node = nxt
    node[parts[-1]] = value


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int):
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping (PyYAML keeps
    the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base class says so
                break
            line = key_node.start_mark.line + 1
            if first is not None:
                raise _DuplicateKey(str(key), line, first)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> dict:
    """Read a YAML mapping safely; any problem is one sentence naming file, line and key."""
    text = _read_text(path)
    if "*" in text:  # aliases: refuse a document that expands without bound
        _check_aliases(text, path)
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise ConfigError(
            f"{path.name}, line {exc.line}: the key {exc.key!r} is given twice (first on line "
            f"{exc.first}); keep one."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path.name}{where}: not valid YAML ({problem}).") from None
    except Exception as exc:  # noqa: BLE001 - e.g. ValueError for the date 2024-13-45
        raise ConfigError(_bad_value_sentence(text, path, exc)) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: expected a mapping of settings at the top level.")
    return raw


_MAX_YAML_BYTES = 10 << 20
_MAX_YAML_NODES = 100_000


def _read_text(path: Path) -> str:
    """The engagement file's text: a regular file of sane size, UTF-8."""
    import errno
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"Engagement file {path} does not exist.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(f"Engagement file {path} is a symbolic link loop.") from None
        raise ConfigError(f"Engagement file {path} cannot be read ({exc.strerror}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(
            f"Engagement file {path} is a folder: give the engagement YAML file in it "
            f"(e.g. {path / 'engagement.yaml'})."
        )
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(
            f"Engagement file {path} is not a regular file (a pipe or a device): give the "
            "engagement YAML file."
        )
    if st.st_size > _MAX_YAML_BYTES:
        raise ConfigError(
            f"Engagement file {path} is {st.st_size >> 20} MB: an engagement file is a few "
            "KB of settings; is this the right file?"
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Engagement file {path} is not UTF-8 text ({exc.reason}).") from None
    except OSError as exc:
        raise ConfigError(f"Engagement file {path} cannot be read ({exc.strerror}).") from None


def _walk_yaml(node, key: str = ""):
    """(node, dotted key) of every scalar in a composed YAML document, once each."""
    seen: set[int] = set()
    stack = [(node, key)]
    while stack:
        n, k = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            for kn, vn in reversed(n.value):
                stack.append((vn, f"{k}.{kn.value}" if k else str(kn.value)))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((vn, f"{k}[{i}]") for i, vn in reversed(list(enumerate(n.value))))
        else:
            yield n, k


def _check_aliases(text: str, path: Path) -> None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except Exception:  # noqa: BLE001 - safe_load reports it with its line
        return
    sizes: dict[int, int] = {}

    def size(n) -> int:
        if id(n) not in sizes:
            sizes[id(n)] = 0  # a recursive alias counts once
            children = (
                [v for pair in n.value for v in pair]
                if isinstance(n, yaml.MappingNode)
                else n.value
                if isinstance(n, yaml.SequenceNode)
                else []
            )
            sizes[id(n)] = 1 + sum(size(c) for c in children)
        return sizes[id(n)]

    if root is not None and size(root) > _MAX_YAML_NODES:
        raise ConfigError(
            f"{path.name}: its YAML aliases (*name) expand to more than {_MAX_YAML_NODES} "
            "values; write the settings out instead of repeating aliases."
        )


def _bad_value_sentence(text: str, path: Path, exc: Exception) -> str:
    """Name the line and key of the value YAML could not construct (e.g. 2024-13-45)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        loader = yaml.SafeLoader("")
        for node, key in _walk_yaml(root) if root is not None else ():
            try:
                loader.construct_object(node, deep=True)
            except Exception as bad:  # noqa: BLE001 - the value we are looking for
                kind = "date" if node.tag.endswith(":timestamp") else "value"
                hint = " Write dates as YYYY-MM-DD." if kind == "date" else ""
                return (
                    f'{path.name}, line {node.start_mark.line + 1}, "{key}": {node.value!r} '
                    f"is not a valid {kind} ({bad}).{hint}"
                )
    except Exception:  # noqa: BLE001 - fall back to the bare error
        pass
    return f"{path.name}: a value cannot be read ({type(exc).__name__}: {exc})."


def _path_problem(raw: dict, path: Path, exc: BaseException) -> str:
    """The input path (or engagement path) behind an error pydantic did not wrap."""
    inputs = raw.get("inputs") if isinstance(raw.get("inputs"), dict) else {}
    for table, spec in inputs.items():
        value = spec.get("path") if isinstance(spec, dict) else spec
        if not isinstance(value, str):
            continue
        candidate = Path(value).expanduser()
        if not candidate.is_absolute():
            candidate = path.parent / candidate
        try:
            candidate.resolve()
        except (OSError, RuntimeError):
            return (
                f'{path.name}: "inputs.{table}.path" = "{value}" is a symbolic link loop: '
                "point it at the file itself."
            )
    return f"{path.name}: the settings cannot be read ({type(exc).__name__}: {exc})."


def load_engagement(
    path: str | Path,
    overrides: dict[str, Any] | list[str] | None = None,
) -> Engagement:
    """Load and validate an engagement file.

    Parameters
    ----------
    path
        The engagement YAML.
    overrides
        Dotted settings to replace, as ``{"cost_to_serve.cost_of_capital": 0.1}`` or
        ``["cost_to_serve.cost_of_capital=0.1"]``.

    Raises
    ------
    ConfigError
        With the file, the key path (and line), the value and what was expected.
    """
    try:
        path = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        raise ConfigError(f"Engagement file {path} is a symbolic link loop.") from None
    raw = read_yaml(path)
    if isinstance(overrides, list):
        overrides = dict(parse_override(o) for o in overrides)
    overrides = dict(overrides or {})
    given = json.loads(json.dumps(raw, default=str))
    by_criterion = {k: v for k, v in overrides.items() if k.startswith(CRITERIA_KEY + ".")}
    for key, value in overrides.items():
        if key not in by_criterion:
            _apply_override(raw, key, value)
    rescaled = apply_criterion_overrides(raw, by_criterion, path.name)
    try:
        eng = Engagement.model_validate(raw, context={"base_dir": path.parent})
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, path.name, raw)) from None
    except (OSError, RuntimeError, TypeError, ValueError, OverflowError) as exc:
        raise ConfigError(_path_problem(raw, path, exc)) from None
    eng = eng.model_copy(update={"source_path": path})
    object.__setattr__(eng, "_raw", given)
    object.__setattr__(eng, "_overridden", tuple(overrides))
    object.__setattr__(eng, "_rescaled", tuple(rescaled))
    return eng


def format_validation_error(exc: ValidationError, filename: str, raw: dict) -> str:
    """One line per problem: file, key path, value, what was expected."""
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc) or "(top level)"
        kind = err["type"]
        if kind == "extra_forbidden":
            parent_loc = err["loc"][:-1]
            choices = _model_fields_at(parent_loc)
            hint = did_you_mean(loc[-1], choices) if choices else ""
            allowed = (
                f" Allowed here: {', '.join(sorted(choices))}." if choices and not hint else ""
            )
            lines.append(f'{filename}: unknown key "{key}".{hint}{allowed}')
        elif kind == "missing":
            lines.append(f'{filename}: "{key}" is required but missing.')
        else:
            value = err.get("input")
            shown = _short(value)
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f'{filename}: "{key}" = {shown} is not valid: {msg}.'.replace("..", "."))
    if len(lines) == 1:
        return lines[0]
    return f"{filename} has {len(lines)} problems:\n  " + "\n  ".join(lines)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _model_fields_at(loc: tuple) -> list[str]:
    """Field names of the model at a location, for did-you-mean on unknown keys."""
    model: Any = Engagement
    skip_key = False
    for part in loc:
        if isinstance(part, int):
            continue
        if skip_key:  # a key of a dict of models, e.g. inputs.<table>
            skip_key = False
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        skip_key = getattr(ann, "__origin__", None) is dict
        model = _model_in(ann)
        if model is None:
            return []
    fields = getattr(model, "model_fields", {})
    return [name for name, f in fields.items() if not f.exclude]  # not source_path: not YAML


def _model_in(ann: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        m = _model_in(arg)
        if m is not None:
            return m
    return None
