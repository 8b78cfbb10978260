# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Row counts of the backups: the query that reads them, the range each
table's count spans while its dump runs, and how a restored dump compares.

The cloud keeps writing while a database is dumped in one transaction, so
a table's rows are counted just before and just after its dump; the dump's
snapshot lies between, and a restore of it must count within that range.
"""

from __future__ import annotations


def _quote(name):
    return '`%s`' % str(name).replace('`', '``')


def _literal(text):
    return "'%s'" % str(text).replace('\\', '\\\\').replace("'", "''")


def count_query(database, tables):
    """One query counting the rows of each of ``tables`` of ``database``,
    as rows {tbl, n}; empty when there is no table."""
    return ' UNION ALL '.join(
        'SELECT %s AS tbl, COUNT(*) AS n FROM %s.%s' % (_literal(table), _quote(database), _quote(table))
        for table in tables)


def _counts(rows):
    return dict((row['tbl'], int(row['n'])) for row in rows or [])


def row_ranges(before, after):
    """{table: [low, high]} from the rows {tbl, n} counted before and after
    a dump. A table counted only once gets that count as its range."""
    low, high = _counts(before), _counts(after)
    return dict((table, sorted((low.get(table, high.get(table)), high.get(table, low.get(table)))))
                for table in sorted(set(low) | set(high)))


def _range_text(low, high):
    return str(low) if low == high else '%s..%s' % (low, high)


def row_mismatches(ranges, counted, database):
    """Messages naming each table of ``database`` whose restored count
    (rows {tbl, n}) is outside its range, missing, or unexpected."""
    counts = _counts(counted)
    problems = []
    for table, (low, high) in sorted(ranges.items()):
        if table not in counts:
            problems.append('%s.%s: missing from the dump (%s rows counted)'
                            % (database, table, _range_text(low, high)))
        elif not int(low) <= counts[table] <= int(high):
            problems.append('%s.%s: %d rows restored, %s counted'
                            % (database, table, counts[table], _range_text(low, high)))
    problems.extend('%s.%s: in the dump, not in the database' % (database, table)
                    for table in sorted(set(counts) - set(ranges)))
    return problems


def expired(paths, keep, current):
    """The backups (folder paths named by UTC time, so that they sort by
    age) to delete so that ``keep`` remain, ``current`` among them."""
    others = sorted(path for path in paths if path != current)
    keep_others = int(keep) - (1 if current in paths else 0)
    return others[:max(len(others) - keep_others, 0)]
