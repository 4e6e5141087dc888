# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the tests of the demo's delivery share: its scripts, and its guest.

scripts/ is not a package: each script imports its siblings by their bare
names, which resolve because a script's own folder leads ``sys.path`` when it
runs. The tests import the scripts the same way, with that folder appended to
``sys.path`` (last, so that it shadows nothing), so that a test and the
scripts share one copy of each module and its classes.
"""

import importlib
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

# Camille Martin of the addon's demo data (salon_otp_redeem/demo/salon_demo.xml):
# the guest whose codes and notices the demo tests read back.
CAMILLE_NUMBER = "+33612345678"
CAMILLE_EMAIL = "camille.martin@example.com"


def load_script(name):
    """The module of scripts/<name>.py."""
    if str(SCRIPTS) not in sys.path:
        sys.path.append(str(SCRIPTS))
    return importlib.import_module(name)
