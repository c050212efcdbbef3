"""Reading client exports as they come: CSV and XLSX in the client's locale.

``read_input(table, spec)`` opens one export read-only and returns a :class:`RawTable`:
the rows under the header, headers mapped to canonical names, the row number of every
row as the client sees it (1-based, counting title and header rows), and the reading
options used, each marked as given in the engagement file or detected.

Anything the engagement file does not set is detected:

- **encoding**: UTF-8 (with or without BOM), UTF-16 (BOM), cp1250, cp1251, latin-1;
- **delimiter**: ``;``, ``,``, tab or ``|``;
- **header row**: the row holding the mapped headers, or the first full row of text
  (title rows above it are skipped);
- **total rows** under the table ("Total", "Итого", "Celkem", "Razem", ...) are dropped;
- **decimal** and **thousands** separators, from the numeric columns;
- **date format**: ISO, day-first, month-first or Excel serial numbers, from the date columns.

Reading is vectorised: pandas' C parser reads the text, pyarrow string kernels do the rest.
No input file is ever written to.

>>> raw = read_input("invoices", spec)          # doctest: +SKIP
>>> raw.df.head(), raw.rows[:3], raw.options    # doctest: +SKIP

Modules: ``reader`` (the entry point), ``encodings`` (encoding and delimiter), ``text``
(CSV), ``xlsx`` (workbooks), ``headers`` (header row, header mapping), ``finish`` (empty
and total rows, value formats), ``numeric`` and ``dates`` (detecting and parsing values),
``raw`` (:class:`RawTable`).
"""

from .dates import detect_date_format, parse_dates
from .headers import SCHEMA
from .numeric import detect_number_format, parse_numbers
from .raw import RawTable
from .reader import read_input

__all__ = [
    "SCHEMA",
    "RawTable",
    "detect_date_format",
    "detect_number_format",
    "parse_dates",
    "parse_numbers",
    "read_input",
]
