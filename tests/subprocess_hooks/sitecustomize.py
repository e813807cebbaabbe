"""Started by Python in a test's docgen subprocess when this folder is on PYTHONPATH.

With ``DOCGEN_TEST_CONVERSIONS`` set, the subprocess shares the session's conversion cache
(``tests/conversion_cache.py``): a test that kills and re-runs ``docgen issue`` to prove
recovery converts each distinct document once, not once per run.
"""

from __future__ import annotations

import os

if os.environ.get("DOCGEN_TEST_CONVERSIONS"):
    from tests.conversion_cache import install_in_this_process

    install_in_this_process(os.environ["DOCGEN_TEST_CONVERSIONS"])
