"""24SO's repeating-invoice import spreadsheet: written by the hub, and read from anyone.

24SO imports only cells formatted as text, so the hub writes every cell as text (number
format "@", string values, dates as dd.mm.yyyy) and, reading, reports a cell that a
spreadsheet program stored as a number or a date. One row per order line; the order
header's columns repeat on each row of the order, grouped by RepeatingOrderId.

Uploads are untrusted: the zip container is checked before openpyxl parses it (openpyxl
parses the XML through defusedxml), and sheets are read in read-only mode, row by row.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Callable

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from exports import repeating
from exports.models import BindingKind, RepeatingAgreement
from exports.repeating_models import Frequency
from exports.repeating_refs import Lookup, Place, sevenoffice_numbers
from tenants.models import Tenant

TEXT = "@"
DATE_FORMAT = "%d.%m.%Y"
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024  # a 100,000-line sheet stays well below
MAX_RATIO = 200  # sheet XML compresses 10-30x; zip bombs 1000x and more
MAX_MEMBERS = 500
MAX_LINES = 100_000
MAX_COLUMNS = 100
MAX_ERRORS = 500
PROGRESS_EVERY = 1000  # rows


@dataclass(frozen=True)
class Column:
    heading: str
    field: str
    kind: str  # text, int, decimal, flag, date, frequency, customer, department, project, product_id, product_number
    header: bool  # belongs to the order header (repeats on every row of the order)
    required: bool = False  # 24SO's required columns: always in the file, never empty
    needed: bool = False  # the hub always has a value, so the column is always written
    max_length: int | None = None


COLUMNS = (
    Column("RepeatingOrderId", "order_id", "text", True, required=True, max_length=50),
    Column("RepeatingCustomerId", "customer_id", "customer", True, needed=True),
    Column("RepeatingPaymentTime", "payment_days", "int", True),
    Column("RepeatingRef", "our_reference", "employee", True, max_length=20),
    Column("RepeatingCurrencyId", "currency", "currency", True),
    Column("RepeatingTypeOfSale", "type_of_sale", "int", True),
    Column("RepeatingDepartment", "department_id", "department", True),
    Column("RepeatingProject", "project_id", "project", True),
    Column("RepeatingCustomerRef", "customer_reference", "text", True, max_length=100),
    Column("RepeatingInvoiceText", "invoice_text", "text", True, max_length=750),
    Column("RepeatingInvoiceTitle", "invoice_title", "text", True, max_length=200),
    Column("DeliveryName", "delivery_name", "text", True, max_length=200),
    Column("DeliveryAddress", "delivery_address", "text", True, max_length=200),
    Column("DeliveryZipcode", "delivery_zipcode", "text", True, max_length=20),
    Column("DeliveryZiparea", "delivery_ziparea", "text", True, max_length=100),
    Column("DeliveryCity", "delivery_city", "text", True, max_length=100),
    Column("DeliveryState", "delivery_state", "text", True, max_length=100),
    Column("DeliveryCountry", "delivery_country", "text", True, max_length=100),
    Column("DeliveryPhone", "delivery_phone", "text", True, max_length=50),
    Column("DeliveryAlternative", "delivery_alternative", "text", True, max_length=200),
    Column("RepeatingProductId", "product_id", "product_id", False),
    Column("RepeatingProductNo", "product_number", "product_number", False, max_length=100),
    Column("RepeatingQuantity", "quantity", "decimal", False, required=True),
    Column("RepeatingName", "name", "text", False, required=True, max_length=125),
    Column("RepeatingDiscount", "discount", "percent", False),
    Column("RepeatingPrice", "price", "price", False),
    Column("RepeatingPriceIsSolid", "price_is_fixed", "flag", False),
    Column("RepeatingDate", "next_date", "date", False, needed=True),
    Column("RepeatingFactor", "factor", "factor", False, needed=True),
    Column("RepeatingFrequency", "frequency", "frequency", False, needed=True),
    Column("RepeatingCartOrder", "position", "int", False),
    Column("RepeatingTypegroupId", "type_of_sale", "int", False),
)
BY_HEADING = {c.heading.lower(): c for c in COLUMNS}
REFERENCE_KINDS = {"customer", "department", "project", "product_id", "product_number"}
HUB_REQUIRED = {"customer_id": "an agreement needs its customer", "next_date": "the hub needs the next date",
                "frequency": "the hub needs the frequency"}


class SheetRefused(Exception):
    """The file is not a spreadsheet the hub will read (malformed, malicious or too big)."""


class SheetNotReady(Exception):
    """Some agreements name records 24SO does not know yet; ``problems`` say which."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


