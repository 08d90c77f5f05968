"""A counting SMTP server for benches: aiosmtpd in a process of its own, which accepts every
message and writes one line per message, `<X-Balint-Message-Key>\t<Message-ID>`, to a file.

Run by `SmtpSink` below (or by hand: `python bench/smtp_sink.py PORT FILE`). It parses only the
headers of each message, so that the sink costs as little as the protocol allows and the bench
measures the senders, not the receiver.
"""

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

from common import ROOT

KEY_HEADER = "X-Balint-Message-Key"


class CountingHandler:
    def __init__(self, out):
        self.out = out
        self.parser = BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        headers = self.parser.parsebytes(envelope.original_content or envelope.content)
        self.out.write(f"{headers.get(KEY_HEADER, '')}\t{headers.get('Message-ID', '')}\n")
        self.out.flush()
        return "250 Message accepted for delivery"


def serve(port: int, path: str) -> None:
    from aiosmtpd.smtp import SMTP

    loop = asyncio.new_event_loop()
    with open(path, "a") as out:
        handler = CountingHandler(out)
        server = loop.run_until_complete(
            # hostname given: aiosmtpd would otherwise look up the machine's FQDN.
            loop.create_server(lambda: SMTP(handler, hostname="localhost"), "127.0.0.1", port)
        )
        loop.add_signal_handler(signal.SIGTERM, loop.stop)
        loop.run_forever()
        server.close()


class SmtpSink:
    """The counting server on 127.0.0.1:`port`, writing to `path` (emptied at start)."""

    def __init__(self, port: int, path: Path):
        self.port, self.path = port, path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "SmtpSink":
        import socket

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("")
        script = Path(__file__).resolve()
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(self.port), str(self.path)], cwd=ROOT
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.process.kill()
        sys.exit(f"The SMTP sink did not start on port {self.port}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def keys(self) -> Counter:
        """How many times each message key arrived."""
        lines = self.path.read_text().splitlines()
        return Counter(line.split("\t", 1)[0] for line in lines)

    def count(self) -> int:
        with self.path.open("rb") as file:
            return sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 16), b""))


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
