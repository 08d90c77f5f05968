# Read by gunicorn started in the project's root (the image's WORKDIR): command-line flags and
# GUNICORN_CMD_ARGS still win. Secret tokens in URLs are masked in its access and error logs.
logger_class = "balint.gunicorn_logging.MaskingLogger"
