# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Capture every log record of a block, whatever the configured levels."""

import logging
from contextlib import contextmanager


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []
        self.paused = False
        self.formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def emit(self, record):
        if self.paused:
            return
        try:
            text = self.formatter.format(record)
        except Exception as exc:  # noqa: BLE001 - a broken record is still evidence
            text = f"{record.name}: unformattable record {record.msg!r} {record.args!r} ({exc})"
        self.records.append(text)

    @contextmanager
    def pause(self):
        """Leave out the test's own probing (e.g. SQL searching for the code)."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False

    @property
    def text(self):
        return "\n".join(self.records)


@contextmanager
def capture_all_logs():
    """Root and every known logger at DEBUG, one collector on each that does not propagate.

    Yields the collector; `collector.text` is everything that was logged,
    formatted with exceptions, as a log file would show it.
    """
    collector = _Collector()
    manager = logging.Logger.manager
    saved_disable = manager.disable
    loggers = [logging.getLogger()] + [
        logger
        for logger in manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved_levels = {logger: logger.level for logger in loggers}
    extra = [
        logger
        for logger in loggers
        if logger is not logging.getLogger() and not logger.propagate
    ]
    logging.disable(logging.NOTSET)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(collector)
    for logger in extra:
        logger.addHandler(collector)
    # Handlers already installed keep their own levels: leave them, ours sees all.
    try:
        yield collector
    finally:
        logging.getLogger().removeHandler(collector)
        for logger in extra:
            logger.removeHandler(collector)
        for logger, level in saved_levels.items():
            logger.setLevel(level)
        logging.disable(saved_disable)
