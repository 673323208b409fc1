"""A 50,000-line sheet is read row by row (openpyxl read-only), with progress, in bounded memory."""

import io
import resource
import threading

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from exports import repeating_sheet
from exports.repeating_sheet import sheet_read

LINES = 50_000
HEAD = ["RepeatingOrderId", "RepeatingCustomerId", "RepeatingProductNo", "RepeatingQuantity", "RepeatingName",
        "RepeatingPrice", "RepeatingDate", "RepeatingFactor", "RepeatingFrequency"]


def big_sheet() -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEAD)
    for n in range(LINES):
        customer = "10001" if n // 5 % 2 else "10002"
        sheet.append([str(n // 5), customer, "SUB-1", "1", f"Line {n % 5}", "499", "31.01.2026", "1", "2"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_fifty_thousand_lines_stream_with_progress_in_bounded_memory(shop, monkeypatch):
    data = big_sheet()
    sheets_opened = []

    def load_and_note(*args, **kwargs):  # openpyxl's own loader, noting what kind of sheet it gave
        book = load_workbook(*args, **kwargs)
        sheets_opened.append(type(book.worksheets[0]))
        return book

    monkeypatch.setattr(repeating_sheet, "load_workbook", load_and_note)
    progress = []
    with RssPeak() as memory:
        result = sheet_read(shop, data, progress=lambda done, total: progress.append((done, total)))

    assert sheets_opened == [ReadOnlyWorksheet]
    assert result.errors == [] and result.rows == LINES
    assert len(result.specs) == LINES // 5 and all(len(s["lines"]) == 5 for s in result.specs)
    assert len(progress) >= LINES // repeating_sheet.PROGRESS_EVERY
    assert progress[0] == (1000, LINES) and progress[-1] == (LINES, LINES)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    # The whole workbook in memory (openpyxl's normal mode) takes several hundred MB for this sheet;
    # streaming keeps the cells of one row plus the compact lines.
    assert memory.growth < 150 * 1024 * 1024, f"grew by {memory.growth / 1e6:.0f} MB"


class RssPeak:
    """How far the process's resident memory rose above where it started, sampled every 20 ms
    (tracemalloc would be exact but makes the read several times slower)."""

    def __enter__(self):
        self.start = self.peak = _rss()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.peak = max(self.peak, _rss())
        self.growth = self.peak - self.start


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()
