#!/usr/bin/env python
"""Back up and restore the qnmerge database (`make backup`, `make restore FILE=...`).

SQLite: `dumpdata --natural-foreign --natural-primary` of every record
(without what migrations rebuild: content types, permissions; nor sessions,
admin log, login throttling) into backups/qnmerge-<timestamp>.json.gz.
Restoring migrates, empties the database and loads the file in one
transaction, so a failed restore leaves the database as it was.

PostgreSQL: `pg_dump -Fc` into backups/qnmerge-<timestamp>.dump; restoring
runs `pg_restore --clean --if-exists --no-owner` into the configured database.

Usage: python scripts/backup.py backup [--dir DIR]
       python scripts/backup.py restore FILE
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = BASE_DIR / "backups"
DUMP_EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


def _setup_django():
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnmerge.settings")
    import django

    django.setup()


def _database():
    from django.db import connection

    return connection.vendor, connection.settings_dict


def _pg_args(db):
    """Connection options for pg_dump / pg_restore, and the password in env."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _require(tool):
    path = shutil.which(tool)
    if path is None:
        raise SystemExit(f"{tool} is not installed: on Debian run 'apt-get install postgresql-client'.")
    return path


def backup(directory=DEFAULT_DIR):
    """Write a backup of the configured database into `directory`; return its path."""

    directory = Path(directory)
    # Backups hold password hashes: the folder and the file are the owner's
    # alone (umask 077 while writing, so no moment exists where they are not).
    old_umask = os.umask(0o077)
    try:
        return _write_backup(directory)
    finally:
        os.umask(old_umask)


def _write_backup(directory):
    from django.core.management import call_command

    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    vendor, db = _database()
    if vendor == "postgresql":
        path = directory / f"qnmerge-{stamp}.dump"
        args, env = _pg_args(db)
        subprocess.run(
            [_require("pg_dump"), "-Fc", "--no-owner", *args, "--file", str(path), db["NAME"]], env=env, check=True
        )
    elif vendor == "sqlite":
        path = directory / f"qnmerge-{stamp}.json.gz"
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=DUMP_EXCLUDE,
            output=str(path),
            verbosity=0,
        )
    else:
        raise SystemExit(f"No backup method for the {vendor} database.")
    os.chmod(path, 0o600)
    return path


def restore(path):
    """Replace the configured database's content with the backup at `path`."""
    from django.core.management import call_command
    from django.db import transaction

    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"No such backup file: {path}")
    vendor, db = _database()
    if path.name.endswith(".dump"):
        if vendor != "postgresql":
            raise SystemExit(f"{path.name} is a PostgreSQL dump; the configured database is {vendor}.")
        from django.db import connections

        connections.close_all()
        args, env = _pg_args(db)
        subprocess.run(
            [
                _require("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                "--dbname",
                db["NAME"],
                str(path),
            ],
            env=env,
            check=True,
        )
    elif path.name.endswith((".json", ".json.gz")):
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(path), verbosity=0)
    else:
        raise SystemExit(f"Unknown backup format: {path.name} (expected .json.gz or .dump)")
    # pg_restore writes behind the ORM's back: drop every cached page and figure.
    from core.cache import bump_data_version

    bump_data_version()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", help="write backups/qnmerge-<timestamp>.json.gz or .dump")
    make.add_argument("--dir", default=str(DEFAULT_DIR), help="directory for the backup file")
    load = sub.add_parser("restore", help="replace the database's content with a backup file")
    load.add_argument("file")
    options = parser.parse_args(argv)
    _setup_django()
    if options.command == "backup":
        print(f"Backup written to {backup(options.dir)}")
    else:
        restore(options.file)
        print(f"Restored {options.file}")


if __name__ == "__main__":
    main()
