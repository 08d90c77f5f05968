"""gunicorn's logger with the secret tokens of URLs masked (balint/log_masking.py): in the
access log every atom that can carry a path (the request line, the path, the query string, the
Referer, headers and environ values), and in the error log the message and its arguments
("Error handling request /calendar/<token>.ics"). Chosen with `--logger-class` (Dockerfile's
GUNICORN_CMD_ARGS) and by gunicorn.conf.py for any gunicorn started in the project's root."""

import traceback

from gunicorn.glogging import Logger

from balint.log_masking import mask_secrets, mask_value


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {
            name: mask_value(value)
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }

    def log(self, lvl, msg, *args, **kwargs):
        super().log(lvl, *_masked(msg, args), **kwargs)

    def critical(self, msg, *args, **kwargs):
        super().critical(*_masked(msg, args), **kwargs)

    def error(self, msg, *args, **kwargs):
        super().error(*_masked(msg, args), **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(*_masked(msg, args), **kwargs)

    def info(self, msg, *args, **kwargs):
        super().info(*_masked(msg, args), **kwargs)

    def debug(self, msg, *args, **kwargs):
        super().debug(*_masked(msg, args), **kwargs)

    def exception(self, msg, *args, **kwargs):
        # The handler would format the traceback after this returns: format and mask it here.
        text = mask_secrets(str(msg) % args if args else str(msg))
        super().error("%s\n%s", text, mask_secrets(traceback.format_exc()).rstrip(), **kwargs)


def _masked(msg, args: tuple) -> tuple:
    return (mask_value(msg), *(mask_value(arg) for arg in args))
