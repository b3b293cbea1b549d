"""No learning rate, start or surface crashes a race: bad runs stop and are marked."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.viz import DEFAULT_LINEUP, SURFACES, race

STATUSES = {"ok", "diverged", "escaped"}


@settings(max_examples=30, deadline=None)
@given(surface=st.sampled_from(sorted(SURFACES)),
       name=st.sampled_from(DEFAULT_LINEUP),
       log_lr=st.floats(-6, 6),
       u=st.floats(0, 1), v=st.floats(0, 1))
def test_race_never_raises_and_records_only_finite_positions(surface, name, log_lr, u, v):
    s = SURFACES[surface]
    start = (s.xlim[0] + u * (s.xlim[1] - s.xlim[0]), s.ylim[0] + v * (s.ylim[1] - s.ylim[0]))
    t = race(s, [f"{name}:lr={10.0 ** log_lr!r}"], steps=25, start=start)[0]
    assert t.status in STATUSES
    assert np.all(np.isfinite(t.positions))
    assert len(t.positions) == len(t.losses) == t.steps + 1
    if t.status == "ok":
        assert t.stopped_at is None and t.steps == 25 and np.all(np.isfinite(t.losses))
    else:
        assert 1 <= t.stopped_at <= 25 and t.reason
        assert t.status == "escaped" or not s.minima or t.diverged
