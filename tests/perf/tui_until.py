"""Runs the TUI in a pseudo-terminal (50x160) until TEXT is on screen, then
quits it with `q`. Prints the seconds from start until TEXT showed and the
peak RSS of the TUI in kB, on one line.

Usage: tui_until.py TEXT CSMS [ARGS...]
"""
import fcntl
import os
import pty
import resource
import select
import struct
import sys
import termios
import time

ROWS, COLS = 50, 160


class Screen:
    """The screen as a terminal shows it: the UI redraws only the cells that
    change, so the text is read off a grid kept from cursor moves and prints."""

    def __init__(self):
        self.grid = [[" "] * COLS for _ in range(ROWS)]
        self.y = self.x = 0
        self.rest = ""

    def feed(self, text):
        text = self.rest + text
        self.rest = ""
        i = 0
        while i < len(text):
            c = text[i]
            if c == "\x1b":
                end = self._escape(text, i)
                if end is None:
                    self.rest = text[i:]
                    return
                i = end
            elif c in "\r\n":
                i += 1
            else:
                if 0 <= self.y < ROWS and 0 <= self.x < COLS:
                    self.grid[self.y][self.x] = c
                self.x += 1
                i += 1

    def _escape(self, text, i):
        """Applies the escape sequence at `i`; gives where it ends (None: cut off)."""
        if i + 1 >= len(text):
            return None
        if text[i + 1] == "[":
            j = i + 2
            while j < len(text) and not ("@" <= text[j] <= "~"):
                j += 1
            if j >= len(text):
                return None
            if text[j] == "H":
                parts = (text[i + 2:j] or "1;1").split(";")
                self.y = int(parts[0] or 1) - 1
                self.x = int(parts[1] if len(parts) > 1 and parts[1] else 1) - 1
            return j + 1
        if text[i + 1] == "]":
            j = text.find("\x07", i)
            return None if j < 0 else j + 1
        return i + 2

    def shows(self, want):
        return any(want in "".join(row) for row in self.grid)

    def text(self):
        return "\n".join("".join(row) for row in self.grid)


def main():
    want, argv = sys.argv[1], sys.argv[2:]
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", CSMS_LOG="off")
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    screen = Screen()
    while not screen.shows(want):
        ready, _, _ = select.select([fd], [], [], 30)
        try:
            chunk = os.read(fd, 65536) if ready else b""
        except OSError:
            chunk = b""
        if not chunk:
            sys.exit(f"the TUI never showed {want!r}:\n{screen.text()}")
        screen.feed(chunk.decode(errors="replace"))
    shown = time.monotonic() - start
    os.write(fd, b"q")
    # Read on until it ends, so it is never blocked writing its last frame.
    while True:
        try:
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    os.waitpid(pid, 0)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{shown:.3f} {peak_kb}")


main()
