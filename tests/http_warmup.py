# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Keep the test HTTP server's threads from parsing Python source at once.

CPython 3.11's `ast` counts the recursion of its C constructors per
interpreter, not per thread: two threads inside `ast.parse` at the same time
can fail with "SystemError: AST constructor recursion depth mismatch"
(python/cpython#106905). Odoo's HTTP server parses in its request threads:

- every addon's manifest (about 600 `ast.literal_eval`) when it serves its
  first static file (`odoo.http.root.statics`), computed by each of the
  browser's first parallel requests; the asset bundles' generation reads the
  installed addons' manifests again. A tour once died there: the POS never
  loaded.
- a little on every request too, which no warm-up can do once for all:
  `res.lang.format` evaluates the language's digit grouping at each
  `format_amount`, and Python 3.11's tracebacks parse source lines to draw
  their carets whenever an error is turned into a response.

So, before the first browser test: the manifests are read and the asset
bundles the tours load are generated here, in the main thread (the bundles
committed, as a running server would keep them); and for the whole session
`ast.parse`, which `ast.literal_eval` and `traceback` call, runs under one
lock.
"""

import ast
import threading

# What the POS tours load: the POS, the tours' test assets (as the POS page
# calls them) and the bus's websocket worker.
TOUR_BUNDLES = (
    "point_of_sale.assets_prod",
    "web.__assets_tests_call__",
    "bus.websocket_worker_assets",
)

_parse = ast.parse
_parse_lock = threading.RLock()
_warmed = set()


def _serialized_parse(*args, **kwargs):
    with _parse_lock:
        return _parse(*args, **kwargs)


def serialize_ast_parse():
    """Make `ast.parse` one thread at a time (idempotent)."""
    ast.parse = _serialized_parse


def warm_http_server(dbname):
    """Parse and build what the HTTP server would parse lazily; once per database."""
    if dbname in _warmed:
        return
    _warmed.add(dbname)
    import odoo.http
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    # Every addon's manifest, cached by get_manifest for all later readers.
    odoo.http.root.statics  # noqa: B018 - a lazy property, computed on access
    with Registry(dbname).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for name in TOUR_BUNDLES:
            bundle = env["ir.qweb"]._get_asset_bundle(name, css=True, js=True)
            if bundle.javascripts:
                bundle.js()
            if bundle.stylesheets:
                bundle.css()