# --- Writing ---------------------------------------------------------------------------------


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def sheet_rows(tenant: Tenant, agreements) -> list[dict]:
    """The sheet's rows as {field: value}, 24SO's ids in place of the hub's records."""
    agreements = list(agreements)
    customers = sevenoffice_numbers(tenant, BindingKind.CUSTOMER, {a.customer_id for a in agreements})
    projects = sevenoffice_numbers(tenant, BindingKind.PROJECT, {a.project_id for a in agreements if a.project_id})
    problems = []
    rows = []
    for agreement in agreements:
        header = {name: getattr(agreement, name) for name in repeating.HEADER_FIELDS}
        header["customer_id"] = customers.get(agreement.customer_id)
        if header["customer_id"] is None:
            problems.append(f"Order {agreement.order_id}: customer {agreement.customer} is not in 24SevenOffice yet; "
                            "send it with Resync on the Customers page.")
        if agreement.project_id:
            header["project_id"] = projects.get(agreement.project_id)
            if header["project_id"] is None:
                problems.append(f"Order {agreement.order_id}: project {agreement.project} is not in 24SevenOffice yet; "
                                "send it with Resync on the Projects page.")
        if agreement.department_id:
            header["department_id"] = agreement.department.sevenoffice_department_id
            if header["department_id"] is None:
                problems.append(f"Order {agreement.order_id}: department {agreement.department.code} has no "
                                "24SevenOffice department id.")
        for line in agreement.lines.all():
            line_values = {name: getattr(line, name) for name in repeating.LINE_FIELDS}
            line_values["line_type_of_sale"] = line_values.pop("type_of_sale")
            rows.append({"order_id": agreement.order_id, **header, **line_values})
    if problems:
        raise SheetNotReady(problems)
    return rows


def _row_value(column: Column, row: dict):
    if column.heading == "RepeatingTypegroupId":
        return row["line_type_of_sale"]
    return row[column.field]


