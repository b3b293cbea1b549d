"""PyTorch's data API: samplers, DataLoader arguments (sampler, batch_sampler, collate_fn,
batch_size=None, workers emulated in the main process), IterableDataset, Subset,
ConcatDataset, random_split; against PyTorch where the result is deterministic."""
import collections

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset,
                           RandomSampler, SequentialSampler, Subset, SubsetRandomSampler,
                           TensorDataset, WeightedRandomSampler, get_worker_info, random_split)


class Numbers(Dataset):
    """Sample i is i; records which worker fetched it."""

    def __init__(self, n):
        self.n = n
        self.fetched_by = {}

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        self.fetched_by[i] = None if info is None else info.id
        return i


class Stream(IterableDataset):
    """range(start, end), split between workers as PyTorch's documentation shows."""

    def __init__(self, start, end, shard=True):
        self.start, self.end, self.shard = start, end, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.start, self.end))
        per = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


def flat(loader):
    return [int(v) for b in loader for v in np.ravel(b.numpy() if hasattr(b, "numpy") else b)]


# ----- samplers ------------------------------------------------------------------------------
def test_sequential_and_random_samplers():
    data = list(range(10))
    assert list(SequentialSampler(data)) == data and len(SequentialSampler(data)) == 10
    mg.manual_seed(0)
    a, b = list(RandomSampler(data)), list(RandomSampler(data))
    assert sorted(a) == sorted(b) == data and a != b
    mg.manual_seed(0)
    assert list(RandomSampler(data)) == a  # global generator: manual_seed reproduces
    s = RandomSampler(data, generator=7)
    assert list(s) != list(s)  # an owned stream: each pass is new
    assert list(RandomSampler(data, generator=7)) == list(RandomSampler(data, generator=7))
    more = list(RandomSampler(data, num_samples=25, generator=1))
    assert len(more) == 25 and sorted(more[:20]) == sorted(data * 2)
    drawn = list(RandomSampler(data, replacement=True, num_samples=200, generator=1))
    assert len(drawn) == 200 and len(set(drawn)) == 10


def test_generators_numpy_and_minigrad_style():
    class FakeMinigradGenerator:  # the contract: the numpy generator behind it is ._rng
        def __init__(self, seed):
            self._rng = np.random.default_rng(seed)

    g = FakeMinigradGenerator(3)
    first = list(RandomSampler(range(8), generator=g))
    g._rng = np.random.default_rng(3)  # what manual_seed does: the sampler must follow
    assert list(RandomSampler(range(8), generator=g)) == first
    assert list(RandomSampler(range(8), generator=np.random.default_rng(3))) == first


def test_subset_random_and_weighted_samplers():
    idx = [3, 7, 11, 20]
    got = list(SubsetRandomSampler(idx, generator=0))
    assert sorted(got) == idx and len(SubsetRandomSampler(idx)) == 4
    w = np.array([1.0, 0.0, 3.0, 6.0])
    counts = collections.Counter(WeightedRandomSampler(w, 20000, generator=0))
    assert counts[1] == 0
    for k, p in ((0, 0.1), (2, 0.3), (3, 0.6)):
        assert abs(counts[k] / 20000 - p) < 0.015
    once = list(WeightedRandomSampler(w, 3, replacement=False, generator=0))
    assert sorted(once) == [0, 2, 3]


