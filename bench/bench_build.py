"""The benchmark database of a size: the product add-ons installed into
``bench_base`` once, copied, filled by the fast generator, checked through
the ORM; reused (and upgraded) later."""

import shutil
import subprocess
import sys
import time

from bench_common import (
    ODOO,
    PYTHON,
    ROOT,
    db_exists,
    filestore,
    psql,
    with_env,
)

SIZES = {
    "XS": (1_000, 20_000),
    "S": (10_000, 100_000),
    "M": (100_000, 1_000_000),
    "L": (1_000_000, 10_000_000),
}
BASE_DB = "bench_base"
# disk taken per invoice once built and analyzed (moves, their two journal
# items, indexes, the claims and notes that come with them), measured at M
# (2.0 kB) with a margin for the scenarios' writes and WAL
BYTES_PER_INVOICE = 2_500


def check_disk(size, free_bytes, where):
    """Stop with what is needed when the disk holding PostgreSQL's data
    (``where``, ``free_bytes`` free) cannot take a database of ``size``."""
    needed = SIZES[size][1] * BYTES_PER_INVOICE
    if free_bytes < needed:
        raise SystemExit(
            f"[bench] size {size} needs about {needed / 1e9:.0f} GB free on the "
            f"disk of PostgreSQL's data directory ({where}), which has "
            f"{free_bytes / 1e9:.1f} GB: free some space or choose a smaller SIZE"
        )


def build(size):
    n_customers, n_invoices = SIZES[size]
    db = f"bench_{size.lower()}"
    modules = subprocess.run(
        [sys.executable, "scripts/addons.py", "--product"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    if db_exists(db):
        # the add-ons may have changed since the database was built
        print(f"[bench] reusing database {db}, upgrading {modules}")
        odoo_init(db, "-u", modules)
        return db
    if not db_exists(BASE_DB):
        print(f"[bench] installing {modules} into {BASE_DB}")
        odoo_init(BASE_DB, "-i", modules, "--without-demo=True")
    else:
        odoo_init(BASE_DB, "-u", modules)
    data_dir = psql("postgres", "SHOW data_directory")
    check_disk(size, shutil.disk_usage(data_dir).free, data_dir)
    print(f"[bench] {db}: {n_customers} customers, {n_invoices} invoices")
    subprocess.run(["createdb", "-T", BASE_DB, db], check=True)
    if filestore(BASE_DB).exists():
        shutil.copytree(filestore(BASE_DB), filestore(db), dirs_exist_ok=True)
    fill(db, n_customers, n_invoices)
    return db


def fill(db, n_customers, n_invoices):
    """The fast generator's customers and invoices in ``db``, checked."""
    start = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            "demo/demo_story.py",
            "-d",
            db,
            "--fast",
            "--customers",
            str(n_customers),
            "--invoices",
            str(n_invoices),
        ],
        check=True,
        cwd=ROOT,
    )
    print(f"[bench] data written in {time.perf_counter() - start:.0f} s")
    problems = with_env(db, check_data)
    if problems:
        raise SystemExit("[bench] invalid data: " + "; ".join(problems))
    print("[bench] ORM check passed")
    psql(db, "VACUUM ANALYZE")


def odoo_init(db, *args):
    """Install or upgrade add-ons in ``db`` (``args``: -i/-u and modules)."""
    subprocess.run(
        [ODOO, "-c", "odoo.conf", "-d", db, *args, "--stop-after-init"]
        + ["--log-level=warn"],
        check=True,
        cwd=ROOT,
    )


def check_data(env):
    from demo_check import check

    problems = check(env)
    env.cr.rollback()
    return problems