def sheet_write(tenant: Tenant, agreements, out) -> int:
    """Write the agreements as 24SO's import sheet to the file-like `out`; returns the row count.

    Required and always-filled columns are always there; other columns only when some row
    uses them (type of sale left empty is credit sale in 24SO, so it needs no column)."""
    rows = sheet_rows(tenant, agreements)
    several = len(rows) > len({row["order_id"] for row in rows})  # line order matters only then
    used = [c for c in COLUMNS if c.required or c.needed or (several if c.field == "position" else any(
        _row_value(c, row) not in (None, "", False) for row in rows))]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("RepeatingInvoices")
    for index in range(1, len(used) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 22
    sheet.append([_cell(sheet, c.heading) for c in used])
    for row in rows:
        sheet.append([_cell(sheet, _text(_row_value(c, row))) for c in used])
    book.save(out)
    return len(rows)


def _cell(sheet, value: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = TEXT
    return cell


def sheet_bytes(tenant: Tenant, agreements) -> bytes:
    out = io.BytesIO()
    sheet_write(tenant, agreements, out)
    return out.getvalue()


def agreements_for_sheet(tenant: Tenant):
    return (RepeatingAgreement.objects.filter(tenant=tenant).select_related("customer", "department", "project")
            .prefetch_related("lines").order_by("order_id"))


# --- Reading ---------------------------------------------------------------------------------


def sheet_check_container(data: bytes) -> None:
    """Refuse what is not an .xlsx, or would unpack to far more than it weighs, before parsing."""
    if len(data) > MAX_FILE_BYTES:
        raise SheetRefused(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SheetRefused("This is not an .xlsx spreadsheet (not a zip container). Save the sheet as .xlsx.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetRefused(f"The .xlsx file is damaged ({exc}).") from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise SheetRefused("This zip file is not an .xlsx spreadsheet (no workbook inside).")
    if len(members) > MAX_MEMBERS:
        raise SheetRefused("The .xlsx file holds too many parts to be a sheet of repeating invoices.")
    # zipfile never unpacks more than a member's declared size, so checking those is enough.
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SheetRefused("The spreadsheet unpacks to more than the hub reads; split it into smaller sheets.")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise SheetRefused("The file looks like a zip bomb (it unpacks to far more than its size) and was refused.")


@dataclass
class ReadResult:
    specs: list[dict]
    errors: list[dict]
    rows: int

    @property
    def ok(self) -> bool:
        return not self.errors


class _Errors:
    def __init__(self):
        self.items: list[dict] = []
        self.dropped = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append({"row": row, "column": column, "message": message})
        else:
            self.dropped += 1

    def __bool__(self):
        return bool(self.items)

    def listed(self) -> list[dict]:
        if self.dropped:
            return [*self.items, {"row": None, "column": None,
                                  "message": f"{self.dropped} more problems are not listed; fix these and check again."}]
        return self.items


def sheet_read(tenant: Tenant, data: bytes, progress: Callable[[int, int], None] | None = None) -> ReadResult:
    """Check a sheet and turn it into agreement specs; every problem is reported at once,
    by row and column. Raises SheetRefused for a file that cannot be read at all."""
    sheet_check_container(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or hostile file
        raise SheetRefused(f"The spreadsheet could not be read ({type(exc).__name__}: {exc}).") from None
    try:
        return _read_book(tenant, book, progress)
    finally:
        book.close()


def _read_book(tenant, book, progress):
    if not book.worksheets:
        raise SheetRefused("The spreadsheet has no sheet.")
    sheet = book.worksheets[0]
    declared = _count_rows(sheet)
    if declared - 1 > MAX_LINES:
        raise SheetRefused(f"The sheet has {declared - 1:,} rows; the hub reads at most {MAX_LINES:,} lines per sheet.")
    errors = _Errors()
    rows = sheet.iter_rows(max_col=MAX_COLUMNS)
    header_cells = next(rows, None)
    columns = _columns(header_cells or (), errors)
    if columns is None:
        return ReadResult([], errors.listed(), 0)
    lookup = Lookup(tenant)
    orders: dict[str, _Order] = {}
    count = 0
    for cells in rows:
        row_number = count + 2
        count += 1
        if count > MAX_LINES:
            raise SheetRefused(f"The sheet has more than {MAX_LINES:,} lines; split it into smaller sheets.")
        values = _row(cells, columns, row_number, errors, lookup)
        if values is not None:
            _add_line(orders, values, row_number, errors)
        if progress and count % PROGRESS_EVERY == 0:
            progress(count, max(declared - 1, count))
    if progress:
        progress(count, count)
    if not orders and not errors:
        errors.add(None, None, "The sheet has no lines.")
    resolved, problems = lookup.resolve()
    for place, message in problems:
        errors.add(place.row, place.column, message)
    specs = []
    for order in orders.values():
        if order.header.get("customer_id") is None:
            errors.add(order.first_row, "RepeatingCustomerId",
                       f"Order {order.order_id} names no customer: {HUB_REQUIRED['customer_id']}.")
        spec = order.spec(resolved)
        for index, field_name, message in repeating.spec_problems(spec):
            row = order.rows[index] if index is not None else order.first_row
            errors.add(row, _heading_of(field_name), message)
        specs.append(spec)
    if errors:
        return ReadResult([], errors.listed(), count)
    return ReadResult(specs, [], count)


ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _count_rows(sheet) -> int:
    """Rows in the sheet's XML, counted at C speed while streaming it: the progress bar's
    total (sheets written in openpyxl's write-only mode declare no size)."""
    count, tail = 0, b""
    with sheet._get_source() as source:  # openpyxl's read-only sheet: its XML part in the zip
        while chunk := source.read(1024 * 1024):
            data = tail + chunk
            count += len(ROW_TAG.findall(data))
            tail = data[-16:]
            count -= len(ROW_TAG.findall(tail))  # counted again with the next chunk
    return count + len(ROW_TAG.findall(tail))


def _heading_of(field_name: str) -> str | None:
    if field_name == "position":
        return "RepeatingCartOrder"
    return next((c.heading for c in COLUMNS if c.field == field_name and not c.header), None)


def _columns(cells, errors) -> list[tuple[int, Column]] | None:
    """The sheet's headings: each known one once, 24SO's required ones present."""
    columns, seen = [], set()
    for index, cell in enumerate(cells):
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        letter = get_column_letter(index + 1)
        # 24SO's list marks required columns with a note in brackets, e.g. "RepeatingOrderId(PÅKREVD)".
        name = re.sub(r"\s*\(.*\)\s*$", "", str(value).strip()).lower()
        column = BY_HEADING.get(name)
        if column is None:
            errors.add(1, letter, f"Unknown column heading {str(value)!r}: 24SevenOffice's headings start "
                                  "with Repeating or Delivery, for example RepeatingQuantity.")
        elif column.heading in seen:
            errors.add(1, column.heading, f"Column {column.heading} appears twice.")
        else:
            seen.add(column.heading)
            columns.append((index, column))
    for column in COLUMNS:
        if column.required and column.heading not in seen:
            errors.add(1, column.heading, f"Required column {column.heading} is missing.")
        elif column.field in HUB_REQUIRED and column.heading not in seen:
            errors.add(1, column.heading, f"Column {column.heading} is missing: {HUB_REQUIRED[column.field]}.")
    return None if errors else columns


def _row(cells, columns, row_number, errors, lookup) -> dict | None:
    """One data row's values by field, or None for a blank row or one with problems."""
    values, failed, blank = {}, False, True
    for index, column in columns:
        cell = cells[index] if index < len(cells) else None
        raw = getattr(cell, "value", None)
        values[_key(column)] = None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        blank = False
        parsed, message = _parse(column, cell)
        if message:
            errors.add(row_number, column.heading, message)
            failed = True
            continue
        values[_key(column)] = parsed
        if column.kind in REFERENCE_KINDS:
            lookup.note(column.kind, parsed, Place(row_number, column.heading))
    if blank:
        return None
    for _, column in columns:
        if values[_key(column)] is None and _required_per_row(column):
            if not any(e["row"] == row_number and e["column"] == column.heading for e in errors.items[-MAX_COLUMNS:]):
                errors.add(row_number, column.heading, f"{column.heading} is required and empty.")
                failed = True
    return None if failed else values


def _required_per_row(column: Column) -> bool:
    return column.required or (column.field in HUB_REQUIRED and not column.header)


def _key(column: Column) -> str:
    return "line_type_of_sale" if column.heading == "RepeatingTypegroupId" else column.field


def _parse(column: Column, cell):
    """(value, None) or (None, why the cell is wrong)."""
    data_type = getattr(cell, "data_type", "s")
    raw = cell.value
    if data_type == "f" or (isinstance(raw, str) and raw.startswith("=") and data_type != "s"):
        return None, "The cell holds a formula; 24SevenOffice imports plain text values only."
    if data_type == "e":
        return None, f"The cell holds the error {raw}."
    if isinstance(raw, bool) or isinstance(raw, (int, float, Decimal)):
        return None, (f"The cell is formatted as a number ({raw}); format the column as text so 24SevenOffice "
                      "imports it.")
    if isinstance(raw, (datetime, date)):
        return None, "The cell is formatted as a date; format the column as text and write the date as dd.mm.yyyy."
    text = str(raw).strip()
    if column.max_length and len(text) > column.max_length:
        return None, f"Longer than {column.max_length} characters."
    return PARSERS[column.kind](text)


def _int(text):
    if re.fullmatch(r"\d{1,18}", text):
        return int(text), None
    return None, f"{text!r} is not a whole number."


def _decimal(text, max_digits=14, places=4):
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned:  # a Norwegian decimal comma
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, f"{text!r} is not a number."
    if not value.is_finite() or value.as_tuple().exponent < -places or abs(value) >= Decimal(10) ** (max_digits - places):
        return None, f"{text!r} is not a number the hub can keep (at most {places} decimals)."
    return value, None


def _price(text):
    return _decimal(text, 14, 2)


def _percent(text):
    value, message = _decimal(text, 5, 2)
    if message is None and not Decimal("0") <= value <= Decimal("100"):
        return None, f"Discount {text} is not between 0 and 100."
    return value, message


def _flag(text):
    if text in ("0", "1"):
        return text == "1", None
    return None, f"{text!r}: use 0 or 1."


def _date(text):
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", text):
        try:
            return datetime.strptime(text, DATE_FORMAT).date(), None
        except ValueError:
            pass
    return None, f"{text!r} is not a date in the form dd.mm.yyyy (for example 31.01.2026)."


def _factor(text):
    value, message = _int(text)
    if message is None and value < 1:
        return None, "The factor is at least 1."
    return value, message


def _frequency(text):
    if text in {str(v) for v in Frequency.values}:
        return int(text), None
    choices = ", ".join(f"{v} {label.lower()}" for v, label in Frequency.choices)
    return None, f"Unknown frequency {text!r}; 24SevenOffice knows {choices}."


def _currency(text):
    if re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper(), None
    return None, f"{text!r} is not a currency code such as NOK."


PARSERS = {
    "text": lambda text: (text, None),
    "int": _int,
    "employee": lambda text: (text, None) if text.isdigit() else (None, f"{text!r} is not an employee id (a number)."),
    "decimal": _decimal,
    "price": _price,
    "percent": _percent,
    "flag": _flag,
    "date": _date,
    "factor": _factor,
    "frequency": _frequency,
    "currency": _currency,
    "customer": _int,
    "department": _int,
    "project": _int,
    "product_id": _int,
    "product_number": lambda text: (text, None),
}
HEADER_COLUMNS = [c for c in COLUMNS if c.header and c.field != "order_id"]


class _Order:
    """One order's header (from its first row that gives each value) and compact lines."""

    __slots__ = ("order_id", "first_row", "header", "header_rows", "rows", "lines")

    def __init__(self, order_id, first_row):
        self.order_id, self.first_row = order_id, first_row
        self.header, self.header_rows, self.rows, self.lines = {}, {}, [], []

    def spec(self, resolved) -> dict:
        header = {c.field: self.header.get(c.field) for c in HEADER_COLUMNS}
        for field_name, kind in (("customer_id", "customer"), ("department_id", "department"), ("project_id", "project")):
            if header[field_name] is not None:
                header[field_name] = resolved[kind].get(header[field_name])
        lines = [dict(zip(LINE_KEYS, line)) for line in self.lines]
        for line in lines:
            line["type_of_sale"] = line.pop("line_type_of_sale")
            if line["price_is_fixed"] is None:
                line["price_is_fixed"] = False
        return {"order_id": self.order_id, **header, "lines": lines}


LINE_KEYS = ("product_id", "product_number", "quantity", "name", "discount", "price", "price_is_fixed", "next_date",
             "factor", "frequency", "position", "line_type_of_sale")


def _add_line(orders, values, row_number, errors):
    order_id = values["order_id"]
    order = orders.get(order_id)
    if order is None:
        order = orders[order_id] = _Order(order_id, row_number)
    for column in HEADER_COLUMNS:
        value = values.get(column.field)
        if value is None:
            continue  # a later row of the order may leave the header empty
        if column.field not in order.header:
            order.header[column.field] = value
            order.header_rows[column.field] = row_number
        elif order.header[column.field] != value:
            errors.add(row_number, column.heading,
                       f"Order {order_id} has {_text(order.header[column.field])} on row {order.header_rows[column.field]} "
                       f"but {_text(value)} on this row; the header is the same on every row of an order.")
    order.rows.append(row_number)
    order.lines.append(tuple(values.get(key) for key in LINE_KEYS))
