# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parts of benchmarks/bench_live.py: live Odoo servers driven over HTTP.

Nothing here is imported by the addon or by Odoo: the orm_tasks module runs
in a subprocess that loads Odoo, the rest only speaks HTTP and SQL to it.
"""
