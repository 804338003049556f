"""The chat page: ``ui.page`` builds and serves it, ``ui.render`` writes its HTML.

Gradio's analytics are off before Gradio is first imported: it would otherwise try to reach
its analytics host, which this machine cannot (and a local chat page has no reason to).
"""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
