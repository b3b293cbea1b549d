"""Training progress for the terminal: a live bar on a TTY, plain lines otherwise."""
import sys
import time


class Progress:
    """Reports epoch, loss, accuracy and steps/s.

    ``mode``: ``'auto'`` (a bar redrawn in place when the stream is a terminal, else plain
    lines), ``'bar'``, ``'lines'`` or ``'quiet'``. In line mode about ten lines are printed
    for a whole run (every epoch for short runs), so logs stay readable.
    """

    def __init__(self, total_epochs, stream=None, mode="auto", width=24):
        self.stream = stream if stream is not None else sys.stdout
        if mode == "auto":
            isatty = getattr(self.stream, "isatty", lambda: False)
            mode = "bar" if isatty() else "lines"
        if mode not in ("bar", "lines", "quiet"):
            raise ValueError(f"mode must be 'auto', 'bar', 'lines' or 'quiet', got {mode!r}")
        self.mode = mode
        self.total = total_epochs
        self.width = width
        self.every = max(1, total_epochs // 10)
        self.last = time.perf_counter()
        self.steps = 0
        self._drawn = 0  # length of the bar line now on the terminal

    def update(self, epoch, loss, accuracy, steps):
        """Report the end of ``epoch`` (1-based) after ``steps`` more optimizer steps."""
        self.steps += steps
        now = time.perf_counter()
        # this epoch's rate: a cumulative one would carry the first step's JIT load forever
        rate = steps / max(now - self.last, 1e-9)
        self.last = now
        if self.mode == "quiet":
            return
        text = (f"epoch {epoch:>{len(str(self.total))}}/{self.total}  loss {loss:.4f}  "
                f"acc {100 * accuracy:5.1f}%  {rate:,.0f} steps/s")
        if self.mode == "bar":
            filled = round(self.width * epoch / self.total)
            bar = "#" * filled + "." * (self.width - filled)
            line = f"[{bar}] {text}"
            # Pad over the previous line: a shorter one (fewer steps/s) leaves no stale tail.
            self.stream.write("\r" + line.ljust(self._drawn))
            self._drawn = len(line)
            if epoch == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif epoch % self.every == 0 or epoch == self.total or epoch == 1:
            self.stream.write(text + "\n")
            self.stream.flush()

    def message(self, text):
        if self.mode != "quiet":
            self.stream.write(text + "\n")
            self.stream.flush()
