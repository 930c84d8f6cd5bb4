import time, tracemalloc
import pytest
from portal.surveys.fixtures import make_units_workbook
from portal.surveys.services import ApplyMode, import_file

@pytest.mark.django_db
def test_probe(world, tmp_path):
    for n in (5000, 20000):
        info = make_units_workbook(tmp_path / f"u{n}.xlsx", n, start_seq=n * 10)
        tracemalloc.start()
        t = time.perf_counter()
        _, report = import_file(kind="units", path=info.path, apply=ApplyMode.CLEAN)
        dt_ = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"\nrows={n} {dt_:.1f}s {n/dt_:.0f} rows/s peak_py={peak/1e6:.1f}MB created={report['created']}")
