# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Capture every log record of a block, whatever the configured levels."""

import logging
from contextlib import contextmanager

# The only log lines allowed to show a code: SQL statement logging of the
# INSERT of the sms.sms or mail.mail row that carries it to the gateway, a row
# deleted in the same request (salon_otp_redeem/tools/sender.py).
SQL_LOGGER = "odoo.sql_db"
ROW_INSERTS = ('query: INSERT INTO "sms_sms"', 'query: INSERT INTO "mail_mail"')


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []
        # (logger name, formatted text), for checks that depend on the source.
        self.entries = []
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
        self.entries.append((record.name, text))

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

    def leaks(self, needle):
        """Records showing `needle` (any case), but for the outgoing row's INSERT."""
        needle = needle.upper()
        return [
            text[:300]
            for name, text in self.entries
            if needle in text.upper()
            and not (name == SQL_LOGGER and any(s in text for s in ROW_INSERTS))
        ]


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
