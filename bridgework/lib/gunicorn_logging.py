"""gunicorn's own log (errors and the access log) through the same secret filter as the app's.

gunicorn bridgework.wsgi --logger-class bridgework.lib.gunicorn_logging.Logger
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging

from bridgework.lib.logs import SafeRecords


class Logger(glogging.Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)  # run again when gunicorn reloads its configuration
        for log in (self.error_log, self.access_log):
            if not any(isinstance(known, SafeRecords) for known in log.filters):
                log.addFilter(SafeRecords())