def test_batch_sampler():
    assert list(BatchSampler(range(7), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2


@pytest.mark.parametrize("call,error,match", [
    (lambda: RandomSampler(range(3), replacement=1), TypeError,
     "replacement should be a boolean value, but got replacement=1"),
    (lambda: RandomSampler(range(3), num_samples=0), ValueError,
     "num_samples should be a positive integer value, but got num_samples=0"),
    (lambda: WeightedRandomSampler([[1.0, 2.0]], 2), ValueError,
     "weights should be a 1d sequence but given weights have shape \\(1, 2\\)"),
    (lambda: WeightedRandomSampler([1.0, 0.0], 2, replacement=False), ValueError,
     "cannot draw 2 samples without replacement from 1 non-zero weights"),
    (lambda: BatchSampler(range(3), 0, False), ValueError,
     "batch_size should be a positive integer value, but got batch_size=0"),
    (lambda: BatchSampler(range(3), 2, "no"), TypeError, "drop_last should be a boolean value"),
    (lambda: RandomSampler(range(3), generator="x"), TypeError, "generator must be None"),
])
def test_sampler_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----- DataLoader arguments ------------------------------------------------------------------
def test_sampler_batch_sampler_collate_fn_and_no_batching():
    ds = TensorDataset(np.arange(10.0), np.arange(10))
    loader = DataLoader(ds, batch_size=4, sampler=[9, 8, 7, 6, 5, 4])
    assert [b[1].tolist() for b in loader] == [[9, 8, 7, 6], [5, 4]]
    loader = DataLoader(ds, batch_sampler=[[0, 1], [5], [2, 3, 4]])
    assert [b[1].tolist() for b in loader] == [[0, 1], [5], [2, 3, 4]] and len(loader) == 3
    loader = DataLoader(Numbers(5), batch_size=2, collate_fn=lambda xs: sum(xs))
    assert list(loader) == [1, 5, 4]
    singles = list(DataLoader(Numbers(3), batch_size=None))
    assert singles == [0, 1, 2] and len(DataLoader(Numbers(3), batch_size=None)) == 3

    class Arrays(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full(3, i, dtype=np.float32), i

    x, y = next(iter(DataLoader(Arrays(), batch_size=None)))
    assert isinstance(x, mg.Tensor) and x.shape == (3,) and y == 0  # default_convert


def test_num_workers_emulation_and_worker_info():
    calls = []

    def init(worker_id):
        info = get_worker_info()
        calls.append((worker_id, info.id, info.num_workers, info.seed))
        info.dataset.shard = worker_id  # set on this worker's copy only

    ds = Numbers(10)
    loader = DataLoader(ds, batch_size=2, num_workers=3, worker_init_fn=init, generator=0,
                        collate_fn=lambda xs: (list(xs), get_worker_info().id))
    for epoch in range(2):
        batches = list(loader)
        assert [b[0] for b in batches] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
        assert [b[1] for b in batches] == [0, 1, 2, 0, 1]  # batch i by worker i % 3
        assert get_worker_info() is None  # the training loop is the main process
    assert [c[:3] for c in calls] == [(w, w, 3) for w in range(3)] * 2  # per epoch
    seeds = [c[3] for c in calls]
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0] + 2 and seeds[3] != seeds[0]
    assert not hasattr(ds, "shard")  # workers have their own copies of the dataset


def test_persistent_workers_initialise_once():
    calls = []
    loader = DataLoader(Numbers(4), batch_size=2, num_workers=2, persistent_workers=True,
                        worker_init_fn=calls.append)
    assert flat(loader) == flat(loader) == [0, 1, 2, 3]
    assert calls == [0, 1]


def test_workers_keep_the_shuffled_order_of_a_single_process_loader():
    ds = TensorDataset(np.arange(30))
    a = [b[0].tolist() for b in DataLoader(ds, batch_size=4, shuffle=True, generator=5)]
    b = [b[0].tolist() for b in DataLoader(ds, batch_size=4, shuffle=True, generator=5,
                                           num_workers=3)]
    assert a == b


def test_iterable_dataset():
    assert flat(DataLoader(Stream(0, 7), batch_size=3)) == list(range(7))
    sharded = flat(DataLoader(Stream(0, 10), batch_size=2, num_workers=3))
    assert sorted(sharded) == list(range(10))
    dup = flat(DataLoader(Stream(0, 4, shard=False), batch_size=2, num_workers=2))
    assert sorted(dup) == sorted(list(range(4)) * 2)  # every worker reads its whole copy
    assert flat(DataLoader(Stream(0, 7), batch_size=3, drop_last=True)) == list(range(6))
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(0, 3), shuffle=True)
    with pytest.raises(TypeError):
        len(DataLoader(Stream(0, 3)))


@pytest.mark.parametrize("kwargs,match", [
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2),
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
])
def test_loader_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(Numbers(3), **kwargs)


def test_pin_memory_timeout_and_friends_are_accepted():
    loader = DataLoader(Numbers(3), batch_size=2, pin_memory=True, timeout=5, num_workers=1,
                        prefetch_factor=4, multiprocessing_context="spawn", in_order=False)
    assert flat(loader) == [0, 1, 2]
    with pytest.raises(TypeError, match="either seed or generator"):
        DataLoader(Numbers(3), seed=1, generator=1)


# ----- Subset, ConcatDataset, random_split -----------------------------------------------------
def test_subset_and_concat():
    ds = TensorDataset(np.arange(10) * 10)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and int(sub[0][0]) == 70
    assert sub.get_batch(np.array([2, 0]))[0].tolist() == [50, 70]
    cat = ConcatDataset([Numbers(3), Numbers(2)])
    assert len(cat) == 5 and [cat[i] for i in range(5)] == [0, 1, 2, 0, 1] and cat[-1] == 1
    with pytest.raises(IndexError):
        cat[5]
    with pytest.raises(ValueError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    assert flat(DataLoader(cat, batch_size=2)) == [0, 1, 2, 0, 1]


def test_random_split():
    ds = Numbers(11)
    parts = random_split(ds, [0.5, 0.5], generator=0)
    assert [len(p) for p in parts] == [6, 5]
    seen = sorted(ds[i] for p in parts for i in p.indices)
    assert seen == list(range(11))
    again = random_split(ds, [6, 5], generator=0)
    assert [p.indices for p in again] == [p.indices for p in parts]
    mg.manual_seed(1)
    a = [p.indices for p in random_split(ds, [3, 8])]
    mg.manual_seed(1)
    assert [p.indices for p in random_split(ds, [3, 8])] == a
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(ds, [5, 5])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Numbers(2), [0.9, 0.05, 0.05])


def test_random_split_lengths_match_torch():
    torch = pytest.importorskip("torch")
    for n, fractions in [(10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1, 0.2, 0.7]),
                         (100, [0.8, 0.1, 0.1]), (5, [0.25, 0.25, 0.25, 0.25])]:
        mine = [len(p) for p in random_split(Numbers(n), fractions, generator=0)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(n), fractions)]
        assert mine == theirs, (n, fractions)


def test_worker_assignment_matches_torch_processes():
    """The emulation reports the same worker per batch and the same init calls as PyTorch's
    real worker processes."""
    torch = pytest.importorskip("torch")

    class Tagged(torch.utils.data.Dataset):
        def __len__(self):
            return 9

        def __getitem__(self, i):
            return i, torch.utils.data.get_worker_info().id

    theirs = [(b[0].tolist(), b[1].tolist()) for b in
              torch.utils.data.DataLoader(Tagged(), batch_size=2, num_workers=2)]

    class MineTagged(Dataset):
        def __len__(self):
            return 9

        def __getitem__(self, i):
            return i, get_worker_info().id

    mine = [(b[0].tolist(), b[1].tolist()) for b in DataLoader(MineTagged(), batch_size=2,
                                                               num_workers=2)]
    assert mine == theirs
